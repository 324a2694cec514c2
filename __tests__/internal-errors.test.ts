// Our own bugs have one code: a native panic or broken invariant reaches JS as
// E_INTERNAL with a message saying it is a bug in ipcflow, and the process lives.
// Nothing here waits a fixed time for the native timer: cases await the frame it
// sends, check it came no sooner than its deadline, or run on a ManualClock.
import { ManualClock } from './helpers/clock'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const binding = require('../binding.js')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TIMER_EARLY_MS } = require('../lib/timers/clock')

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** Real time: polls `check()` until it holds, failing only after `limitMs` (far beyond any wait the test expects). */
async function until(check: () => boolean, limitMs = 30_000) {
  const end = performance.now() + limitMs
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met')
    await sleep(2)
  }
}

test('a native panic throws E_INTERNAL naming ipcflow, and the addon keeps working', () => {
  let error: any
  try {
    binding.__panicForTests()
  } catch (e) {
    error = e
  }
  expect(error).toMatchObject({ code: 'E_INTERNAL' })
  expect(error.message).toMatch(/^ipcflow: __panicForTests failed \(panicked: deliberate panic \(test hook\)\); this is a bug in ipcflow/)
  expect(() => binding.__panicForTests()).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }))
  expect(typeof new binding.BindingBatchClock(() => {}, 16).handle).toBe('number')
})

test('a malformed frame record is refused as E_INTERNAL, and the records before it count', () => {
  const clock = new binding.BindingBatchClock(() => {}, 16)
  const { Time } = binding.BindingFlushReason
  // [reason, count, bytes, ageMs, n, wait x n] per frame; 99 is no reason.
  const records = new Float64Array([Time, 3, 0, 2.5, 1, 1.5, 99, 1, 0, 0, 0])
  expect(() => binding.batchRecordFrames(clock.handle, records, records.length)).toThrow(
    expect.objectContaining({ code: 'E_INTERNAL', message: expect.stringMatching(/malformed frame record at 6/) }),
  )
  expect(() => binding.batchRecordFrames(clock.handle, records, records.length + 1)).toThrow(/12 values claimed, 11 given/)
  const m = clock.metrics()
  expect(m.flushReasons).toEqual({ size: 0, bytes: 0, time: 1, priority: 0, manual: 0, close: 0, ready: 0, idle: 0 })
  expect(m).toMatchObject({ framesOut: 1, messagesOut: 3, batchAgeMs: { count: 1 }, queueWaitMs: { count: 1 } })
  clock.close()
})

test('a native failure inside the registry pipeline answers E_INTERNAL, not E_VALIDATION', async () => {
  let HandlerRegistry: any
  jest.isolateModules(() => {
    jest.doMock('../binding.js', () => ({ ...binding, checkLimits: () => binding.__panicForTests() }))
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    HandlerRegistry = require('../index').HandlerRegistry
  })
  jest.dontMock('../binding.js') // later tests get the real binding
  const registry = new HandlerRegistry()
  const handler = jest.fn()
  registry.register('a', handler, { maxBytes: 1000 })
  const reply = await registry.invoke('a', [{ x: 1 }])
  expect(reply).toMatchObject({ success: false, error: { code: 'E_INTERNAL' } })
  expect(reply.error.message).toMatch(/bug in ipcflow/)
  expect(handler).not.toHaveBeenCalled()
  await registry.close()
})

// Panics in a worker thread: the worker catches E_INTERNAL and keeps using the
// addon; a panic it leaves uncaught ends only that worker. The main thread's
// own objects keep working throughout.
const PANIC_WORKER = `
  const { parentPort, workerData } = require('worker_threads')
  const binding = require(workerData.root + '/binding.js')
  const { BatchManager } = require(workerData.root)
  const codes = []
  for (let i = 0; i < 50; i++) {
    try { binding.__panicForTests() } catch (e) { codes.push(e.code) }
  }
  const got = []
  const batcher = new BatchManager({ adaptive: false, maxWaitMs: 1 })
  batcher.addMessage('a', 1, { id: 1, send: (c, f) => got.push(...f.payloads) })
  // Once the native timer has sent the frame (however long a loaded machine takes), and 30 ms more.
  const started = Date.now()
  const report = () => {
    if (got.length === 0 && Date.now() - started < 30000) return void setTimeout(report, 2)
    setTimeout(() => {
      parentPort.postMessage({ codes: [...new Set(codes)], count: codes.length, got })
      batcher.close()
      if (workerData.uncaught) binding.__panicForTests() // thrown out of the worker's top level
    }, 30)
  }
  report()
`

function runPanicWorker(uncaught: boolean): Promise<{ report: any; error: any; exitCode: number }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Worker } = require('worker_threads')
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const root = require('path').join(__dirname, '..')
  const worker = new Worker(PANIC_WORKER, { eval: true, workerData: { root, uncaught } })
  let report: any
  let error: any
  worker.on('message', (m: any) => (report = m))
  worker.on('error', (e: any) => (error = e))
  return new Promise((resolve) => worker.on('exit', (exitCode: number) => resolve({ report, error, exitCode })))
}

test('panics in worker threads become E_INTERNAL there, and the process and other ipcflow objects keep working', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { BatchManager, HandlerRegistry } = require('../index')
  const got: number[] = []
  const batcher = new BatchManager({ adaptive: false, maxWaitMs: 1 })
  const target = { id: 77, send: (_c: string, f: any) => got.push(...f.payloads) }
  const registry = new HandlerRegistry()
  registry.register('double', (x: number) => x * 2, { maxBytes: 1000 })

  const runs = await Promise.all([runPanicWorker(false), runPanicWorker(false), runPanicWorker(true), runPanicWorker(true)])
  for (const { report } of runs) expect(report).toEqual({ codes: ['E_INTERNAL'], count: 50, got: [1] })
  expect(runs[0].exitCode).toBe(0)
  // The uncaught one ends its worker with the E_INTERNAL error, nothing more.
  expect(runs[2].error).toMatchObject({ code: 'E_INTERNAL' })
  expect(runs[2].exitCode).toBe(1)

  // Main thread: the batcher's native timer, the registry's native limits and the panic hook still work.
  batcher.addMessage('a', 5, target)
  await until(() => got.length > 0)
  await sleep(30)
  expect(got).toEqual([5])
  expect(await registry.invoke('double', [21])).toMatchObject({ success: true, data: 42 })
  expect(() => binding.__panicForTests()).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }))
  await batcher.close()
  await registry.close()
})

test('a native arm that fails at the end of a turn reports E_INTERNAL to onError and sends the batch instead', async () => {
  let BatchManager: any
  jest.isolateModules(() => {
    jest.doMock('../binding.js', () => ({ ...binding, batchWake: () => binding.__panicForTests() }))
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    BatchManager = require('../index').BatchManager
  })
  jest.dontMock('../binding.js')
  const sent: unknown[] = []
  const errors: any[] = []
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  try {
    const batcher = new BatchManager({ adaptive: false, maxWaitMs: 1000, onError: (e: unknown) => errors.push(e) })
    const target = { id: 1, send: (_c: string, frame: any) => sent.push(frame.payloads), isDestroyed: () => false }
    batcher.addMessage('a', 1, target)
    batcher.addMessage('a', 2, target)
    await Promise.resolve() // the turn's end: the arm fails, so the batch leaves then (not 1 s later)
    expect(sent).toEqual([[1, 2]])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'E_INTERNAL' })
    expect(unhandled).toEqual([])
    await batcher.close()
  } finally {
    process.off('unhandledRejection', onUnhandled)
  }
})

// A BatchManager on fresh modules: `wake` replaces the binding's batchWake, `onArm(clock)` runs before each
// arm of its clock (the native one, or with `clock` given, the ClockBatchClock on it).
function isolatedBatcher(options: object, hooks: { wake?: (...args: any[]) => unknown; onArm?: (clock: any) => void }, clock?: ManualClock) {
  let BatchManager: any
  jest.isolateModules(() => {
    if (hooks.wake !== undefined) jest.doMock('../binding.js', () => ({ ...binding, batchWake: hooks.wake }))
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { NativeClock } = require('../lib/timers/clock')
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ClockBatchClock } = require('../lib/batch/clock')
    const { onArm } = hooks
    if (onArm !== undefined) {
      const Clock = clock === undefined ? NativeClock : ClockBatchClock
      const arm = Clock.prototype.arm
      Clock.prototype.arm = function (this: unknown, ...args: unknown[]) {
        onArm(this)
        return arm.apply(this, args)
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    BatchManager = require('../index').BatchManager
  })
  jest.dontMock('../binding.js')
  return new BatchManager(options, clock === undefined ? undefined : { clock })
}

test('a target whose batches outlive their turn arms the next one inside addMessage; a burst\'s batch arms when its turn ends', async () => {
  // On a clock of its own: a burst preempted for a millisecond (OUTLIVED_MS) would look like a paced source.
  const clock = new ManualClock()
  let adding = false
  const arms: boolean[] = [] // per arm: whether it ran inside addMessage
  const batcher = isolatedBatcher({ adaptive: false, maxWaitMs: 200, maxBatchSize: 3 }, { onArm: () => arms.push(adding) }, clock)
  const sent: unknown[][] = []
  const target = { id: 1, send: (_c: string, frame: any) => sent.push(frame.payloads), isDestroyed: () => false }
  const add = (value: number) => {
    adding = true
    try {
      batcher.addMessage('a', value, target)
    } finally {
      adding = false
    }
  }
  // A burst: three messages fill a frame in one turn, and the fourth's batch arms at the turn's end.
  for (let i = 1; i <= 4; i++) add(i)
  expect(sent).toEqual([[1, 2, 3]])
  expect(arms).toEqual([])
  await Promise.resolve()
  expect(arms).toEqual([false])
  // Paced: that batch fills turns later (it outlived its turn), so the next one arms at once.
  await clock.advance(5)
  add(5)
  add(6)
  expect(sent).toEqual([[1, 2, 3], [4, 5, 6]])
  add(7)
  expect(arms).toEqual([false, true])
  await clock.advance(199)
  expect(sent).toEqual([[1, 2, 3], [4, 5, 6]])
  await clock.advance(1)
  expect(sent).toEqual([[1, 2, 3], [4, 5, 6], [7]])
  expect(batcher.getMetrics()).toMatchObject({ timerWakes: 1, flushReasons: expect.objectContaining({ size: 2, time: 1 }) })
  await batcher.close()
})

test('a native wake that fails inside addMessage reports E_INTERNAL and the arm is tried again when the turn ends', async () => {
  let failNext = false
  let wakes = 0
  let asleep = false
  const errors: any[] = []
  // A 1 s wait: the 5 ms pause below cannot outlast the first batch's deadline, however slow the machine.
  const batcher = isolatedBatcher(
    { adaptive: false, maxWaitMs: 1000, maxBatchSize: 2, onError: (e: unknown) => errors.push(e) },
    {
      wake: (...args: any[]) => {
        wakes++
        if (failNext) {
          failNext = false
          return binding.__panicForTests()
        }
        return binding.batchWake(...args)
      },
      // The timer task sleeping until woken (after its linger), as the header says to arm(): then an
      // arm must call wake. Said here rather than waited for, so no wait has to outlast the linger.
      onArm: (clock) => {
        if (asleep) Atomics.store(clock.header, 1, 1)
      },
    },
  )
  const sent: Array<[unknown[], number]> = []
  const target = { id: 1, send: (_c: string, frame: any) => sent.push([frame.payloads, performance.now()]), isDestroyed: () => false }
  batcher.addMessage('a', 1, target)
  await sleep(5)
  batcher.addMessage('a', 2, target) // a frame of a batch that outlived its turn
  expect(sent.map(([p]) => p)).toEqual([[1, 2]])
  const wakesBefore = wakes
  failNext = true
  asleep = true
  const added = performance.now()
  batcher.addMessage('a', 3, target) // arms at once, and the wake fails
  asleep = false
  expect(wakes).toBe(wakesBefore + 1)
  expect(errors).toEqual([expect.objectContaining({ code: 'E_INTERNAL' })])
  await until(() => sent.length === 2)
  expect(sent.map(([p]) => p)).toEqual([[1, 2], [3]])
  // Armed again at the turn's end, so sent by the timer at its deadline, not at once.
  expect(sent[1][1] - added).toBeGreaterThanOrEqual(1000 - TIMER_EARLY_MS - 0.05)
  expect(errors).toHaveLength(1)
  expect(batcher.getMetrics()).toMatchObject({ timerWakes: 1, flushReasons: expect.objectContaining({ size: 1, time: 1 }) })
  await batcher.close()
})
