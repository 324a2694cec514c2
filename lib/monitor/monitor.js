'use strict'
// PerformanceMonitor: counters, gauges and histograms kept natively (values
// cross in batches, pending.js), Prometheus text, insights and alerts, and
// the native JS-thread stall watchdog (README, PerformanceMonitor).
const { BindingMonitor } = require('./native')
const { PendingValues } = require('./pending')
const { readMonitorOptions, readBuckets, isObject } = require('./options')
const { SafeEmitter } = require('./events')
const { evaluate, Alerts } = require('./insights')
const { invalidArgument } = require('../errors')
const { setOwn } = require('../own')
const { log, setLogger } = require('./log')
const { optimizeMonitor } = require('../optimize')

const KINDS = ['counter', 'gauge', 'histogram']
const ROTATIONS = 6

function labelKey(labels) {
  const keys = Object.keys(labels).sort()
  let out = ''
  for (const k of keys) out += `${k}\u0000${labels[k]}\u0001`
  return out
}

function readName(name) {
  if (typeof name !== 'string' || name.length === 0) throw invalidArgument('name', 'a non-empty string', name)
  return name
}

function readLabels(labels) {
  if (labels === undefined) return undefined
  if (!isObject(labels)) throw invalidArgument('labels', 'an object of label values', labels)
  const out = {}
  for (const [k, v] of Object.entries(labels)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw invalidArgument(`labels.${k}`, 'a string, number or boolean', v)
    }
    setOwn(out, k, String(v))
  }
  return out
}

class PerformanceMonitor extends SafeEmitter {
  constructor(options) {
    super()
    const o = readMonitorOptions(options)
    if (o.logger !== undefined) setLogger(o.logger, { level: o.logLevel })
    this._options = o
    this._native = new BindingMonitor({ buckets: o.buckets, windowMs: o.windowMs, windowSlots: ROTATIONS })
    this._pending = new PendingValues(this._native)
    // Per kind: name -> id (no labels), and name -> Map(labelKey -> id).
    this._ids = KINDS.map(() => new Map())
    this._labelled = KINDS.map(() => new Map())
    this._startedAt = performance.now()
    this._closed = false
    this._timers = []
    this._previous = {}
    this._alerts = new Alerts()
    if (o.windowMs !== undefined) this._every(o.windowMs / ROTATIONS, (m) => m._rotate())
    if (o.watchdog) this._startWatchdog(o.watchdog.thresholdMs)
    if (o.insightIntervalMs) this._every(o.insightIntervalMs, (m) => m.getInsights())
  }

  // Timers and native callbacks hold the monitor weakly, so a monitor that
  // is dropped without close() is still collected (and its thread stopped).
  _every(ms, fn) {
    const self = new WeakRef(this)
    const timer = setInterval(() => {
      const monitor = self.deref()
      if (monitor === undefined) clearInterval(timer)
      else fn(monitor)
    }, Math.max(10, ms))
    timer.unref()
    this._timers.push(timer)
  }

  // A window's values land in it, not in the next one.
  _rotate() {
    this._pending.drain()
    this._native.rotate()
  }

  _startWatchdog(thresholdMs) {
    const self = new WeakRef(this)
    const onStall = (s) => {
      log('warn', 'ipcflow::watchdog', 'JS thread stall ended', { durationMs: s.durationMs.toFixed(1) })
      self.deref()?.emit('stall', { durationMs: s.durationMs, startedAt: s.startedAt })
    }
    const hooked = this._native.startWatchdog(thresholdMs, onStall)
    if (!hooked) {
      // No libuv hooks on this platform: an unref'd heartbeat marks turns.
      this._every(thresholdMs / 4, (monitor) => {
        const stall = monitor._native.beat()
        if (stall) onStall(stall)
      })
    }
  }

  _id(kind, name, labels) {
    const k = KINDS.indexOf(kind)
    if (labels === undefined) {
      let id = this._ids[k].get(name)
      if (id === undefined) {
        id = this._native.seriesId(kind, readName(name), undefined)
        this._ids[k].set(name, id)
      }
      return id
    }
    let byLabels = this._labelled[k].get(name)
    if (byLabels === undefined) {
      readName(name)
      byLabels = new Map()
      this._labelled[k].set(name, byLabels)
    }
    const clean = readLabels(labels)
    const key = labelKey(clean)
    let id = byLabels.get(key)
    if (id === undefined) {
      id = this._native.seriesId(kind, name, clean)
      byLabels.set(key, id)
    }
    return id
  }

  /** Adds `n` (>= 0, default 1) to a counter. */
  increment(name, n = 1, labels) {
    if (typeof n !== 'number' || !(n >= 0) || n === Infinity) throw invalidArgument('n', 'a finite number >= 0', n)
    this._pending.add(this._id('counter', name, labels), n)
  }

  /** Sets a gauge. */
  gauge(name, value, labels) {
    if (typeof value !== 'number' || Number.isNaN(value)) throw invalidArgument('value', 'a number', value)
    this._pending.add(this._id('gauge', name, labels), value)
  }

  /** Records a value (a latency in ms, or any non-negative number) into a histogram. */
  record(name, value, labels) {
    if (typeof value !== 'number') throw invalidArgument('value', 'a number', value)
    this._pending.add(this._id('histogram', name, labels), value)
  }

  // Handles: no lookup, no argument check; a value that is not a number is
  // ignored natively (NaN), as a wrong type always was.

  /** A handle whose `record(v)` queues the value for the native histogram. */
  histogram(name, labels) {
    const id = this._id('histogram', name, labels)
    const pending = this._pending
    return { record: (value) => pending.add(id, typeof value === 'number' ? value : NaN) }
  }

  /** A handle whose `increment(n = 1)` queues the increment for the native counter. */
  counter(name, labels) {
    const id = this._id('counter', name, labels)
    const pending = this._pending
    return { increment: (n = 1) => pending.add(id, typeof n === 'number' ? n : NaN) }
  }

  /** A handle whose `set(v)` queues the value for the native gauge. */
  gaugeHandle(name, labels) {
    const id = this._id('gauge', name, labels)
    const pending = this._pending
    return { set: (value) => pending.add(id, typeof value === 'number' ? value : NaN) }
  }

  /** Help text for Prometheus, and bucket bounds for histograms created afterwards. */
  describe(name, options) {
    readName(name)
    if (options !== undefined && (options === null || typeof options !== 'object')) throw invalidArgument('options', 'an object { help?, buckets? }', options)
    const { help, buckets } = options ?? {}
    if (help !== undefined && typeof help !== 'string') throw invalidArgument('help', 'a string', help)
    this._native.describe(name, help, readBuckets(buckets, 'buckets'))
  }

  /** One plain, JSON-serialisable snapshot. */
  getMetrics() {
    const out = { counters: {}, gauges: {}, histograms: {}, stalls: null, uptimeMs: performance.now() - this._startedAt }
    this._pending.drain()
    for (const s of this._native.snapshot()) {
      if (s.kind === 'counter') setOwn(out.counters, s.key, s.value)
      else if (s.kind === 'gauge') setOwn(out.gauges, s.key, s.value)
      else setOwn(out.histograms, s.key, s.summary)
    }
    out.stalls = this._native.stalls() ?? null
    return out
  }

  /** Zeroes every value (handles stay valid). */
  reset() {
    this._pending.drain()
    this._native.reset()
    this._previous = {}
  }

  /** Resets the resettable values (as reset()); returns a report. */
  forceOptimization() {
    return optimizeMonitor(this)
  }

  /** The Prometheus text exposition format 0.0.4 (serve it as `text/plain; version=0.0.4`). */
  toPrometheus() {
    this._pending.drain()
    return this._native.prometheus()
  }

  /** Insights from the current numbers; fires 'alert' for each rule whose level changed. */
  getInsights() {
    const insights = evaluate(this.getMetrics(), this._options.insights, this._previous)
    for (const change of this._alerts.update(insights)) {
      log(change.level === 'critical' ? 'error' : change.level === 'warning' ? 'warn' : 'info', 'ipcflow::insights', change.message, { id: change.id, previous: change.previous })
      this.emit('alert', change)
    }
    return insights
  }

  /** Stops the watchdog and every timer; values stop changing, reads still work. */
  close() {
    if (this._closed) return
    this._closed = true
    for (const t of this._timers) clearInterval(t)
    this._timers = []
    this._pending.drain()
    this._native.close()
  }

  get closed() {
    return this._closed
  }
}

module.exports = { PerformanceMonitor }
