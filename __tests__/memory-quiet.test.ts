// What MemoryManager's sampler thread asks of the JS thread: nothing for a
// sample (it pushes RSS samples itself) unless JS must see each one (a
// monitor's gauges, pressure on the heap); a pressure change, and sweeps while
// tasks exist.
import { MemoryManager, PerformanceMonitor, type PressureLevel } from '../index'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const managers: MemoryManager[] = []
function manager(options: ConstructorParameters<typeof MemoryManager>[0] = {}, deps?: ConstructorParameters<typeof MemoryManager>[1]) {
  const m = new MemoryManager({ osPressure: false, ...options }, deps)
  managers.push(m)
  return m
}
afterEach(() => managers.splice(0).forEach((m) => m.close()))

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

test('sweeps reach the JS thread only while tasks exist', async () => {
  const m = manager({ sampleIntervalMs: 60_000, inactiveTaskMs: 40 }) // a sweep every 10 ms
  const ticks = ticksOf(m)
  await sleep(60)
  expect(ticks).not.toHaveBeenCalled()
  const cleaned: string[] = []
  m.trackTask('t', { onCleanup: () => void cleaned.push('t') })
  await sleep(150)
  expect(cleaned).toEqual(['t']) // idle for 40 ms: swept
  const after = ticks.mock.calls.length
  expect(after).toBeGreaterThanOrEqual(1)
  await sleep(100)
  expect(ticks.mock.calls.length).toBe(after) // no tasks left: the sweeps stopped reaching JS
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
