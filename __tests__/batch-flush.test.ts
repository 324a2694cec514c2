// When frames are sent (count, bytes, time, priority, manual) and what they
// carry, observed in a renderer process behind a real structured-clone channel.
// Where a case depends on how long a batch waits, main runs on fake time
// (helpers/clock.ts, the manager's clock seam; the renderer needs no timer),
// and the native timer is checked in real time for what load cannot change.
import { BatchManager } from '../index'
import { openWindow, frames, sleep, TestWindow } from './helpers/window'
import { advance, clock, fakeTime, settle } from './helpers/clock'
import { until } from './helpers/wait'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TIMER_EARLY_MS } = require('../lib/timers/clock')

/** A manager on fake time (the clock seam is not in BatchManager's public type). */
function onClock(options: ConstructorParameters<typeof BatchManager>[0]) {
  fakeTime()
  return new BatchManager(options, { clock } as any)
}

let w: TestWindow
let batcher: BatchManager | undefined

beforeAll(async () => {
  w = await openWindow(['a', 'b', 'c', 'state', 'err'])
})
afterAll(() => w.close())
beforeEach(async () => {
  w.sends.length = 0
  await w.win.request('clear')
})
afterEach(async () => {
  jest.useRealTimers()
  await batcher?.close()
  batcher = undefined
})

test('a full batch is sent at once, as one frame, in order', async () => {
  batcher = new BatchManager({ adaptive: false, maxBatchSize: 10, maxWaitMs: 5000 })
  for (let i = 0; i < 25; i++) batcher.addMessage('a', { i }, w.wc)
  const sent = frames(w.sends)
  expect(sent.map((f) => f.channels.length)).toEqual([10, 10])
  expect(sent.map((f) => f.seq)).toEqual([1, 2])
  expect(batcher.pending(w.wc)).toBe(5)
  const got = await w.waitForMessages(20)
  expect(got.messages.map((m) => m.payload.i)).toEqual([...Array(20).keys()])
  expect(batcher.getMetrics().flushReasons.size).toBe(2)
})

test('the time limit counts from the first message: a steady stream cannot postpone it', async () => {
  batcher = onClock({ adaptive: false, maxBatchSize: 1000, maxWaitMs: 40 })
  const started = Date.now()
  // One message every 5 ms for 200 ms: a debounce would never fire.
  while (Date.now() - started < 200) {
    batcher.addMessage('a', Date.now() - started, w.wc)
    await advance(5)
  }
  const sent = frames(w.sends)
  expect(sent.length).toBeGreaterThanOrEqual(3)
  const metrics = batcher.getMetrics()
  expect(metrics.flushReasons.time).toBe(sent.length)
  expect(metrics.batchAgeMs.max).toBeLessThan(40 + 60)
  expect(metrics.batchAgeMs.min).toBeGreaterThanOrEqual(38)
  // Each frame holds what came within 40 ms of its first message, nothing later.
  for (const f of sent) expect(f.payloads.at(-1) - f.payloads[0]).toBeLessThan(40)
})

test('a single queued message is sent after maxWaitMs by the native timer, never more than 1 ms early', async () => {
  batcher = new BatchManager({ adaptive: false, maxWaitMs: 20 })
  const added = performance.now()
  batcher.addMessage('a', 'only', w.wc)
  expect(frames(w.sends)).toHaveLength(0)
  await until(() => frames(w.sends).length === 1)
  // The native timer fires within [deadline - BATCH_TIMER_EARLY_MS, deadline] (later only if the thread is late).
  expect(performance.now() - added).toBeGreaterThanOrEqual(20 - TIMER_EARLY_MS - 0.05)
  expect(batcher.getMetrics().batchAgeMs.min).toBeGreaterThanOrEqual(20 - TIMER_EARLY_MS - 0.05)
  const got = await w.waitForMessages(1)
  expect(got.messages).toEqual([{ channel: 'a', payload: 'only' }])
  expect(batcher.getMetrics().flushReasons.time).toBe(1)
})

test('a byte limit splits frames before they grow past it', async () => {
  batcher = new BatchManager({ adaptive: false, maxBatchSize: 1000, maxWaitMs: 5000, maxBatchBytes: 1000 })
  const text = 'x'.repeat(300)
  for (let i = 0; i < 7; i++) batcher.addMessage('a', { i, text }, w.wc)
  const sent = frames(w.sends)
  expect(sent.map((f) => f.channels.length)).toEqual([3, 3])
  expect(batcher.getMetrics().flushReasons.bytes).toBe(2)
  batcher.flush()
  const got = await w.waitForMessages(7)
  expect(got.messages.map((m) => m.payload.i)).toEqual([0, 1, 2, 3, 4, 5, 6])
})

test.each(['process', 'worker'] as const)('order is kept per target across channels (%s renderer)', async (kind) => {
  const win = kind === 'process' ? w : await openWindow(['a', 'b', 'c'], kind)
  batcher = new BatchManager({ adaptive: false, maxBatchSize: 7, maxWaitMs: 10 })
  try {
    const expected: Array<[string, number]> = []
    for (let i = 0; i < 100; i++) {
      const channel = ['a', 'b', 'c'][i % 3]
      batcher.addMessage(channel, i, win.wc)
      expected.push([channel, i])
    }
    const got = await win.waitForMessages(100)
    expect(got.messages.map((m) => [m.channel, m.payload])).toEqual(expected)
    expect(got.gaps).toEqual([])
  } finally {
    if (win !== w) await win.close()
  }
})

test('critical sends what is pending plus itself at once, in order', async () => {
  batcher = new BatchManager({ adaptive: false, maxBatchSize: 50, maxWaitMs: 5000 })
  batcher.addMessage('a', 1, w.wc)
  batcher.addMessage('b', 2, w.wc)
  batcher.addMessage('err', { fatal: true }, w.wc, { priority: 'critical' })
  const sent = frames(w.sends)
  expect(sent).toHaveLength(1)
  expect(sent[0].channels).toEqual(['a', 'b', 'err'])
  expect(batcher.pending()).toBe(0)
  expect(batcher.getMetrics().flushReasons.priority).toBe(1)
})

test('low priority waits longer until a normal message tightens the deadline', async () => {
  batcher = onClock({ adaptive: false, maxWaitMs: 20, lowPriorityWaitMs: 400 })
  batcher.addMessage('a', 'low', w.wc, { priority: 'low' })
  await advance(80)
  expect(frames(w.sends)).toHaveLength(0)
  batcher.addMessage('a', 'normal', w.wc)
  await advance(19)
  expect(frames(w.sends)).toHaveLength(0)
  await advance(1) // 20 ms after the normal one, not 400 ms after the low one
  expect(frames(w.sends).map((f) => f.payloads)).toEqual([['low', 'normal']])
  jest.useRealTimers()
  const got = await w.waitForMessages(2)
  expect(got.messages.map((m) => m.payload)).toEqual(['low', 'normal'])
})

test('coalesceKey: the newest message replaces older ones and takes the newest position', async () => {
  batcher = new BatchManager({ adaptive: false, maxBatchSize: 50, maxWaitMs: 5000 })
  batcher.addMessage('a', 't1', w.wc)
  batcher.addMessage('state', { v: 1 }, w.wc, { coalesceKey: 'state' })
  batcher.addMessage('a', 't2', w.wc)
  batcher.addMessage('state', { v: 2 }, w.wc, { coalesceKey: 'state' })
  batcher.addMessage('a', 't3', w.wc)
  batcher.addMessage('state', { v: 3 }, w.wc, { coalesceKey: 'state' })
  batcher.flush(w.wc)
  const got = await w.waitForMessages(4)
  expect(got.messages.map((m) => m.payload)).toEqual(['t1', 't2', 't3', { v: 3 }])
  const m = batcher.getMetrics()
  expect(m.coalesced).toBe(2)
  expect(m.messagesIn).toBe(m.messagesOut + m.coalesced)
})

test('dedupe suppresses exact duplicates within a batch only', async () => {
  batcher = new BatchManager({ adaptive: false, maxBatchSize: 50, maxWaitMs: 5000, dedupe: true })
  batcher.addMessage('a', { x: 1 }, w.wc)
  batcher.addMessage('a', { x: 1 }, w.wc) // duplicate
  batcher.addMessage('b', { x: 1 }, w.wc) // other channel: kept
  batcher.addMessage('a', { x: 2 }, w.wc)
  batcher.addMessage('a', new Map([[1, 2]]), w.wc)
  batcher.addMessage('a', new Map([[1, 3]]), w.wc) // not provably equal: kept
  batcher.flush()
  batcher.addMessage('a', { x: 1 }, w.wc) // new batch: kept
  batcher.flush()
  const got = await w.waitForMessages(6)
  expect(got.messages.map((m) => m.channel)).toEqual(['a', 'b', 'a', 'a', 'a', 'a'])
  expect(got.messages[3].payload).toEqual(new Map([[1, 2]]))
  expect(batcher.getMetrics().duplicates).toBe(1)
})

test('with dedupe and coalescing, a value replaced by coalescing can come back', async () => {
  batcher = new BatchManager({ adaptive: false, maxBatchSize: 50, maxWaitMs: 5000, dedupe: true })
  for (const v of [1, 2, 1]) batcher.addMessage('state', { v }, w.wc, { coalesceKey: 's' })
  batcher.flush()
  const got = await w.waitForMessages(1)
  expect(got.messages.map((m) => m.payload)).toEqual([{ v: 1 }])
  expect(batcher.getMetrics()).toMatchObject({ coalesced: 2, duplicates: 0 })
})

test('enabled: false sends each message directly (adaptive or not); the renderer code is the same', async () => {
  batcher = new BatchManager({ enabled: false })
  batcher.addMessage('a', 1, w.wc)
  batcher.addMessage('b', new Date(5), w.wc, { priority: 'low', coalesceKey: 'k' })
  expect(w.sends).toEqual([['a', 1], ['b', new Date(5)]])
  const got = await w.waitForMessages(2)
  expect(got.messages).toEqual([{ channel: 'a', payload: 1 }, { channel: 'b', payload: new Date(5) }])
  const m = batcher.getMetrics()
  expect([m.messagesIn, m.messagesOut, m.framesOut, m.reductionRatio]).toEqual([2, 2, 2, 0])
})

test('frames are self-describing, versioned, structured-clone values', async () => {
  batcher = new BatchManager({ adaptive: false, maxBatchSize: 2, maxWaitMs: 5000 })
  batcher.addMessage('a', new Uint8Array([1, 2]), w.wc)
  batcher.addMessage('b', { nested: new Set([1]) }, w.wc)
  const [frame] = frames(w.sends)
  expect(frame).toEqual({ ipcflow: 'frame', v: 1, stream: expect.any(Number), seq: 1, channels: ['a', 'b'], payloads: [new Uint8Array([1, 2]), { nested: new Set([1]) }] })
  const got = await w.waitForMessages(2)
  expect(got.messages[0].payload).toEqual(new Uint8Array([1, 2]))
  expect(got.messages[1].payload.nested).toEqual(new Set([1]))
})

test('a batch that leaves before its deadline never wakes the timer; deadlines due together cost one wake', async () => {
  batcher = onClock({ adaptive: false, maxBatchSize: 2, maxWaitMs: 25 })
  const sent: Array<{ target: number; payloads: unknown[] }> = []
  const targets = Array.from({ length: 40 }, (_, id) => ({
    id: 1000 + id,
    send: (_c: string, frame: any) => sent.push({ target: id, payloads: frame.payloads }),
  }))
  const even = targets.filter((_, id) => id % 2 === 0)
  const odd = targets.filter((_, id) => id % 2 === 1)
  // The even targets' batches get deadlines, then fill and leave early...
  for (const t of even) batcher.addMessage('a', 1, t)
  await advance(5)
  for (const t of even) batcher.addMessage('a', 2, t)
  expect(sent).toHaveLength(20)
  // ...and the odd ones', due later, leave by their deadline: one timer wake, none for the batches gone.
  await advance(10)
  for (const t of odd) batcher.addMessage('a', 1, t)
  await advance(24)
  expect(sent).toHaveLength(20)
  await advance(1)
  expect(sent).toHaveLength(40)
  await advance(80)
  expect(sent).toHaveLength(40)
  for (const { target, payloads } of sent) expect(payloads).toEqual(target % 2 === 0 ? [1, 2] : [1])
  const m = batcher.getMetrics()
  expect(m.flushReasons).toMatchObject({ size: 20, time: 20 })
  expect(m.timerWakes).toBe(1)
  // Later batches of the same targets reuse their slots, with new generations.
  for (const t of targets) batcher.addMessage('a', 3, t)
  await advance(25)
  expect(sent).toHaveLength(80)
  expect(batcher.getMetrics().timerWakes).toBe(2)
})

test('on the native timer (real time): a deadline whose batch left early never fires, across more targets than the first shared slots', async () => {
  // Odd targets' batches wait 50 ms; the even ones are low priority (1 s), so their batches, armed
  // when the turn ends, fill in the next turn with that second to spare, however slow the machine.
  batcher = new BatchManager({ adaptive: false, maxBatchSize: 2, maxWaitMs: 50, lowPriorityWaitMs: 1000 })
  const sent: Array<{ target: number; payloads: unknown[] }> = []
  const targets = Array.from({ length: 40 }, (_, id) => ({
    id: 1000 + id,
    send: (_c: string, frame: any) => sent.push({ target: id, payloads: frame.payloads }),
  }))
  const even = targets.filter((_, id) => id % 2 === 0)
  const odd = targets.filter((_, id) => id % 2 === 1)
  for (const t of even) batcher.addMessage('a', 1, t, { priority: 'low' })
  for (const t of odd) batcher.addMessage('a', 1, t)
  const armedBy = performance.now()
  await settle() // the turn ended: 40 native deadlines, past the first shared slots
  for (const t of even) batcher.addMessage('a', 2, t, { priority: 'low' })
  expect(sent).toHaveLength(20)
  await until(() => sent.length === 40)
  for (const { target, payloads } of sent) expect(payloads).toEqual(target % 2 === 0 ? [1, 2] : [1])
  expect(batcher.getMetrics().flushReasons).toMatchObject({ size: 20, time: 20 })
  const wakes = batcher.getMetrics().timerWakes
  expect(wakes).toBeGreaterThanOrEqual(1)
  // Past the even batches' discarded deadlines: no wake for them.
  while (performance.now() < armedBy + 1000 + 50) await sleep(10)
  expect(batcher.getMetrics().timerWakes).toBe(wakes)
  expect(sent).toHaveLength(40)
  // Later batches of the same targets reuse their slots, with new generations.
  for (const t of targets) batcher.addMessage('a', 3, t)
  await until(() => sent.length === 80)
  expect(batcher.getMetrics().flushReasons).toMatchObject({ size: 20, time: 60 })
})
