// Exactly once, in order: a seeded random workload (priorities, coalesce keys,
// flushes, flow control and readiness changes, native timers firing in
// between) loses, duplicates and reorders nothing but what coalescing
// replaced. Set EXACTLY_ONCE_SEED to replay a failure; the seed is printed.
// Scenarios run in a worker thread with a deadline: one that spins
// synchronously fails with its seed instead of hanging the whole test run.
import fc from 'fast-check'
import { BatchManager } from '../index'
import { IsolatedRunner, prng } from './helpers/exactly-once'
import { openWindow } from './helpers/window'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { IpcMain } = require('../test/standin')

jest.setTimeout(120_000)

const fixedSeed = process.env.EXACTLY_ONCE_SEED === undefined ? undefined : Number(process.env.EXACTLY_ONCE_SEED)
const runner = new IsolatedRunner(60_000)
afterAll(() => runner.close())

test('1,000,000 messages over 8 fake targets arrive exactly once, in per-target order', async () => {
  const seed = fixedSeed ?? (Math.random() * 0x100000000) >>> 0
  const rand = prng(seed ^ 0x5eed)
  const options = {
    maxBatchSize: 1 + Math.floor(rand() * 200),
    maxWaitMs: Math.floor(rand() * 4),
    maxFramesInFlight: 2 + Math.floor(rand() * 14),
    adaptive: rand() < 0.5,
    maxFramesPerSecond: rand() < 0.3 ? 500 : 0,
  }
  const outcome = await runner.run({ seed, messages: 1_000_000, targets: 8, options, yieldEvery: 2000 })
  if (outcome.failure !== undefined) throw new Error(`seed ${seed} (EXACTLY_ONCE_SEED=${seed}) options ${JSON.stringify(options)}: ${outcome.failure}`)
  expect(outcome.added).toBeGreaterThan(1_000_000) // some were added from inside send()
  expect(outcome.delivered + outcome.coalesced).toBe(outcome.added)
  expect(outcome.coalesced).toBeGreaterThan(0)
})

test('property: any options and workload deliver exactly once, in order (fast-check)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        seed: fc.integer({ min: 0, max: 0xffffffff }),
        messages: fc.integer({ min: 1, max: 3000 }),
        targets: fc.integer({ min: 1, max: 8 }),
        yieldEvery: fc.integer({ min: 1, max: 500 }),
        options: fc.record({
          maxBatchSize: fc.integer({ min: 1, max: 100 }),
          maxWaitMs: fc.integer({ min: 0, max: 3 }),
          maxFramesInFlight: fc.oneof(fc.constant(0), fc.integer({ min: 2, max: 8 })),
          adaptive: fc.boolean(),
          idleMs: fc.integer({ min: 0, max: 3 }),
          maxFramesPerSecond: fc.oneof(fc.constant(0), fc.integer({ min: 100, max: 1000 })),
          holdUntilReady: fc.boolean(),
          maxBatchBytes: fc.oneof(fc.constant(Infinity), fc.integer({ min: 20, max: 2000 })),
          dedupe: fc.boolean(), // payloads are distinct: nothing may be taken for a duplicate
        }),
      }),
      async (s) => {
        const outcome = await runner.run(s)
        if (outcome.failure !== undefined) throw new Error(`seed ${s.seed}: ${outcome.failure}`)
      },
    ),
    { numRuns: 60, seed: fixedSeed },
  )
})

test('through the stand-in renderer (structured clone, real acks): 20,000 messages over 4 windows', async () => {
  const seed = fixedSeed ?? (Math.random() * 0x100000000) >>> 0
  const rand = prng(seed)
  const ipcMain = new IpcMain()
  const batcher = new BatchManager({ maxBatchSize: 64, maxWaitMs: 2, maxFramesInFlight: 4, maxQueueSize: 1_000_000, holdUntilReady: true })
  batcher.attach(ipcMain) // before the windows start: each client's announcement turns flow control on
  const windows = await Promise.all([0, 1, 2, 3].map((i) => openWindow(['m'], i % 2 === 0 ? 'process' : 'worker', { ipcMain })))
  try {
    const sent: Array<Array<string | undefined>> = windows.map(() => [])
    const ready = windows.map(() => true)
    for (let step = 0; step < 20_000; step++) {
      const i = Math.floor(rand() * windows.length)
      const r = rand()
      if (r < 0.002) {
        if (ready[i]) batcher.markNotReady(windows[i].wc)
        else batcher.markReady(windows[i].wc)
        ready[i] = !ready[i]
      } else if (r < 0.004) batcher.flush(windows[i].wc)
      const key = rand() < 0.2 ? `k${Math.floor(rand() * 8)}` : undefined
      const priority = (['low', 'normal', 'critical'] as const)[Math.floor(rand() * 3)]
      batcher.addMessage('m', { n: sent[i].length, nested: new Map([[1, 'x']]) }, windows[i].wc, { priority, coalesceKey: key })
      sent[i].push(key)
      if (step % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 1))
    }
    for (let i = 0; i < windows.length; i++) if (!ready[i]) batcher.markReady(windows[i].wc)
    const coalesced = () => batcher.getMetrics().coalesced
    await batcher.close()
    let total = 0
    for (let i = 0; i < windows.length; i++) {
      const deadline = Date.now() + 20_000
      let rec = await windows[i].received()
      // close() sent everything; wait until the renderer dispatched it all.
      while (rec.stats.frames < windows[i].sends.filter(([c]) => c === 'ipcflow:frame').length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        rec = await windows[i].received()
      }
      const ns = rec.messages.map((m) => m.payload.n)
      for (let k = 1; k < ns.length; k++) {
        if (!(ns[k] > ns[k - 1])) throw new Error(`seed ${seed}: window ${i}: ${ns[k]} after ${ns[k - 1]}`)
      }
      expect(rec.messages.every((m) => Object.prototype.toString.call(m.payload.nested) === '[object Map]')).toBe(true)
      expect(rec.gaps).toEqual([])
      // Missing only what a later same-key message replaced.
      const arrived = new Set(ns)
      const later = new Set<string>()
      for (let n = sent[i].length - 1; n >= 0; n--) {
        const key = sent[i][n]
        if (!arrived.has(n) && (key === undefined || !later.has(key))) throw new Error(`seed ${seed}: window ${i}: message ${n} lost`)
        if (key !== undefined) later.add(key)
      }
      total += ns.length
    }
    expect(total + coalesced()).toBe(20_000)
    expect(batcher.getMetrics()).toMatchObject({ drops: { total: 0 } })
    expect(batcher.getMetrics().pauses).toBeGreaterThan(0) // flow control was in play
  } finally {
    await batcher.close()
    await Promise.all(windows.map((w) => w.close()))
  }
})
