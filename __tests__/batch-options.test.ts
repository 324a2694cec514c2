// BatchManager options: one table (lib/batch/options.js) reads, checks and
// defaults them; the native clock only sees the waits it schedules.
import { BatchManager } from '../index'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { readOptions } = require('../lib/batch/options')

test('defaults', () => {
  expect(readOptions(undefined)).toEqual({
    maxBatchSize: 50,
    maxWaitMs: 16,
    lowPriorityWaitMs: 64,
    maxBatchBytes: 0,
    maxQueueSize: 10_000,
    overflow: 'drop-oldest',
    waitSampleEvery: 8,
    maxFramesInFlight: 16,
    adaptive: true,
    idleMs: 16,
    maxFramesPerSecond: 0,
    enabled: true,
    holdUntilReady: false,
    dedupe: false,
    onError: undefined,
  })
  expect(Object.isFrozen(readOptions({}))).toBe(true)
})

test('defaults that follow other options', () => {
  expect(readOptions({ maxWaitMs: 20_000 }).lowPriorityWaitMs).toBe(60_000) // 4x, capped at the wait limit
  expect(readOptions({ maxBatchSize: 20_000 }).maxQueueSize).toBe(20_000) // a queue holds at least one batch
  expect(readOptions({ maxBatchBytes: Infinity }).maxBatchBytes).toBe(0) // Infinity turns byte counting off
  expect(readOptions({ maxBatchBytes: 1000.7 }).maxBatchBytes).toBe(1000)
  expect(readOptions({ maxWaitMs: 40 }).idleMs).toBe(40) // idle means quiet for a whole batch window
})

test('maxFramesInFlight is off at 0 and at least 2 otherwise', () => {
  expect(readOptions({ maxFramesInFlight: 0 }).maxFramesInFlight).toBe(0)
  expect(readOptions({ maxFramesInFlight: 4 }).maxFramesInFlight).toBe(4)
  for (const bad of [1, NaN, 2.5, -1]) {
    expect(() => readOptions({ maxFramesInFlight: bad })).toThrow(expect.objectContaining({ details: expect.objectContaining({ argument: 'options.maxFramesInFlight' }) }))
  }
})

test.each([
  [{ maxWaitMs: NaN }, 'options.maxWaitMs', /from 0 to 60000 \(got NaN\)/],
  [{ maxWaitMs: 60_001 }, 'options.maxWaitMs', /from 0 to 60000/],
  [{ maxBatchSize: -1 }, 'options.maxBatchSize', /integer from 1/],
  [{ maxBatchBytes: 0 }, 'options.maxBatchBytes', /bytes >= 1, or Infinity/],
  [{ maxBatchSize: 100, maxQueueSize: 10 }, 'options.maxQueueSize', /integer from 100/],
  [{ maxWaitMs: 20, lowPriorityWaitMs: 5 }, 'options.lowPriorityWaitMs', /from 20 to 60000/],
  [{ overflow: 'explode' }, 'options.overflow', /'drop-oldest' or 'drop-newest'/],
  [{ dedupe: 1 }, 'options.dedupe', /a boolean/],
  [{ maxWaitMS: 5 }, 'options.maxWaitMS', /one of the known options/],
  [{ adaptive: 'yes' }, 'options.adaptive', /a boolean/],
  [{ idleMs: -1 }, 'options.idleMs', /from 0 to 60000/],
  [{ maxFramesPerSecond: 5000 }, 'options.maxFramesPerSecond', /\(0, 1000\], or 0/],
])('%j names %s', (options, argument, message) => {
  let error: any
  try {
    new BatchManager(options as any)
  } catch (e) {
    error = e
  }
  expect(error).toMatchObject({ name: 'InvalidArgumentError', code: 'E_INVALID_ARGUMENT', details: { argument } })
  expect(error.message).toMatch(message)
})
