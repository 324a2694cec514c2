// What MemoryManager's sampler thread asks of the JS thread: nothing for a
// sample (it pushes RSS samples itself) unless JS must see each one (a
// monitor's gauges, pressure on the heap); a pressure change, and a sweep once
// a task can have gone idle.
//
// The sampler thread keeps the machine's time, so these cases wait for what
// they expect (a count of samples, an event) rather than a fixed time; where
// "nothing reaches JS" is the point, they wait a while and look. Which sweeps
// the JS side asks for is checked on fake time (helpers/clock.ts).
import { MemoryManager, PerformanceMonitor, type PressureLevel } from '../index'
import { closedAfterEach } from './helpers/memory'
import { advance, clock, fakeTime } from './helpers/clock'
import { sleep, until } from './helpers/wait'

const manager = closedAfterEach()
afterEach(() => {
  jest.clearAllTimers()
  jest.useRealTimers()
})

// The native callback looks `_tick` up on the manager at each call.
const ticksOf = (m: MemoryManager) => jest.spyOn(m as any, '_tick')

test('samples without tasks or a monitor never wake the JS thread; stats still move, heap figures read when asked', async () => {
  const before = Date.now()
  const m = manager({ sampleIntervalMs: 10, windowSamples: 50 })
  const ticks = ticksOf(m)
  await until(() => m.getStats().samples >= 8)
  expect(ticks).not.toHaveBeenCalled()
  const s = m.getStats()
  expect(s.samples).toBeGreaterThanOrEqual(8)
  expect(s.rssBytes).toBeGreaterThan(1e6)
  expect(s.heapUsedBytes).toBeGreaterThan(1e5)
  expect(s.externalBytes).toBeGreaterThan(0)
  expect(s.sampledAt).toBeGreaterThanOrEqual(before - 1) // wall-clock ms of a sample taken since
  expect(s.cpu.peakPercent).toBeGreaterThanOrEqual(0)
})

test('heap figures come from the newest sample when it read them (sample() hook), else are read when asked', async () => {
  const m = manager({ sampleIntervalMs: 60_000 }) // one sample, by the sampler thread, at start
  await until(() => m.getStats().samples >= 1)
  expect(m.getStats().samples).toBe(1)
  expect(m.getStats().heapUsedBytes).toBeGreaterThan(1e5) // read now: that sample carried none
  expect(m.sample({ heapUsedBytes: 12_345, externalBytes: 6, arrayBuffersBytes: 7 })).toMatchObject({
    heapUsedBytes: 12_345,
    externalBytes: 6,
    arrayBuffersBytes: 7,
    samples: 2,
  })
})

test('a pressure change the sampler thread finds reaches listeners and shrinkers on the JS thread', async () => {
  const m = manager({ sampleIntervalMs: 10, warningBytes: 1 }) // any RSS is over 1 byte
  const ticks = ticksOf(m)
  const levels: PressureLevel[] = []
  const shrunk: PressureLevel[] = []
  m.on('pressure', (level) => levels.push(level))
  m.onPressure((level) => void shrunk.push(level))
  await until(() => levels.length > 0)
  const seen = m.getStats().samples
  await until(() => m.getStats().samples >= seen + 5) // samples go on at that level
  expect(levels).toEqual(['warning'])
  expect(shrunk).toEqual(['warning'])
  expect(m.getStats().pressure).toBe('warning')
  expect(ticks).toHaveBeenCalledTimes(1) // the change, not every sample
})

test('sweeps are asked for only once a task can be idle: a touched task costs one per inactiveTaskMs', async () => {
  // Which sweeps the JS side asks for, on fake time (the clock seam takes the native sweep's place).
  fakeTime()
  const m = manager({ sampleIntervalMs: 60_000, inactiveTaskMs: 100 }, { clock } as any) // native sweep ticks would come every 25 ms
  const ticks = ticksOf(m)
  await advance(60)
  expect(ticks).not.toHaveBeenCalled() // no tasks
  const cleaned: string[] = []
  m.trackTask('t', { onCleanup: () => void cleaned.push('t') })
  for (let i = 0; i < 10; i++) {
    await advance(30)
    m.touch('t')
  }
  // 300 ms of a task in use: a sweep when it could first be idle, then one per 100 ms at most
  // (every sweep tick, 12 here, before).
  expect(ticks.mock.calls.length).toBeLessThanOrEqual(4)
  expect(cleaned).toEqual([])
  await advance(99) // unused for 99 ms: kept
  expect(cleaned).toEqual([])
  await advance(1) // unused for 100 ms: swept
  expect(cleaned).toEqual(['t'])
  const after = ticks.mock.calls.length
  await advance(1000)
  expect(ticks.mock.calls.length).toBe(after) // no tasks left: no sweeps reach JS
})

test('the sampler thread wakes JS for a sweep only once a task can be idle (real time)', async () => {
  const m = manager({ sampleIntervalMs: 60_000, inactiveTaskMs: 100 }) // a sweep tick every 25 ms
  const ticks = ticksOf(m)
  await sleep(60)
  expect(ticks).not.toHaveBeenCalled() // no tasks
  let cleanedAt: number | undefined
  const tracked = performance.now()
  m.trackTask('t', { onCleanup: () => void (cleanedAt = performance.now()) })
  let firstWake: number | undefined
  ticks.mockImplementation(function (this: any, tick: any) {
    firstWake ??= performance.now()
    return (MemoryManager.prototype as any)._tick.call(this, tick)
  })
  await until(() => cleanedAt !== undefined)
  // Not at a sweep tick before: the first wake came when the task could first be idle, and swept it.
  expect(firstWake! - tracked).toBeGreaterThanOrEqual(100)
  expect(cleanedAt! - tracked).toBeGreaterThanOrEqual(100)
  const after = ticks.mock.calls.length
  await sleep(100) // 4 sweep ticks
  expect(ticks.mock.calls.length).toBe(after) // no tasks left: no sweeps reach JS
})

test('with a monitor, or pressure on the heap, every sample reaches the JS thread', async () => {
  const monitor = new PerformanceMonitor({ watchdog: false })
  const withMonitor = manager({ sampleIntervalMs: 10 }, { monitor })
  const onHeap = manager({ sampleIntervalMs: 10, pressureOn: 'heap' })
  const [a, b] = [ticksOf(withMonitor), ticksOf(onHeap)]
  await until(() => a.mock.calls.length >= 5 && b.mock.calls.length >= 5)
  expect(a.mock.calls.length).toBeGreaterThanOrEqual(5)
  expect(b.mock.calls.length).toBeGreaterThanOrEqual(5)
  expect(monitor.getMetrics().gauges['ipcflow.memory.rss_bytes']).toBeGreaterThan(1e6)
  expect(onHeap.getStats().heapUsedBytes).toBeGreaterThan(1e5)
  monitor.close()
})
