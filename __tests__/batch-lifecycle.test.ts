// Targets that die, wait for their renderer, overflow; close() and teardown.
import path from 'path'
import { Worker } from 'worker_threads'
import { BatchManager, IpcError } from '../index'
import { openWindow, frames, sleep } from './helpers/window'
import { ManualClock } from './helpers/clock'

/** Real time: polls `check()` until it holds, failing only after `limitMs` (far beyond any wait the test expects). */
async function until(check: () => boolean, limitMs = 30_000) {
  const end = performance.now() + limitMs
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met')
    await sleep(2)
  }
}

test('a target destroyed mid-stream loses its queue without throwing; the loss is counted', async () => {
  const w = await openWindow(['a'])
  // On a clock of its own: the 5 pending messages' deadline cannot pass (and send them to a live
  // target) while a loaded machine is still reading the first 20 back from the renderer.
  const clock = new ManualClock()
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 10, maxWaitMs: 30 }, { clock } as any)
  try {
    for (let i = 0; i < 25; i++) batcher.addMessage('a', i, w.wc)
    await w.waitForMessages(20)
    await w.close() // destroys the webContents with 5 messages pending
    expect(w.wc.isDestroyed()).toBe(true)
    await clock.advance(60) // the timer fires into a dead target
    expect(() => batcher.addMessage('a', 99, w.wc)).not.toThrow()
    expect(batcher.addMessage('a', 100, w.wc)).toBe(false)
    const m = batcher.getMetrics()
    expect(m.drops.destroyed).toBe(7)
    expect(m.messagesOut).toBe(20)
    expect(m.pending).toBe(0)
    expect(m.targets).toBe(0)
    expect(m.messagesIn).toBe(m.messagesOut + m.drops.total)
  } finally {
    await batcher.close()
  }
})

test('a target whose send throws "destroyed" is treated as gone', async () => {
  let alive = true
  const target = {
    id: 77,
    send() {
      if (!alive) throw new TypeError('Object has been destroyed')
    },
  }
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 2 })
  batcher.addMessage('a', 1, target)
  batcher.addMessage('a', 2, target)
  alive = false
  batcher.addMessage('a', 3, target)
  expect(() => batcher.addMessage('a', 4, target)).not.toThrow()
  expect(batcher.getMetrics().drops.destroyed).toBe(2)
  await batcher.close()
})

test('close() flushes everything, stops the timer, then addMessage throws E_CLOSED', async () => {
  const w = await openWindow(['a', 'b'])
  try {
    const w2 = await openWindow(['a'], 'worker')
    const batcher = new BatchManager({ adaptive: false, maxBatchSize: 50, maxWaitMs: 10_000 })
    for (let i = 0; i < 120; i++) batcher.addMessage(i % 2 ? 'a' : 'b', i, w.wc)
    batcher.addMessage('a', 'to-worker', w2.wc)
    await batcher.close()
    expect(batcher.closed).toBe(true)
    expect(batcher.pending()).toBe(0)
    expect(batcher.getMetrics().flushReasons.close).toBe(2)
    const got = await w.waitForMessages(120)
    expect(got.messages.map((m) => m.payload)).toEqual([...Array(120).keys()])
    expect((await w2.waitForMessages(1)).messages[0].payload).toBe('to-worker')
    let thrown: any
    try {
      batcher.addMessage('a', 1, w.wc)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(IpcError)
    expect(thrown).toMatchObject({ code: 'E_CLOSED' })
    await batcher.close() // idempotent
    await w2.close()
  } finally {
    await w.close()
  }
})

test('holdUntilReady: messages wait (bounded, counted) until the renderer announces itself', async () => {
  const { IpcMain } = require('../test/standin')
  const ipcMain = new IpcMain()
  const batcher = new BatchManager({ adaptive: false, holdUntilReady: true, maxBatchSize: 4, maxQueueSize: 10, maxWaitMs: 5 })
  batcher.attach(ipcMain)
  const fakeEarly = { id: 1000, sent: [] as any[], send(c: string, f: any) { this.sent.push(f) } }
  for (let i = 0; i < 15; i++) batcher.addMessage('a', i, fakeEarly)
  await sleep(30)
  expect(fakeEarly.sent).toHaveLength(0) // held: no timer flush
  expect(batcher.pending(fakeEarly)).toBe(10)
  expect(batcher.getMetrics().drops.overflow).toBe(5) // drop-oldest
  batcher.markReady(fakeEarly)
  expect(fakeEarly.sent.map((f) => f.payloads)).toEqual([[5, 6, 7, 8], [9, 10, 11, 12], [13, 14]])
  expect(batcher.getMetrics().flushReasons.ready).toBe(3)

  // The real path: the renderer client sends 'ipcflow:ready' when it starts.
  const w = await openWindow(['a'], 'process', { ipcMain })
  try {
    batcher.addMessage('a', 'after-ready', w.wc)
    const got = await w.waitForMessages(1)
    expect(got.messages[0].payload).toBe('after-ready')
  } finally {
    await batcher.close()
    await w.close()
  }
})

test("overflow 'drop-newest' rejects the incoming message and counts it", async () => {
  const target = { id: 5, send() {} }
  const batcher = new BatchManager({ adaptive: false, holdUntilReady: true, maxBatchSize: 2, maxQueueSize: 3, overflow: 'drop-newest' })
  const accepted = [1, 2, 3, 4, 5].map((i) => batcher.addMessage('a', i, target))
  expect(accepted).toEqual([true, true, true, false, false])
  const m = batcher.getMetrics()
  expect(m.drops).toEqual({ overflow: 2, destroyed: 0, uncloneable: 0, total: 2 })
  expect(m.pending).toBe(3)
  await batcher.close()
})

test('a worker thread torn down with live native timers does not crash the host', async () => {
  const script = path.join(__dirname, 'helpers/teardown-worker.js')
  for (let round = 0; round < 3; round++) {
    const worker = new Worker(script, { workerData: { root: path.join(__dirname, '..') } })
    const ticks = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    expect(ticks).toBeGreaterThan(0)
    await worker.terminate() // timers still armed inside
  }
  // The host's own manager still works after the worker envs are gone.
  const target = { id: 9, got: [] as any[], send(_c: string, f: any) { this.got.push(f) } }
  const batcher = new BatchManager({ adaptive: false, maxWaitMs: 5 })
  batcher.addMessage('a', 1, target)
  await until(() => target.got.length > 0) // by the native timer
  await sleep(20)
  expect(target.got).toHaveLength(1)
  await batcher.close()
})

test('a manager nobody closed does not keep the process alive', async () => {
  const { execFileSync } = require('child_process')
  // Deadlines a minute away (the longest): kept alive, the process would outlive the 30 s it is given.
  const code = `
    const { BatchManager } = require(${JSON.stringify(path.join(__dirname, '..'))});
    const b = new BatchManager({ adaptive: false, maxWaitMs: 60000, lowPriorityWaitMs: 60000 });
    b.addMessage('a', 1, { id: 1, send() {} });
    b.addMessage('a', 2, { id: 2, send() {} }, { priority: 'low' });
  `
  const started = Date.now()
  execFileSync(process.execPath, ['-e', code], { timeout: 30_000 })
  expect(Date.now() - started).toBeLessThan(30_000)
}, 60_000)

test('batch generations run 1..2^32-1 and wrap, as the native side stores them (u32, 0 for none)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { nextGeneration } = require('../lib/timers/clock')
  expect(nextGeneration(0)).toBe(1)
  expect(nextGeneration(41)).toBe(42)
  expect(nextGeneration(0xfffffffe)).toBe(0xffffffff)
  expect(nextGeneration(0xffffffff)).toBe(1)
})
