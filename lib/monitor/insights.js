'use strict'
// Rules over a metrics snapshot: each gives at most one insight with a level.
// `Alerts` remembers each rule's last level and reports changes only.

// Histograms that are not latencies (everything else recorded is, in ms).
const NOT_LATENCY = /^ipcflow\.(batch|memory)\./

function insight(id, level, message, value, threshold, recommendation) {
  return { id, level, message, value, threshold, recommendation }
}

function latencyRules(m, t, out) {
  for (const [key, h] of Object.entries(m.histograms)) {
    if (NOT_LATENCY.test(key) || h.count < t.minSamples) continue
    const critical = h.p95 >= t.p95CriticalMs
    if (critical || h.p95 >= t.p95WarningMs) {
      out.push(
        insight(
          `latency.p95:${key}`,
          critical ? 'critical' : 'warning',
          `${key}: p95 latency ${h.p95.toFixed(1)} ms`,
          h.p95,
          critical ? t.p95CriticalMs : t.p95WarningMs,
          'Profile the handler; move heavy work off the main process (a worker or utility process), or cache its result.',
        ),
      )
    }
  }
}

function cacheRule(m, t, out) {
  const hits = m.counters['ipcflow.cache.hits'] ?? 0
  const misses = m.counters['ipcflow.cache.misses'] ?? 0
  const lookups = hits + misses
  if (lookups < t.minCacheLookups) return
  const rate = hits / lookups
  if (rate < t.cacheHitRate) {
    out.push(
      insight('cache.hitRate', 'warning', `cache hit rate ${(rate * 100).toFixed(1)}%`, rate, t.cacheHitRate,
        'Check the cache key and TTL; a cache that rarely hits only costs memory.'),
    )
  }
}

function batchRules(m, t, out) {
  const h = m.histograms['ipcflow.batch.size']
  if (!h || h.count < t.minSamples) return
  // Sizes never exceed maxBatchSize, so a mean near the largest size means
  // nearly every batch was full.
  if (h.max > 1 && h.mean >= t.batchFullShare * h.max) {
    out.push(
      insight('batch.full', 'warning', `batches are almost always full (mean ${h.mean.toFixed(1)} of ${h.max})`, h.mean / h.max,
        t.batchFullShare, 'Raise maxBatchSize (or maxBatchBytes): full batches leave the rest of the queue waiting.'),
    )
  }
  // p90 of 1 (sizes are integers): at least 90% of batches carried one message.
  if (h.p90 < 1.5) {
    out.push(
      insight('batch.single', 'info', 'at least 90% of batches carry one message', h.p90, 1,
        'Batching is not paying here: send these messages directly, or raise maxWaitMs if latency allows.'),
    )
  }
}

function deltaRules(m, previous, out) {
  let drops = 0
  for (const [key, n] of Object.entries(m.counters)) if (key.startsWith('ipcflow.batch.drops.') || key === 'ipcflow.batch.pauses') drops += n
  const newDrops = drops - (previous.drops ?? drops)
  previous.drops = drops
  if (newDrops > 0) {
    out.push(
      insight('batch.drops', 'warning', `${newDrops} messages dropped or paused since the last check`, newDrops, 0,
        'A renderer is not keeping up: raise maxQueueSize, send less, or coalesce (dedupe).'),
    )
  }
}

function memoryRules(m, out) {
  const growth = m.gauges['ipcflow.memory.growth_bytes_per_hour']
  if (m.gauges['ipcflow.memory.trend'] === 1) {
    out.push(
      insight('memory.growing', 'warning', `memory growing by ${(growth / 1048576).toFixed(1)} MiB/h`, growth, 0,
        'Take heap snapshots a few minutes apart and compare retained objects; check listeners and caches that only grow.'),
    )
  }
  const pressure = m.gauges['ipcflow.memory.pressure']
  if (pressure >= 1) {
    out.push(
      insight('memory.pressure', pressure >= 2 ? 'critical' : 'warning', `memory pressure ${pressure >= 2 ? 'critical' : 'warning'}`,
        pressure, pressure >= 2 ? 2 : 1, 'Release caches and idle windows; lower memory thresholds only if they are too tight.'),
    )
  }
}

function stallRule(m, t, previous, out) {
  if (!m.stalls) return
  const fresh = m.stalls.count - (previous.stalls ?? 0)
  previous.stalls = m.stalls.count
  if (fresh <= 0) return
  const worst = m.stalls.durationMs.max
  const critical = worst >= t.stallCriticalMs
  out.push(
    insight('js.stalls', critical ? 'critical' : 'warning', `${fresh} JS-thread stall(s), longest ${worst.toFixed(0)} ms`, fresh,
      critical ? t.stallCriticalMs : 0,
      'Find the synchronous work (sync fs, JSON of large values, tight loops) with --cpu-prof and move it off the main thread.'),
  )
}

/** Evaluates every rule; `previous` carries the counts delta rules compare against. */
function evaluate(metrics, thresholds, previous) {
  const out = []
  latencyRules(metrics, thresholds, out)
  cacheRule(metrics, thresholds, out)
  batchRules(metrics, thresholds, out)
  deltaRules(metrics, previous, out)
  memoryRules(metrics, out)
  stallRule(metrics, thresholds, previous, out)
  return out
}

/** Tracks each rule's level; `update` returns the changes since the last call. */
class Alerts {
  constructor() {
    this.levels = new Map()
  }

  update(insights) {
    const changes = []
    const now = new Map(insights.map((i) => [i.id, i]))
    for (const [id, i] of now) {
      const previous = this.levels.get(id) ?? 'ok'
      if (previous !== i.level) changes.push({ ...i, previous })
    }
    for (const [id, previous] of this.levels) {
      if (!now.has(id)) changes.push({ id, level: 'ok', previous, message: `${id} is back to normal` })
    }
    this.levels = new Map(insights.map((i) => [i.id, i.level]))
    return changes
  }
}

module.exports = { evaluate, Alerts }
