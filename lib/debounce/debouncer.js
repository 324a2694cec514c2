'use strict'
// Debouncer: the latest fn per key runs once calls for that key pause
// (lodash.debounce semantics, per key, README "Debouncer"). Deadlines live on
// the batch clock through NativeTimers (one native timer task, a slot per key),
// or on `deps.clock` when one is given (lib/timers/injected.js: a test's fake timers).
const { readDepsClock, nowOf, timersOn } = require('../timers/injected')
const { readOptions } = require('./options')
const { ClosedError, invalidArgument } = require('../errors')

class Debouncer {
  /** `deps.clock`: time and timers to use instead of performance.now() and the native timer (lib/timers/injected.js). */
  constructor(options, deps) {
    this._o = readOptions(options)
    const clock = readDepsClock(deps)
    this._now = nowOf(clock)
    // The native side reaches these timers only through a WeakRef, so a
    // debouncer nobody closed can still be collected (lib/timers/native-timers.js).
    this._timers = timersOn(clock, (slot) => this._fire(slot), this._o.delays.normal)
    this._keys = new Map() // key -> entry
    this._bySlot = []
    this._stats = { runs: 0, errors: 0, cancelled: 0 }
    this._closed = false
  }

  /** Runs the latest `fn` for `key` once calls for it pause for the priority's delay. */
  debounce(key, fn, priority = 'normal') {
    if (this._closed) throw new ClosedError('Debouncer is closed', { key: String(key) })
    if (typeof fn !== 'function') throw invalidArgument('fn', 'a function', fn)
    if (typeof priority !== 'string' || !Object.hasOwn(this._o.delays, priority)) {
      throw invalidArgument('priority', `one of ${Object.keys(this._o.delays).map((p) => `'${p}'`).join(', ')}`, priority)
    }
    const delay = this._o.delays[priority]
    const now = this._now()
    let entry = this._keys.get(key)
    if (entry === undefined) {
      const slot = this._timers.alloc()
      entry = { key, slot, fn: undefined, owed: false, delay, burstStart: now, deadline: 0, armedFor: Infinity }
      this._keys.set(key, entry)
      this._bySlot[slot] = entry
      if (this._o.leading) this._run(key, fn)
      else this._owe(entry, fn)
    } else {
      // A burst keeps its most urgent delay: a critical call is not undone by a normal one.
      entry.delay = Math.min(entry.delay, delay)
      this._owe(entry, fn)
    }
    // Like lodash, a later deadline is only recorded: the timer, when it fires,
    // re-arms for what is left. So a burst costs one native arm per delay, not
    // one per call; only an earlier deadline (a critical call) re-arms now.
    entry.deadline = Math.min(now + entry.delay, entry.burstStart + this._o.maxWaitMs)
    if (entry.deadline < entry.armedFor) this._arm(entry, now)
  }

  _arm(entry, now) {
    entry.armedFor = entry.deadline
    this._timers.arm(entry.slot, entry.deadline - now)
  }

  _owe(entry, fn) {
    entry.fn = fn
    entry.owed = this._o.trailing
  }

  /** Drops `key`'s pending call; true if there was one. */
  cancel(key) {
    const entry = this._keys.get(key)
    if (entry === undefined) return false
    this._release(entry)
    this._stats.cancelled++
    return true
  }

  /** Runs pending calls now (one key, or all); returns how many ran. */
  flush(key) {
    const entries = key === undefined ? [...this._keys.values()] : [this._keys.get(key)].filter(Boolean)
    let ran = 0
    for (const entry of entries) if (this._finish(entry)) ran++
    return ran
  }

  /** The keys whose call is still to run. */
  pending() {
    const keys = []
    for (const entry of this._keys.values()) if (entry.owed) keys.push(entry.key)
    return keys
  }

  getStats() {
    return { ...this._stats, pending: this.pending().length }
  }

  /** Drops every pending call (flush() first to run them) and stops the timer. */
  close() {
    if (this._closed) return
    for (const entry of [...this._keys.values()]) this._release(entry)
    this._closed = true
    this._timers.close()
  }

  _fire(slot) {
    const entry = this._bySlot[slot]
    if (entry === undefined) return
    const now = this._now()
    if (entry.deadline > now) this._arm(entry, now) // called again since it was armed
    else this._finish(entry)
  }

  _finish(entry) {
    this._release(entry)
    if (!entry.owed) return false
    this._run(entry.key, entry.fn)
    return true
  }

  _release(entry) {
    this._timers.free(entry.slot)
    this._keys.delete(entry.key)
    this._bySlot[entry.slot] = undefined
  }

  // A throw or rejection is contained and counted: it would otherwise escape
  // the native timer's callback as an uncaughtException.
  _run(key, fn) {
    this._stats.runs++
    try {
      const result = fn()
      if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        Promise.resolve(result).then(undefined, (error) => this._failed(error, key))
      }
    } catch (error) {
      this._failed(error, key)
    }
  }

  _failed(error, key) {
    this._stats.errors++
    if (this._o.onError === undefined) return
    try {
      this._o.onError(error, key)
    } catch {
      // A throwing onError must not escape the timer callback either.
    }
  }
}

module.exports = { Debouncer }
