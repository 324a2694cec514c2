// MemoryManager tasks and pressure, driven by injected samples; idleness on
// fake time (helpers/clock.ts, the manager's clock seam) where a case depends
// on how long a task went untouched, and the native sweep and sampler in real
// time, awaited rather than given a fixed time.
import { MemoryManager, PerformanceMonitor, type PressureLevel } from '../index'
import { closedAfterEach } from './helpers/memory'
import { advance, clock, fakeTime } from './helpers/clock'
import { until } from './helpers/wait'

const manager = closedAfterEach()
afterEach(() => {
  jest.clearAllTimers()
  jest.useRealTimers()
})

test('track, touch, get, release runs onCleanup once; duplicates are E_DUPLICATE_TASK', () => {
  const m = manager({ sample: false })
  const cleaned: unknown[] = []
  m.trackTask('a', { onCleanup: (info) => void cleaned.push(info), meta: { window: 1 } })
  m.trackTask(2)
  expect(() => m.trackTask('a')).toThrow(expect.objectContaining({ code: 'E_DUPLICATE_TASK' }))
  expect(m.getTask('a')).toMatchObject({ id: 'a', meta: { window: 1 }, idleMs: expect.any(Number) })
  expect(m.tasks().map((t) => t.id)).toEqual(['a', 2])
  expect(m.touch('a')).toBe(true)
  expect(m.touch('nope')).toBe(false)
  expect(m.release('a')).toBe(true)
  expect(m.release('a')).toBe(false)
  expect(cleaned).toEqual([{ id: 'a', meta: { window: 1 }, reason: 'released' }])
  expect(m.getStats().tasks).toEqual({ active: 1, cleaned: 1, cleanupErrors: 0 })
  expect(() => m.trackTask('x', { onCleanup: 5 as any })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
})

test('idle tasks are cleaned by the idle sweep; throwing and rejecting cleanups are contained and counted', async () => {
  fakeTime()
  const m = manager({ inactiveTaskMs: 80, sample: false }, { clock } as any)
  const cleaned: string[] = []
  m.trackTask('throws', { onCleanup: () => { throw new Error('cleanup bug') } })
  m.trackTask('rejects', { onCleanup: async () => { throw new Error('async cleanup bug') } })
  m.trackTask('ok', { onCleanup: ({ id, reason }) => void cleaned.push(`${id}:${reason}`) })
  m.trackTask('busy', { onCleanup: () => void cleaned.push('busy') })
  const keepAlive = setInterval(() => m.touch('busy'), 10)
  await advance(79)
  expect(cleaned).toEqual([]) // not idle for 80 ms yet
  await advance(221)
  clearInterval(keepAlive)
  expect(cleaned).toEqual(['ok:idle'])
  expect(m.tasks().map((t) => t.id)).toEqual(['busy'])
  expect(m.getStats().tasks).toEqual({ active: 1, cleaned: 3, cleanupErrors: 2 })
})

test('the native sweep cleans an idle task, never before inactiveTaskMs (real time)', async () => {
  const m = manager({ inactiveTaskMs: 40, sample: false })
  const tracked = performance.now()
  let cleanedAt: number | undefined
  m.trackTask('ok', { onCleanup: ({ reason }) => void (cleanedAt = reason === 'idle' ? performance.now() : NaN) })
  await until(() => cleanedAt !== undefined)
  expect(cleanedAt! - tracked).toBeGreaterThanOrEqual(40)
  expect(m.getStats().tasks).toEqual({ active: 0, cleaned: 1, cleanupErrors: 0 })
})

test('pressure levels with hysteresis from injected samples; critical cleans idle tasks and asks shrinkers', async () => {
  const monitor = new PerformanceMonitor({ watchdog: false })
  const MB = 1024 * 1024
  fakeTime()
  const m = manager({ sample: false, warningBytes: 100 * MB, criticalBytes: 200 * MB, idleTaskMs: 10 }, { monitor, clock } as any)
  const events: Array<[PressureLevel, string]> = []
  m.on('pressure', (level, stats) => events.push([level, stats.pressure]))
  const shrinks: PressureLevel[] = []
  const unsubscribe = m.onPressure((level) => void shrinks.push(level))
  const cleaned: string[] = []
  m.trackTask('idle', { onCleanup: ({ reason }) => void cleaned.push(reason) })
  await advance(20)
  for (const mb of [50, 100, 95, 91, 89, 150, 200, 185, 179, 85]) m.sample({ rssBytes: mb * MB })
  expect(events.map((e) => e[0])).toEqual(['warning', 'normal', 'warning', 'critical', 'warning', 'normal'])
  expect(events.every(([level, stats]) => level === stats)).toBe(true)
  expect(shrinks).toEqual(events.map((e) => e[0]))
  expect(cleaned).toEqual(['pressure'])
  expect(m.getStats().pressure).toBe('normal')
  expect(monitor.getMetrics().gauges['ipcflow.memory.pressure']).toBe(0)
  expect(monitor.getMetrics().gauges['ipcflow.memory.rss_bytes']).toBe(85 * MB)
  unsubscribe()
  m.sample({ rssBytes: 300 * MB })
  expect(shrinks).toHaveLength(6)
  monitor.close()
})

test('a throwing pressure listener or shrinker is contained', () => {
  const m = manager({ sample: false, warningBytes: 10, criticalBytes: 20 })
  m.on('pressure', () => { throw new Error('listener bug') })
  m.onPressure(() => { throw new Error('shrinker bug') })
  expect(() => m.sample({ rssBytes: 30 })).not.toThrow()
  expect(m.listenerErrors).toBe(1)
  expect(m.getStats().pressure).toBe('critical')
})

test('pressureOn heap watches heapUsed; defaults come from heap_size_limit', () => {
  const m = manager({ sample: false, pressureOn: 'heap', warningBytes: 1000, criticalBytes: 2000 })
  m.sample({ rssBytes: 10, heapUsedBytes: 1500 })
  expect(m.getStats().pressure).toBe('warning')
  const d = manager({ sample: false, pressureOn: 'heap' })
  expect(d.sample({ heapUsedBytes: 1 }).pressure).toBe('normal')
})

test('native sampling fills stats every sampleIntervalMs (10 ms works), with CPU; forceCleanup; close', async () => {
  const before = Date.now()
  const m = manager({ sampleIntervalMs: 10, windowSamples: 10 })
  m.trackTask('t')
  // The sampler thread's pace is the machine's: wait for the window to fill, then for two samples more.
  await until(() => m.getStats().samples >= 10)
  for (let more = 0; more < 2; more++) {
    const at = m.getStats().sampledAt
    await until(() => m.getStats().sampledAt !== at)
  }
  const s = m.getStats()
  expect(s.samples).toBe(10) // the window holds windowSamples
  expect(s.rssBytes).toBeGreaterThan(1e6)
  expect(s.heapUsedBytes).toBeGreaterThan(1e5)
  expect(s.sampledAt).toBeGreaterThanOrEqual(before - 1) // wall-clock ms of a sample taken since
  expect(s.sampledAt).toBeLessThanOrEqual(Date.now() + 1)
  expect(s.cpu.avgPercent).toBeGreaterThanOrEqual(0)
  expect(s.cpu.peakPercent).toBeGreaterThanOrEqual(s.cpu.avgPercent)
  expect(['unknown', 'growing', 'stable', 'shrinking']).toContain(s.trend)
  expect(m.forceCleanup()).toEqual({ cleaned: [], active: 1 }) // idleTaskMs defaults to 5 s
  m.close()
  const at = m.getStats().sampledAt
  await new Promise((resolve) => setTimeout(resolve, 60)) // 6 intervals: no sample since close
  expect(m.getStats().sampledAt).toBe(at)
  expect(() => m.trackTask('late')).toThrow(expect.objectContaining({ code: 'E_CLOSED' }))
})

test('options are checked', () => {
  const invalid = expect.objectContaining({ code: 'E_INVALID_ARGUMENT' })
  expect(() => new MemoryManager({ sampleIntervalMs: 9 })).toThrow(invalid)
  expect(() => new MemoryManager({ inactiveTaskMs: 0 })).toThrow(invalid)
  expect(() => new MemoryManager({ pressureOn: 'disk' as any })).toThrow(invalid)
  expect(() => new MemoryManager({ warningBytes: 10, criticalBytes: 5 })).toThrow(invalid)
  expect(() => new MemoryManager({}, { monitor: {} as any })).toThrow(invalid)
})
