'use strict'
// StartupSequencer: starts an app's components in dependency order, in
// parallel up to `concurrency`, each within its timeout; lazy ones on first
// get(). Pure JS: the work is the components' own, the scheduling is a few
// promises (README "StartupSequencer").
const { checkGraph, criticalPath } = require('./graph')
const { NotFoundError, StartupError, TimeoutError, invalidArgument, messageOf } = require('../errors')

const MAX_CONCURRENCY = 1000

function positiveMillis(value, name, fallback) {
  if (value === undefined) return fallback
  if (value === Infinity) return Infinity
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw invalidArgument(name, 'a positive number of milliseconds, or Infinity', value)
  return value
}

function readOptions(options = {}) {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options)
  const { concurrency = 4 } = options
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw invalidArgument('options.concurrency', `an integer from 1 to ${MAX_CONCURRENCY}`, concurrency)
  }
  return { concurrency, timeoutMs: positiveMillis(options.timeoutMs, 'options.timeoutMs', 30_000) }
}

class StartupSequencer {
  constructor(options) {
    this._o = readOptions(options)
    this._components = new Map()
    this._running = 0
    this._waiting = [] // resolvers of components waiting for a slot, FIFO
    this._t0 = undefined
    this._started = undefined
  }

  /** Declares a component; `start({ signal })` returns its value (or a promise of it). Returns this. */
  add(name, spec) {
    if (typeof name !== 'string' || name.length === 0) throw invalidArgument('name', 'a non-empty string', name)
    if (this._components.has(name)) throw invalidArgument('name', 'a component name not added before', name)
    if (spec === null || typeof spec !== 'object') throw invalidArgument(`components.${name}`, 'an object with start()', spec)
    const { start, dependsOn = [], lazy = false } = spec
    if (typeof start !== 'function') throw invalidArgument(`components.${name}.start`, 'a function', start)
    if (!Array.isArray(dependsOn) || !dependsOn.every((d) => typeof d === 'string')) {
      throw invalidArgument(`components.${name}.dependsOn`, 'an array of component names', dependsOn)
    }
    if (typeof lazy !== 'boolean') throw invalidArgument(`components.${name}.lazy`, 'a boolean', lazy)
    const timeoutMs = positiveMillis(spec.timeoutMs, `components.${name}.timeoutMs`, this._o.timeoutMs)
    this._components.set(name, { name, start, dependsOn: [...new Set(dependsOn)], lazy, timeoutMs, promise: undefined, status: lazy ? 'lazy' : 'pending', startMs: undefined, endMs: undefined, error: undefined })
    return this
  }

  /** Starts every non-lazy component (and what they depend on); resolves with the report. */
  start() {
    if (this._started === undefined) this._started = this._startAll()
    return this._started
  }

  async _startAll() {
    checkGraph(this._components)
    this._begin()
    const run = { aborted: false }
    const eager = [...this._components.values()].filter((c) => !c.lazy)
    await Promise.allSettled(eager.map((c) => this._ensure(c, run)))
    const report = this.getReport()
    if (!report.ok) {
      const failed = report.components.filter((c) => c.status === 'failed').sort((a, b) => a.endMs - b.endMs)[0]
      const cause = this._components.get(failed.name).error
      const error = new StartupError(`Startup component '${failed.name}' failed: ${messageOf(cause)}`, { component: failed.name, report })
      error.cause = cause
      throw error
    }
    return report
  }

  /** The value of `name`, starting it (and its dependencies) if it has not started: how lazy components start. */
  get(name) {
    const c = this._components.get(name)
    if (c === undefined) return Promise.reject(new NotFoundError(`No startup component '${name}'`, { component: name }))
    try {
      checkGraph(this._components)
    } catch (error) {
      return Promise.reject(error)
    }
    this._begin()
    return this._ensure(c, { aborted: false })
  }

  /** Each component's status, start and end (ms since the first start), the critical path and the total. */
  getReport() {
    const components = [...this._components.values()].map((c) => {
      const entry = { name: c.name, status: c.status, dependsOn: c.dependsOn }
      if (c.startMs !== undefined) entry.startMs = c.startMs
      if (c.endMs !== undefined) {
        entry.endMs = c.endMs
        if (c.startMs !== undefined) entry.durationMs = c.endMs - c.startMs
      }
      if (c.error !== undefined) entry.error = { code: c.error.code ?? 'E_HANDLER', message: messageOf(c.error) }
      return entry
    })
    const path = criticalPath(components.filter((c) => c.status === 'started' || c.status === 'failed'))
    let totalMs = 0
    for (const c of components) if (c.endMs !== undefined) totalMs = Math.max(totalMs, c.endMs)
    const ok = components.every((c) => c.status !== 'failed' && c.status !== 'skipped')
    return { ok, totalMs, criticalPath: path, components }
  }

  _begin() {
    if (this._t0 === undefined) this._t0 = performance.now()
  }

  _now() {
    return performance.now() - this._t0
  }

  _ensure(c, run) {
    if (c.promise === undefined) {
      c.promise = this._launch(c, run)
      c.promise.catch(() => {}) // awaited by whoever asked; never an unhandled rejection
    }
    return c.promise
  }

  async _launch(c, run) {
    try {
      await Promise.all(c.dependsOn.map((d) => this._ensure(this._components.get(d), run)))
    } catch (error) {
      c.status = 'skipped'
      throw error
    }
    await this._acquire()
    try {
      // After a failure, start() launches nothing new: a supervisor stops a broken startup.
      if (run.aborted) {
        c.status = 'skipped'
        throw new StartupError(`Startup component '${c.name}' was not started: startup failed`, { component: c.name })
      }
      c.status = 'starting'
      c.startMs = this._now()
      try {
        c.value = await this._withTimeout(c)
        c.status = 'started'
        return c.value
      } catch (error) {
        c.status = 'failed'
        c.error = error
        run.aborted = true
        throw error
      } finally {
        c.endMs = this._now()
      }
    } finally {
      this._release()
    }
  }

  _withTimeout(c) {
    const controller = new AbortController()
    const work = Promise.resolve().then(() => c.start({ signal: controller.signal }))
    if (c.timeoutMs === Infinity) return work
    let timer
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => {
        const error = new TimeoutError(`Startup component '${c.name}' did not start within ${c.timeoutMs} ms`, { component: c.name, timeoutMs: c.timeoutMs })
        controller.abort(error)
        reject(error)
      }, c.timeoutMs)
    })
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
  }

  _acquire() {
    if (this._running < this._o.concurrency) {
      this._running++
      return Promise.resolve()
    }
    return new Promise((resolve) => this._waiting.push(resolve))
  }

  _release() {
    const next = this._waiting.shift()
    if (next !== undefined) next() // the slot passes straight on
    else this._running--
  }
}

module.exports = { StartupSequencer }
