'use strict'
// MemoryManager: tracked tasks with idle cleanup, native sampling of RSS and
// CPU off the JS thread (the JS heap read at the same tick), the trend over a
// window and pressure levels with hysteresis (README, MemoryManager).
const binding = require('../../binding.js')
const { readMemoryOptions } = require('./options')
const { Tasks } = require('./tasks')
const { SafeEmitter } = require('../monitor/events')
const { ClosedError, invalidArgument } = require('../errors')
const { log } = require('../monitor/log')
const { optimizeMemory } = require('../optimize')
const { readClock, nowOf } = require('../timers/injected')

const TREND_GAUGE = { growing: 1, stable: 0, shrinking: -1, unknown: 0 }
const LEVEL_GAUGE = { normal: 0, warning: 1, critical: 2 }

class MemoryManager extends SafeEmitter {
  /**
   * `deps.monitor` gets the gauges. `deps.clock` (lib/timers/injected.js) measures idleness and keeps
   * the idle sweep's deadline in place of performance.now() and the sampler thread (sampling stays native).
   */
  constructor(options, deps) {
    super()
    const o = readMemoryOptions(options)
    const monitor = deps?.monitor
    if (monitor !== undefined && (monitor === null || typeof monitor.gauge !== 'function' || typeof monitor.increment !== 'function')) {
      throw invalidArgument('deps.monitor', 'an object with gauge() and increment() (a PerformanceMonitor)', monitor)
    }
    const clock = readClock(deps?.clock, 'deps.clock')
    this._clock = clock
    this._sweepTimer = undefined // with a clock: its handle for the next sweep
    this._now = nowOf(clock)
    this._options = o
    this._monitor = monitor
    this._tasks = new Tasks(this._now)
    this._shrinkers = new Set()
    this._closed = false
    this._loggedErrors = 0
    this._sweepAt = Infinity // this._now() ms when a task can first be idle
    // The native callback holds the manager weakly: dropped without close(),
    // it is still collected, and its sampler thread stops.
    const self = new WeakRef(this)
    this._native = new binding.BindingMemory(
      {
        windowSamples: o.windowSamples,
        sampleIntervalMs: o.sampleIntervalMs,
        sweepIntervalMs: Math.min(1000, Math.max(10, o.inactiveTaskMs / 4)),
        pressureOnHeap: o.pressureOn === 'heap',
        warningBytes: o.warningBytes,
        criticalBytes: o.criticalBytes,
        hysteresis: o.hysteresis,
        minGrowthBytesPerHour: o.minGrowthBytesPerHour,
        minRelativeGrowthPerHour: o.minRelativeGrowthPerHour,
        minR2: o.minR2,
        sample: o.sample,
        // JS takes every sample when it must read the heap for each or feed a
        // monitor's gauges; otherwise the sampler thread pushes them itself.
        wakeEverySample: o.pressureOn === 'heap' || monitor !== undefined,
        osWarningSome: o.osPressure?.warningSome,
        osCriticalFull: o.osPressure?.criticalFull,
      },
      (tick) => self.deref()?._tick(tick),
    )
  }

  // On the JS thread, when the sampler thread needs it; nothing here may throw.
  _tick(tick) {
    if (this._closed) return
    try {
      if (tick.sweep) this._sweep()
      if (tick.sample) this._push({ rssBytes: tick.rssBytes ?? undefined, cpuUserPct: tick.cpuUserPct, cpuSystemPct: tick.cpuSystemPct })
      if (tick.pressure != null) {
        this._pressureChanged(tick.pressure)
        this._report()
      }
    } catch {
      // A bug here must not become an uncaught exception in the app.
    }
  }

  _sweep() {
    const ids = this._tasks.cleanIdle(this._options.inactiveTaskMs, 'idle')
    if (ids.length > 0) this._report()
    this._sweepFrom(this._tasks.firstIdleAt(this._options.inactiveTaskMs))
  }

  // Sweeps wake the JS thread only once a task can be idle: a touched window
  // costs a wake per inactiveTaskMs, not one per sweep interval. A touch only
  // delays that moment (the sweep then finds nothing and looks again).
  _sweepFrom(at) {
    this._sweepAt = at
    const clock = this._clock
    if (clock === undefined) {
      this._native.sweepAfter(at - performance.now())
      return
    }
    if (this._sweepTimer !== undefined) clock.clearTimeout(this._sweepTimer)
    this._sweepTimer = undefined
    if (at === Infinity) return
    this._sweepTimer = clock.setTimeout(() => {
      this._sweepTimer = undefined
      this._tick({ sweep: true })
    }, Math.max(0, at - clock.now()))
  }

  _push(values) {
    const m = process.memoryUsage()
    const changed = this._native.push({
      rssBytes: values.rssBytes ?? m.rss,
      heapUsedBytes: values.heapUsedBytes ?? m.heapUsed,
      externalBytes: values.externalBytes ?? m.external,
      arrayBuffersBytes: values.arrayBuffersBytes ?? m.arrayBuffers,
      cpuUserPct: values.cpuUserPct ?? 0,
      cpuSystemPct: values.cpuSystemPct ?? 0,
    })
    const errors = this._tasks.cleanupErrors
    if (errors > this._loggedErrors) {
      this._loggedErrors = errors
      log('warn', 'ipcflow::memory', 'task cleanup failed', this._tasks.lastError ?? {})
    }
    if (changed != null) this._pressureChanged(changed)
    this._report()
  }

  _pressureChanged(level) {
    if (level === 'critical') this._tasks.cleanIdle(this._options.idleTaskMs, 'pressure')
    const stats = this.getStats()
    for (const fn of [...this._shrinkers]) {
      try {
        const r = fn(level, stats)
        if (r && typeof r.then === 'function') r.then(undefined, () => {})
      } catch {
        // A shrinker's failure is its own.
      }
    }
    log(level === 'normal' ? 'info' : 'warn', 'ipcflow::memory', `memory pressure ${level}`, {
      on: this._options.pressureOn,
      rssBytes: stats.rssBytes,
      heapUsedBytes: stats.heapUsedBytes,
    })
    this.emit('pressure', level, stats)
  }

  _report() {
    const monitor = this._monitor
    if (monitor === undefined) return
    try {
      const s = this.getStats()
      monitor.gauge('ipcflow.memory.rss_bytes', s.rssBytes)
      monitor.gauge('ipcflow.memory.heap_used_bytes', s.heapUsedBytes)
      monitor.gauge('ipcflow.memory.external_bytes', s.externalBytes)
      monitor.gauge('ipcflow.memory.growth_bytes_per_hour', s.growthBytesPerHour)
      monitor.gauge('ipcflow.memory.trend', TREND_GAUGE[s.trend])
      monitor.gauge('ipcflow.memory.pressure', LEVEL_GAUGE[s.pressure])
      monitor.gauge('ipcflow.memory.cpu_percent', s.cpu.avgPercent)
      monitor.gauge('ipcflow.memory.tasks_active', s.tasks.active)
      monitor.gauge('ipcflow.memory.tasks_cleaned', s.tasks.cleaned)
      monitor.gauge('ipcflow.memory.cleanup_errors', s.tasks.cleanupErrors)
    } catch {
      // A closed or failing monitor is not our caller's problem.
    }
  }

  _open(what) {
    if (this._closed) throw new ClosedError(`MemoryManager.${what}: the manager is closed`, { method: what })
  }

  trackTask(id, options) {
    this._open('trackTask')
    this._tasks.track(id, options)
    const idleAt = this._now() + this._options.inactiveTaskMs
    if (idleAt < this._sweepAt) this._sweepFrom(idleAt)
  }

  /** Marks the task used now; false when unknown. */
  touch(id) {
    return this._tasks.touch(id)
  }

  /** Removes the task, running its onCleanup once; false when unknown. */
  release(id) {
    return this._tasks.clean(id, 'released')
  }

  getTask(id) {
    return this._tasks.get(id)
  }

  tasks() {
    return this._tasks.all()
  }

  /** Called with `(level, stats)` on every pressure change; returns an unsubscribe. */
  onPressure(fn) {
    if (typeof fn !== 'function') throw invalidArgument('fn', 'a function', fn)
    this._shrinkers.add(fn)
    return () => this._shrinkers.delete(fn)
  }

  /** Cleans every idle task (idle for idleTaskMs) now. */
  forceCleanup() {
    const cleaned = this._tasks.cleanIdle(this._options.idleTaskMs, 'forced')
    this._report()
    return { cleaned, active: this._tasks.map.size }
  }

  /** Cleans idle tasks now; returns a report. */
  forceOptimization() {
    return optimizeMemory(this)
  }

  /** Test hook: feeds one sample now (missing fields read from this process). */
  sample(values = {}) {
    this._open('sample')
    if (values === null || typeof values !== 'object') throw invalidArgument('values', 'an object of byte counts', values)
    for (const [k, v] of Object.entries(values)) {
      if (typeof v !== 'number' || !(v >= 0)) throw invalidArgument(`values.${k}`, 'a number >= 0', v)
    }
    this._push(values)
    return this.getStats()
  }

  getStats() {
    const s = this._native.stats()
    // A sample the sampler thread took alone carries the heap figures of the one before: read them now.
    const heap = s.heapMeasured
      ? { heapUsed: s.heapUsedBytes, external: s.externalBytes, arrayBuffers: s.arrayBuffersBytes }
      : process.memoryUsage()
    return {
      rssBytes: s.rssBytes,
      heapUsedBytes: heap.heapUsed,
      externalBytes: heap.external,
      arrayBuffersBytes: heap.arrayBuffers,
      trend: s.trend,
      growthBytesPerHour: s.growthBytesPerHour,
      r2: s.r2,
      pressure: s.pressure,
      tasks: { active: this._tasks.map.size, cleaned: this._tasks.cleaned, cleanupErrors: this._tasks.cleanupErrors },
      samples: s.samples,
      sampledAt: s.sampledAtMs ?? null,
      cpu: { avgPercent: s.cpuAvgPct, peakPercent: s.cpuPeakPct },
      osPressure: s.osPressureSome == null ? null : { someAvg10: s.osPressureSome, fullAvg10: s.osPressureFull ?? 0 },
      suspends: s.suspends,
    }
  }

  /** Stops sampling and idle cleanup; tasks are left as they are (no cleanups run). */
  close() {
    if (this._closed) return
    this._closed = true
    if (this._sweepTimer !== undefined) this._clock.clearTimeout(this._sweepTimer)
    this._native.close()
  }

  get closed() {
    return this._closed
  }
}

module.exports = { MemoryManager }
