// Latest-wins and per-frame listeners (renderer/latest.ts), through a real
// child-process renderer: a slow async listener never overlaps itself and ends
// on the newest value; onBatch gets one array per frame.
// Listeners take 300 ms: messages main sends within a few ms of each other are
// "meanwhile" however a loaded machine schedules the two processes.
import path from 'path'
import { BatchManager } from '../index'
import { sleep } from './helpers/window'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createWindow, IpcMain } = require('../test/standin')

const PACER = path.join(__dirname, '../test/standin/renderers/pacer.js')

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > end) throw new Error(`condition not met: ${JSON.stringify(value)}`)
    await sleep(10)
  }
}

test('onLatest: one call at a time, messages sent meanwhile collapse to the newest', async () => {
  const win = await createWindow({ kind: 'process', renderer: PACER, rendererOptions: { latest: 'state', delayMs: 300 } })
  try {
    for (let i = 0; i < 20; i++) win.webContents.send('state', i)
    await sleep(20)
    for (let i = 20; i < 30; i++) win.webContents.send('state', i)
    const got = await until(() => win.request('dump'), (d: any) => d.latest.at(-1) === 29)
    await sleep(400) // nothing else runs once the newest has run
    const after = await win.request('dump')
    expect(after.latest).toEqual(got.latest)
    expect(after.maxRunning).toBe(1)
    expect(after.latest[0]).toBe(0)
    expect(after.latest.length).toBeLessThanOrEqual(4) // 30 messages, a handful of runs
    expect(after.latest).toEqual([...after.latest].sort((a: number, b: number) => a - b))
  } finally {
    await win.close()
  }
})

test('onLatest: a rejecting listener is reported and the next value still runs', async () => {
  const win = await createWindow({ kind: 'process', renderer: PACER, rendererOptions: { latest: 'state', delayMs: 300, failOn: 0 } })
  try {
    win.webContents.send('state', 0)
    win.webContents.send('state', 1)
    win.webContents.send('state', 2)
    const got = await until(() => win.request('dump'), (d: any) => d.latest.at(-1) === 2 && d.errors.length === 1)
    expect(got.latest).toEqual([0, 2])
    expect(got.errors).toEqual(['state: failed on 0'])
  } finally {
    await win.close()
  }
})

test('onBatch: every message of a frame for the channel as one array; a direct send is an array of one', async () => {
  const ipcMain = new IpcMain()
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 1000, maxWaitMs: 10_000 })
  batcher.attach(ipcMain)
  let ready = false
  ipcMain.on('ipcflow:ready', () => (ready = true)) // after the batcher's own listener
  const win = await createWindow({ kind: 'process', ipcMain, renderer: PACER, rendererOptions: { batch: 'rows' } })
  try {
    while (!ready) await sleep(2) // the client's ready has arrived
    for (let i = 0; i < 10; i++) batcher.addMessage(i % 2 ? 'rows' : 'other', i, win.webContents)
    batcher.flush(win.webContents)
    for (let i = 10; i < 13; i++) batcher.addMessage('rows', i, win.webContents)
    batcher.flush(win.webContents)
    win.webContents.send('rows', 'direct')
    const got = await until(() => win.request('dump'), (d: any) => d.batches.length === 3)
    expect(got.batches).toEqual([[1, 3, 5, 7, 9], [10, 11, 12], ['direct']])
  } finally {
    await batcher.close()
    await win.close()
  }
})
