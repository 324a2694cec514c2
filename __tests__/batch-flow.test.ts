// Flow control: a renderer client that acknowledges frames never has more
// than maxFramesInFlight unacknowledged; a stalled renderer pauses its target
// (messages queue, bounded and counted) and resumes in order when it catches up.
import { BatchManager } from '../index'
import { openWindow, frames, sleep, hangRenderer, HANG_RENDERER } from './helpers/window'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { IpcMain } = require('../test/standin')

function fakeTarget() {
  return { id: 501, sent: [] as any[], send(_channel: string, frame: any) { this.sent.push(frame) } }
}

test('frames ask for acks from half the window; the target pauses at the limit and resumes on ack', async () => {
  const ipcMain = new IpcMain()
  const target = fakeTarget()
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 2, maxWaitMs: 10_000, maxFramesInFlight: 4 })
  batcher.attach(ipcMain)
  ipcMain.emit('ipcflow:ready', { sender: target }, { acks: true })
  for (let i = 0; i < 20; i++) batcher.addMessage('a', i, target)
  expect(target.sent.map((f) => f.seq)).toEqual([1, 2, 3, 4])
  expect(target.sent.map((f) => f.ack === true)).toEqual([false, true, true, true])
  expect(batcher.pending(target)).toBe(12)
  expect(batcher.getMetrics()).toMatchObject({ pauses: 1, pausedTargets: 1 })

  const { stream } = target.sent[0]
  ipcMain.emit('ipcflow:ack', { sender: target }, stream + 1, 4) // another manager's stream: ignored
  expect(target.sent).toHaveLength(4)
  ipcMain.emit('ipcflow:ack', { sender: target }, stream, 2) // two frames free again
  expect(target.sent.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6])
  ipcMain.emit('ipcflow:ack', { sender: target }, stream, 6)
  expect(target.sent.flatMap((f) => f.payloads)).toEqual([...Array(20).keys()])
  expect(batcher.getMetrics()).toMatchObject({ pauses: 3, pausedTargets: 1, pending: 0 }) // the window is full again
  await batcher.close()
})

test('idle messages go as plain sends; to a renderer that never acks, only half a window of them, then frames that pause', async () => {
  const ipcMain = new IpcMain()
  const target = fakeTarget()
  const batcher = new BatchManager({ maxBatchSize: 2, maxWaitMs: 1, idleMs: 1, maxFramesInFlight: 4, maxQueueSize: 5 })
  batcher.attach(ipcMain)
  ipcMain.emit('ipcflow:ready', { sender: target }, { acks: true })
  for (let i = 0; i < 20; i++) {
    batcher.addMessage('a', i, target) // each one idle: the target was quiet for idleMs
    await sleep(3)
  }
  const plain = target.sent.filter((v) => v?.payloads === undefined)
  const framed = target.sent.filter((v) => v?.payloads !== undefined)
  expect(plain).toEqual([0, 1]) // 2 = half of maxFramesInFlight
  expect(framed.map((f) => [f.seq, f.ack === true])).toEqual([[1, true], [2, true], [3, true], [4, true]])
  expect(batcher.getMetrics()).toMatchObject({ pausedTargets: 1, pending: 5, drops: expect.objectContaining({ overflow: 9 }) })

  // The renderer catches up: frame 4 read means everything before it was; plain sends resume.
  ipcMain.emit('ipcflow:ack', { sender: target }, framed[0].stream, 4)
  expect(batcher.getMetrics().pending).toBe(0)
  await sleep(3)
  const before = target.sent.length
  batcher.addMessage('a', 'again', target)
  expect(target.sent.slice(before)).toEqual(['again'])
  await batcher.close()
})

test('a paused target queues at most maxQueueSize (overflow counted); close() still sends everything', async () => {
  const ipcMain = new IpcMain()
  const target = fakeTarget()
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 5, maxQueueSize: 10, maxFramesInFlight: 2 })
  batcher.attach(ipcMain)
  ipcMain.emit('ipcflow:ready', { sender: target }, { acks: true })
  for (let i = 0; i < 40; i++) batcher.addMessage('a', i, target)
  expect(target.sent).toHaveLength(2)
  expect(batcher.pending(target)).toBe(10)
  expect(batcher.getMetrics().drops.overflow).toBe(20)
  await batcher.close()
  expect(target.sent.flatMap((f) => f.payloads)).toEqual([...Array(10).keys(), ...Array.from({ length: 10 }, (_, i) => 30 + i)])
})

test('a reloaded page announces itself again: what the old page never acknowledged is forgotten', async () => {
  const ipcMain = new IpcMain()
  const target = fakeTarget()
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 1, maxFramesInFlight: 2 })
  batcher.attach(ipcMain)
  ipcMain.emit('ipcflow:ready', { sender: target }, { acks: true })
  for (let i = 0; i < 5; i++) batcher.addMessage('a', i, target)
  expect(target.sent).toHaveLength(2) // paused: the page stopped acknowledging
  ipcMain.emit('ipcflow:ready', { sender: target }, { acks: true }) // the reloaded page's client
  expect(target.sent).toHaveLength(4)
  expect(target.sent.map((f) => f.payloads[0])).toEqual([0, 1, 2, 3])
  batcher.detach()
  ipcMain.emit('ipcflow:ack', { sender: target }, target.sent[0].stream, 4) // detached: ignored
  expect(target.sent).toHaveLength(4)
  await batcher.close()
  expect(target.sent).toHaveLength(5)
})

test('without acks announced (or with maxFramesInFlight 0) nothing pauses', async () => {
  const target = fakeTarget()
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 1, maxFramesInFlight: 2 })
  for (let i = 0; i < 10; i++) batcher.addMessage('a', i, target)
  expect(target.sent).toHaveLength(10)
  const ipcMain = new IpcMain()
  const off = new BatchManager({ adaptive: false, maxBatchSize: 1, maxFramesInFlight: 0 })
  off.attach(ipcMain)
  const other = fakeTarget()
  ipcMain.emit('ipcflow:ready', { sender: other }, { acks: true })
  for (let i = 0; i < 10; i++) off.addMessage('a', i, other)
  expect(other.sent).toHaveLength(10)
  expect(other.sent.some((f) => f.ack)).toBe(false)
  await batcher.close()
  await off.close()
})

test('a stalled renderer process: main stops at the window, then delivers everything in order', async () => {
  const ipcMain = new IpcMain()
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 5, maxWaitMs: 5, maxFramesInFlight: 4 })
  batcher.attach(ipcMain)
  let ready = false
  ipcMain.on('ipcflow:ready', () => (ready = true)) // after the batcher's own listener
  // A renderer that stays stalled until released (not for a fixed time a loaded machine may outlast).
  const w = await openWindow(['a'], 'process', { ipcMain, renderer: HANG_RENDERER })
  try {
    while (!ready) await sleep(2) // the client's ready (with acks) has arrived
    const stalled = await hangRenderer(w.win)
    const before = frames(w.sends).length
    for (let i = 0; i < 100; i++) batcher.addMessage('a', i, w.wc)
    await sleep(100) // 20 batch deadlines
    expect(frames(w.sends).length - before).toBeLessThanOrEqual(4)
    expect(batcher.getMetrics().pausedTargets).toBe(1)
    expect(batcher.pending(w.wc)).toBeGreaterThanOrEqual(80)
    stalled.release()
    await stalled.done
    const got = await w.waitForMessages(100)
    expect(got.messages.map((m) => m.payload)).toEqual([...Array(100).keys()])
    expect(got.gaps).toEqual([])
    expect(batcher.getMetrics()).toMatchObject({ pausedTargets: 0, pending: 0 })
  } finally {
    await batcher.close()
    await w.close()
  }
})
