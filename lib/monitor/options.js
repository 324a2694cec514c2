'use strict'
// PerformanceMonitor options: read and checked once, defaults filled here.
const { invalidArgument } = require('../errors')

const MIN_INTERVAL_MS = 10
const MAX_INTERVAL_MS = 0x7fffffff

const INSIGHT_DEFAULTS = Object.freeze({
  p95WarningMs: 100,
  p95CriticalMs: 500,
  minSamples: 20,
  cacheHitRate: 0.5,
  minCacheLookups: 100,
  batchFullShare: 0.9,
  stallCriticalMs: 1000,
})

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function readInterval(value, argument, fallback) {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= MIN_INTERVAL_MS) || value > MAX_INTERVAL_MS) {
    throw invalidArgument(argument, `a number of ms in [${MIN_INTERVAL_MS}, ${MAX_INTERVAL_MS}]`, value)
  }
  return value
}

function readBuckets(value, argument) {
  if (value === undefined) return undefined
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= 254 &&
    value.every((b, i) => typeof b === 'number' && Number.isFinite(b) && (i === 0 || b > value[i - 1]))
  if (!ok) throw invalidArgument(argument, 'an array of 1 to 254 finite, increasing numbers', value)
  return value.slice()
}

function readMonitorOptions(options) {
  if (options === undefined || options === null) options = {}
  if (!isObject(options)) throw invalidArgument('options', 'an object', options)
  let watchdog = { thresholdMs: 100 }
  if (options.watchdog === false) watchdog = null
  else if (options.watchdog !== undefined && options.watchdog !== true) {
    if (!isObject(options.watchdog)) throw invalidArgument('options.watchdog', 'an object or false', options.watchdog)
    watchdog = { thresholdMs: readInterval(options.watchdog.thresholdMs, 'options.watchdog.thresholdMs', 100) }
  }
  const insights = { ...INSIGHT_DEFAULTS }
  if (options.insights !== undefined) {
    if (!isObject(options.insights)) throw invalidArgument('options.insights', 'an object', options.insights)
    for (const [key, value] of Object.entries(options.insights)) {
      if (!(key in INSIGHT_DEFAULTS)) throw invalidArgument(`options.insights.${key}`, 'a known threshold', key)
      if (typeof value !== 'number' || !(value >= 0)) throw invalidArgument(`options.insights.${key}`, 'a number >= 0', value)
      insights[key] = value
    }
  }
  let insightIntervalMs = 10_000
  if (options.insightIntervalMs === false) insightIntervalMs = null
  else insightIntervalMs = readInterval(options.insightIntervalMs, 'options.insightIntervalMs', insightIntervalMs)
  if (options.logger !== undefined && options.logger !== null && typeof options.logger !== 'function') {
    throw invalidArgument('options.logger', 'a function or null', options.logger)
  }
  return {
    logger: options.logger,
    logLevel: options.logLevel ?? 'warn',
    watchdog,
    buckets: readBuckets(options.buckets, 'options.buckets'),
    windowMs: options.windowMs === undefined ? undefined : readInterval(options.windowMs, 'options.windowMs'),
    insights,
    insightIntervalMs,
  }
}

module.exports = { readMonitorOptions, readBuckets, isObject, readInterval, MIN_INTERVAL_MS, INSIGHT_DEFAULTS }
