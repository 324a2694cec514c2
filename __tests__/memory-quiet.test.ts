// What MemoryManager's sampler thread asks of the JS thread: nothing for a
// sample (it pushes RSS samples itself) unless JS must see each one (a
// monitor's gauges, pressure on the heap); a pressure change, and a sweep once
// a task can have gone idle.
import { MemoryManager, PerformanceMonitor, type PressureLevel } from '../index'
import { closedAfterEach } from './helpers/memory'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const manager = closedAfterEach()

// The native callback looks `_tick` up on the manager at each call.
const ticksOf = (m: MemoryManager) => jest.spyOn(m as any, '_tick')

test('samples without tasks or a monitor never wake the JS thread; stats still move, heap figures read when asked', async () => {
  const m = manager({ sampleIntervalMs: 10, windowSamples: 50 })
  const ticks = ticksOf(m)
  await sleep(200)
  expect(ticks).not.toHaveBeenCalled()
  const s = m.getStats()
  expect(s.samples).toBeGreaterThanOrEqual(8)
  expect(s.rssBytes).toBeGreaterThan(1e6)
  expect(s.heapUsedBytes).toBeGreaterThan(1e5)
  expect(s.externalBytes).toBeGreaterThan(0)
  expect(s.sampledAt).toBeGreaterThan(Date.now() - 1000)
  expect(s.cpu.peakPercent).toBeGreaterThanOrEqual(0)
})

test('heap figures come from the newest sample when it read them (sample() hook), else are read when asked', async () => {
  const m = manager({ sampleIntervalMs: 60_000 }) // one sample, by the sampler thread, at start
  await sleep(30)
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
  await sleep(150)
  expect(levels).toEqual(['warning'])
  expect(shrunk).toEqual(['warning'])
  expect(m.getStats().pressure).toBe('warning')
  expect(ticks).toHaveBeenCalledTimes(1) // the change, not every sample
})

test('sweeps reach the JS thread only once a task can be idle: a touched task costs one per inactiveTaskMs', async () => {
  const m = manager({ sampleIntervalMs: 60_000, inactiveTaskMs: 100 }) // a sweep tick every 25 ms
  const ticks = ticksOf(m)
  await sleep(60)
  expect(ticks).not.toHaveBeenCalled() // no tasks
  const cleaned: string[] = []
  m.trackTask('t', { onCleanup: () => void cleaned.push('t') })
  for (let i = 0; i < 10; i++) {
    await sleep(30)
    m.touch('t')
  }
  // 300 ms of a task in use: a sweep when it could first be idle, then one per 100 ms at most
  // (every sweep tick, 12 here, before).
  expect(ticks.mock.calls.length).toBeLessThanOrEqual(4)
  expect(cleaned).toEqual([])
  await sleep(250) // unused for 100 ms: swept
  expect(cleaned).toEqual(['t'])
  const after = ticks.mock.calls.length
  await sleep(100)
  expect(ticks.mock.calls.length).toBe(after) // no tasks left: no sweeps reach JS
})

test('with a monitor, or pressure on the heap, every sample reaches the JS thread', async () => {
  const monitor = new PerformanceMonitor({ watchdog: false })
  const withMonitor = manager({ sampleIntervalMs: 10 }, { monitor })
  const onHeap = manager({ sampleIntervalMs: 10, pressureOn: 'heap' })
  const [a, b] = [ticksOf(withMonitor), ticksOf(onHeap)]
  await sleep(150)
  expect(a.mock.calls.length).toBeGreaterThanOrEqual(5)
  expect(b.mock.calls.length).toBeGreaterThanOrEqual(5)
  expect(monitor.getMetrics().gauges['ipcflow.memory.rss_bytes']).toBeGreaterThan(1e6)
  expect(onHeap.getStats().heapUsedBytes).toBeGreaterThan(1e5)
  monitor.close()
})
