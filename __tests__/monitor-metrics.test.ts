// PerformanceMonitor's counters, gauges and histograms: every path, the
// handles, the snapshot, reset, close, and percentiles against a sorted array.
import { PerformanceMonitor } from '../index'

const monitors: PerformanceMonitor[] = []
function monitor(options: ConstructorParameters<typeof PerformanceMonitor>[0] = {}) {
  const m = new PerformanceMonitor({ watchdog: false, ...options })
  monitors.push(m)
  return m
}
afterEach(() => monitors.splice(0).forEach((m) => m.close()))

test('counters, gauges and histograms, with and without labels, keyed by name and label string', () => {
  const m = monitor()
  m.increment('calls')
  m.increment('calls', 4)
  m.increment('calls', 2, { channel: 'save', ok: true })
  m.increment('calls', 1, { ok: true, channel: 'save' }) // same series: labels are sorted
  m.gauge('queue', 7)
  m.gauge('queue', 3)
  m.gauge('queue', -2, { window: 1 })
  m.record('ipcflow.invoke', 5, { channel: 'load' })
  m.record('ipcflow.invoke', 15, { channel: 'load' })
  const metrics = m.getMetrics()
  expect(metrics.counters).toEqual({ calls: 5, 'calls{channel="save",ok="true"}': 3 })
  expect(metrics.gauges).toEqual({ queue: 3, 'queue{window="1"}': -2 })
  const h = metrics.histograms['ipcflow.invoke{channel="load"}']
  expect(h).toMatchObject({ count: 2, sum: 20, min: 5, max: 15, mean: 10 })
  expect(h.p50).toBeCloseTo(5, 1)
  expect(h.p999).toBe(15)
  expect(metrics.stalls).toBeNull()
  expect(metrics.uptimeMs).toBeGreaterThanOrEqual(0)
  expect(JSON.parse(JSON.stringify(metrics))).toEqual(metrics)
})

test('hot-path handles write to the same series as the methods', () => {
  const m = monitor()
  const h = m.histogram('lat', { channel: 'a' })
  const c = m.counter('hits')
  const g = m.gaugeHandle('depth')
  for (let i = 1; i <= 100; i++) h.record(i)
  c.increment()
  c.increment(9)
  m.increment('hits')
  g.set(42)
  m.record('lat', 1000, { channel: 'a' })
  const metrics = m.getMetrics()
  expect(metrics.counters.hits).toBe(11)
  expect(metrics.gauges.depth).toBe(42)
  expect(metrics.histograms['lat{channel="a"}']).toMatchObject({ count: 101, max: 1000, min: 1 })
})

test('percentiles of 100k random values are within 1% of a sorted-array reference', () => {
  const m = monitor()
  const h = m.histogram('random')
  const values: number[] = []
  for (let i = 0; i < 100_000; i++) {
    // Log-uniform from 1 us to 1 h, in ms.
    const v = Math.exp(Math.log(0.001) + Math.random() * (Math.log(3.6e6) - Math.log(0.001)))
    values.push(v)
    h.record(v)
  }
  values.sort((a, b) => a - b)
  const at = (p: number) => values[Math.max(0, Math.ceil((p / 100) * values.length) - 1)]
  const s = m.getMetrics().histograms.random
  for (const [p, got] of [[50, s.p50], [90, s.p90], [95, s.p95], [99, s.p99], [99.9, s.p999]] as const) {
    expect(Math.abs(got - at(p)) / at(p)).toBeLessThanOrEqual(0.01)
  }
  expect(s.min).toBe(values[0])
  expect(s.max).toBe(values[values.length - 1])
  expect(s.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 3)
})

test('bad values: NaN and negatives record as 0; bad arguments throw E_INVALID_ARGUMENT', () => {
  const m = monitor()
  m.record('h', NaN)
  m.record('h', -3)
  expect(m.getMetrics().histograms.h).toMatchObject({ count: 2, max: 0 })
  const invalid = expect.objectContaining({ code: 'E_INVALID_ARGUMENT' })
  expect(() => m.increment('c', -1)).toThrow(invalid)
  expect(() => m.increment('', 1)).toThrow(invalid)
  expect(() => m.record('h', '5' as any)).toThrow(invalid)
  expect(() => m.gauge('g', NaN)).toThrow(invalid)
  expect(() => m.increment('c', 1, { bad: {} as any })).toThrow(invalid)
  m.increment('c')
  expect(() => m.record('c', 1)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', message: expect.stringContaining('already a counter') }))
  expect(() => new PerformanceMonitor({ watchdog: { thresholdMs: 5 } })).toThrow(invalid)
  expect(() => new PerformanceMonitor({ buckets: [2, 1] })).toThrow(invalid)
  expect(() => new PerformanceMonitor({ windowMs: 9 })).toThrow(invalid)
})

test('reset zeroes values and keeps handles; close freezes values but reads still work', () => {
  const m = monitor()
  const h = m.histogram('lat')
  h.record(3)
  m.increment('c', 2)
  m.reset()
  expect(m.getMetrics().counters.c).toBe(0)
  expect(m.getMetrics().histograms.lat.count).toBe(0)
  h.record(4)
  expect(m.getMetrics().histograms.lat).toMatchObject({ count: 1, max: 4 })
  m.close()
  expect(m.closed).toBe(true)
  h.record(100)
  m.increment('c', 5)
  const after = m.getMetrics()
  expect(after.histograms.lat.count).toBe(1)
  expect(after.counters.c).toBe(0)
  expect(m.toPrometheus()).toContain('lat_count 1')
  m.close() // idempotent
})

test('windowMs: percentiles cover only the last window, Prometheus stays cumulative', async () => {
  const m = monitor({ windowMs: 60 })
  const h = m.histogram('lat')
  h.record(500)
  expect(m.getMetrics().histograms.lat.max).toBe(500)
  await new Promise((r) => setTimeout(r, 150))
  h.record(2)
  const s = m.getMetrics().histograms.lat
  expect(s).toMatchObject({ count: 1, max: 2 })
  expect(m.toPrometheus()).toContain('lat_count 2')
})

test('values cross to the addon in batches; every read, window rotation and close sees them all', async () => {
  const m = monitor({ windowMs: 60 })
  const h = m.histogram('lat')
  const c = m.counter('n')
  for (let i = 0; i < 5000; i++) {
    h.record(1)
    c.increment()
  } // several buffers' worth
  expect(m.getMetrics()).toMatchObject({ counters: { n: 5000 }, histograms: { lat: expect.objectContaining({ count: 5000 }) } })
  // Recorded, not read, and its window passes: the rotation took it into that window, not the current one.
  h.record(700)
  await new Promise((r) => setTimeout(r, 150))
  expect(m.getMetrics().histograms.lat.count).toBe(0)
  expect(m.toPrometheus()).toContain('lat_count 5001')
  c.increment(7)
  h.record('x' as any) // not a number: NaN, recorded as 0 (as a direct native call did)
  m.close() // what was recorded before close counts
  expect(m.getMetrics().counters.n).toBe(5007)
  expect(m.toPrometheus()).toContain('lat_count 5002')
})
