'use strict'
// forceOptimization: one call that makes every ipcflow instance give back what
// it holds (README "forceOptimization"). Each class's method is a one-line
// call into here; the work goes through each class's public methods only.
const { invalidArgument } = require('./errors')

function sumCacheBytes(registry) {
  let entries = 0
  let bytes = 0
  for (const s of Object.values(registry.getCacheStats())) {
    entries += s.entries
    bytes += s.bytes
  }
  return { entries, bytes }
}

/** Sends every queued message now (targets paused by flow control keep theirs). */
function optimizeBatch(batcher) {
  const before = batcher.pending()
  batcher.flush()
  return { kind: 'BatchManager', flushedMessages: before - batcher.pending(), stillPending: batcher.pending() }
}

/** Clears every response cache, or with `{ shrinkFraction }` drops that oldest share of each. */
function optimizeRegistry(registry, options = {}) {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options)
  const { shrinkFraction } = options
  const before = sumCacheBytes(registry)
  const dropped = shrinkFraction === undefined ? registry.clearCache() : registry.shrinkCaches(shrinkFraction)
  const after = sumCacheBytes(registry)
  return { kind: 'HandlerRegistry', cacheEntriesDropped: dropped, cacheBytesFreed: Math.max(0, before.bytes - after.bytes) }
}

/** Cleans idle tasks now. */
function optimizeMemory(memory) {
  const { cleaned, active } = memory.forceCleanup()
  return { kind: 'MemoryManager', tasksCleaned: cleaned.length, tasksActive: active }
}

/** Zeroes the monitor's values (handles stay valid); reports how many series were reset. */
function optimizeMonitor(monitor) {
  const m = monitor.getMetrics()
  const series = Object.keys(m.counters).length + Object.keys(m.gauges).length + Object.keys(m.histograms).length
  monitor.reset()
  return { kind: 'PerformanceMonitor', metricsReset: series }
}

/** Runs `forceOptimization()` of each instance; returns each one's report and the totals. */
function forceOptimization(...instances) {
  instances.forEach((instance, i) => {
    if (instance === null || typeof instance !== 'object' || typeof instance.forceOptimization !== 'function') {
      throw invalidArgument(`instances[${i}]`, 'a BatchManager, HandlerRegistry, MemoryManager or PerformanceMonitor', instance)
    }
  })
  const started = performance.now()
  const reports = instances.map((instance) => instance.forceOptimization())
  const totals = { flushedMessages: 0, cacheEntriesDropped: 0, cacheBytesFreed: 0, tasksCleaned: 0, metricsReset: 0 }
  for (const r of reports) for (const k of Object.keys(totals)) if (typeof r[k] === 'number') totals[k] += r[k]
  return { reports, totals, durationMs: performance.now() - started }
}

module.exports = { forceOptimization, optimizeBatch, optimizeRegistry, optimizeMemory, optimizeMonitor }
