// Every insight rule with the figure that triggers it, and alerts that fire
// once per level change.
import { PerformanceMonitor, MemoryManager, type AlertEvent, type Insight } from '../index'

// The memory and stall cases read the real clock, where a GC or a preempted
// thread changes what they see (CI once saw the 12 quick samples split by a
// pause): the memory case judges only samples it saw evenly spaced, the stall
// case compares the insight with the stalls the watchdog measured.

const monitors: PerformanceMonitor[] = []
function monitor(options: ConstructorParameters<typeof PerformanceMonitor>[0] = {}) {
  const m = new PerformanceMonitor({ watchdog: false, insightIntervalMs: false, ...options })
  monitors.push(m)
  return m
}
afterEach(() => monitors.splice(0).forEach((m) => m.close()))
const byId = (list: Insight[], id: string) => list.find((i) => i.id === id)
const busy = (ms: number) => {
  const end = performance.now() + ms
  while (performance.now() < end);
}

test('a channel p95 over the thresholds warns, then goes critical', () => {
  const m = monitor({ insights: { p95WarningMs: 50, p95CriticalMs: 200, minSamples: 20 } })
  for (let i = 0; i < 19; i++) m.record('slow', 80)
  expect(m.getInsights()).toEqual([]) // fewer than minSamples
  m.record('slow', 80)
  expect(byId(m.getInsights(), 'latency.p95:slow')).toMatchObject({ level: 'warning', value: expect.closeTo(80, 0), threshold: 50, recommendation: expect.any(String) })
  for (let i = 0; i < 40; i++) m.record('slow', 300)
  expect(byId(m.getInsights(), 'latency.p95:slow')).toMatchObject({ level: 'critical', threshold: 200 })
  // Batch sizes are not latencies.
  for (let i = 0; i < 40; i++) m.record('ipcflow.batch.size', 5000)
  expect(byId(m.getInsights(), 'latency.p95:ipcflow.batch.size')).toBeUndefined()
})

test('a cache hit rate below the threshold warns', () => {
  const m = monitor()
  m.increment('ipcflow.cache.hits', 30)
  m.increment('ipcflow.cache.misses', 69)
  expect(byId(m.getInsights(), 'cache.hitRate')).toBeUndefined() // 99 lookups < 100
  m.increment('ipcflow.cache.misses', 1)
  expect(byId(m.getInsights(), 'cache.hitRate')).toMatchObject({ level: 'warning', value: 0.3, threshold: 0.5 })
})

test('batches almost always full, and batches of one', () => {
  const full = monitor()
  for (let i = 0; i < 30; i++) full.record('ipcflow.batch.size', i === 0 ? 10 : 50)
  expect(byId(full.getInsights(), 'batch.full')).toMatchObject({ level: 'warning' })
  const single = monitor()
  for (let i = 0; i < 30; i++) single.record('ipcflow.batch.size', i < 28 ? 1 : 3)
  const insights = single.getInsights()
  expect(byId(insights, 'batch.single')).toMatchObject({ level: 'info', value: expect.closeTo(1, 1) })
  expect(byId(insights, 'batch.full')).toBeUndefined()
})

test('drops increasing since the last check warn; no new drops clears it', () => {
  const m = monitor()
  m.increment('ipcflow.batch.drops.overflow', 3)
  expect(byId(m.getInsights(), 'batch.drops')).toBeUndefined() // first look sets the baseline
  m.increment('ipcflow.batch.drops.overflow', 2)
  expect(byId(m.getInsights(), 'batch.drops')).toMatchObject({ level: 'warning', value: 2 })
  expect(byId(m.getInsights(), 'batch.drops')).toBeUndefined()
})

/** r² of the least-squares line through (x, y). */
function r2(x: number[], y: number[]) {
  const n = x.length
  const mx = x.reduce((a, b) => a + b) / n
  const my = y.reduce((a, b) => a + b) / n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my)
    sxx += (x[i] - mx) ** 2
    syy += (y[i] - my) ** 2
  }
  return (sxy * sxy) / (sxx * syy)
}

/**
 * 12 samples growing by 1 MB, 1 ms apart (the manager dates each sample itself, when it takes it):
 * a steep, straight slope. A pause inside the series (a GC, a preempted thread) can bend it past
 * what the trend accepts (r² 0.6), so the series is taken again until this thread saw it straight:
 * each sample's date known to 0.2 ms (bracketed by two clock reads) and the line through the
 * brackets' middles at r² 0.9 or more.
 */
function straightGrowth(memory: MemoryManager) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const x: number[] = []
    const y: number[] = []
    let wide = false
    for (let i = 0; i < 12; i++) {
      busy(1)
      const rss = 50e6 + attempt * 20e6 + i * 1e6
      const before = performance.now()
      memory.sample({ rssBytes: rss })
      const after = performance.now()
      if (after - before > 0.2) wide = true
      x.push((before + after) / 2)
      y.push(rss)
    }
    if (!wide && r2(x, y) >= 0.9) return
  }
  throw new Error('no straight series of 12 samples in 200 attempts')
}

test('memory growing and memory pressure, from a MemoryManager reporting into the monitor', () => {
  const m = monitor()
  // A window of 12 samples: each attempt's series replaces the one before.
  const memory = new MemoryManager({ sample: false, windowSamples: 12, warningBytes: 10e9, criticalBytes: 20e9, osPressure: false }, { monitor: m })
  straightGrowth(memory)
  expect(byId(m.getInsights(), 'memory.growing')).toMatchObject({ level: 'warning' })
  memory.sample({ rssBytes: 25e9 })
  expect(byId(m.getInsights(), 'memory.pressure')).toMatchObject({ level: 'critical' })
  memory.close()
})

test('JS-thread stalls: a new stall warns, a long one is critical', async () => {
  const m = monitor({ watchdog: { thresholdMs: 20 }, insights: { stallCriticalMs: 100 } })
  const stalls: number[] = []
  m.on('stall', (s) => stalls.push(s.durationMs))
  /** A busy loop of `ms` in a turn of its own; resolves once its stall was reported. */
  const stall = (ms: number) => new Promise<void>((resolve) => {
    setTimeout(() => busy(ms), 0)
    const look = () => (stalls.some((d) => d >= ms - 1) ? resolve() : setTimeout(look, 2))
    setTimeout(look, 0)
  })
  await new Promise((r) => setTimeout(r, 10))
  await stall(40)
  // What the watchdog measured (a loaded machine may preempt the thread into stalls of its own):
  // every stall so far is new; warning unless one of them reached stallCriticalMs.
  const before = m.getMetrics().stalls!
  const first = byId(m.getInsights(), 'js.stalls')
  const after = m.getMetrics().stalls!
  // (Read before and after: a stall may end between two reads; then either is right.)
  const level = (worstMs: number) => (worstMs >= 100 ? 'critical' : 'warning')
  expect(first).toBeDefined()
  expect(first!.value).toBeGreaterThanOrEqual(before.count)
  expect(first!.value).toBeLessThanOrEqual(after.count)
  expect([level(before.durationMs.max), level(after.durationMs.max)]).toContain(first!.level)
  await stall(120)
  expect(byId(m.getInsights(), 'js.stalls')).toMatchObject({ level: 'critical' })
})

test('alerts fire once per level change, back to ok, and a throwing listener is contained', async () => {
  const m = monitor({ insights: { p95WarningMs: 50, p95CriticalMs: 200, minSamples: 1 }, insightIntervalMs: 10 })
  const alerts: AlertEvent[] = []
  m.on('alert', () => {
    throw new Error('listener bug')
  })
  m.on('alert', (a) => alerts.push(a))
  m.record('ch', 100)
  await new Promise((r) => setTimeout(r, 60)) // several evaluations by the timer
  m.getInsights()
  expect(alerts.map((a) => [a.id, a.previous, a.level])).toEqual([['latency.p95:ch', 'ok', 'warning']])
  for (let i = 0; i < 10; i++) m.record('ch', 500)
  m.getInsights()
  m.reset()
  m.getInsights()
  expect(alerts.map((a) => [a.previous, a.level])).toEqual([['ok', 'warning'], ['warning', 'critical'], ['critical', 'ok']])
  expect(m.listenerErrors).toBe(3)
})
