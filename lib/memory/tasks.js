'use strict'
// Tracked tasks: ids with an optional cleanup, cleaned once when released,
// idle past inactiveTaskMs, or under pressure. Cleanups run on the JS
// thread; a throw or rejection is contained and counted.
const { IpcError, invalidArgument, messageOf } = require('../errors')

class Tasks {
  /** `now()`: the monotonic ms idleness is measured in (performance.now(), or an injected clock's). */
  constructor(now = () => performance.now()) {
    this.now = now
    this.map = new Map()
    this.cleaned = 0
    this.cleanupErrors = 0
    this.lastError = null
  }

  track(id, options) {
    if (options !== undefined && (options === null || typeof options !== 'object')) throw invalidArgument('options', 'an object { onCleanup?, meta? }', options)
    const { onCleanup, meta } = options ?? {}
    if (typeof id !== 'string' && typeof id !== 'number') throw invalidArgument('id', 'a string or number', id)
    if (onCleanup !== undefined && typeof onCleanup !== 'function') throw invalidArgument('onCleanup', 'a function', onCleanup)
    if (this.map.has(id)) {
      throw new IpcError('E_DUPLICATE_TASK', `task '${id}' is already tracked; release it first`, { id })
    }
    const now = Date.now()
    this.map.set(id, { id, meta, onCleanup, createdAt: now, touchedAt: now, touched: this.now() })
  }

  touch(id) {
    const t = this.map.get(id)
    if (t === undefined) return false
    t.touchedAt = Date.now()
    t.touched = this.now()
    return true
  }

  get(id) {
    const t = this.map.get(id)
    return t && this.view(t)
  }

  view(t) {
    return { id: t.id, meta: t.meta, createdAt: t.createdAt, lastTouchedAt: t.touchedAt, idleMs: this.now() - t.touched }
  }

  all() {
    return [...this.map.values()].map((t) => this.view(t))
  }

  /** Removes the task and runs its cleanup once; false when unknown. */
  clean(id, reason) {
    const t = this.map.get(id)
    if (t === undefined) return false
    this.map.delete(id)
    this.cleaned++
    if (t.onCleanup === undefined) return true
    const fail = (error) => {
      this.cleanupErrors++
      this.lastError = { id, reason, message: messageOf(error) }
    }
    try {
      const result = t.onCleanup({ id, meta: t.meta, reason })
      if (result && typeof result.then === 'function') result.then(undefined, fail)
    } catch (error) {
      fail(error)
    }
    return true
  }

  /** When (this.now() ms) a task can first have been idle for `ms`; Infinity without tasks. */
  firstIdleAt(ms) {
    let oldest = Infinity
    for (const t of this.map.values()) if (t.touched < oldest) oldest = t.touched
    return oldest + ms
  }

  /** Cleans every task idle for at least `ms`; returns their ids. */
  cleanIdle(ms, reason) {
    const now = this.now()
    const ids = []
    for (const t of this.map.values()) if (now - t.touched >= ms) ids.push(t.id)
    for (const id of ids) this.clean(id, reason)
    return ids
  }
}

module.exports = { Tasks }
