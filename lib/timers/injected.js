'use strict'
// The clock seam: a component that keeps its deadlines on the native timer
// (Debouncer, HeartbeatMonitor, BatchManager, MemoryManager's idle sweep)
// takes an optional `deps.clock`,
//
//   { now(): number, setTimeout(fn, ms): handle, clearTimeout(handle): void }
//
// with `now()` in milliseconds on performance.now()'s scale. Given one, the
// component reads the time from it and keeps its deadlines on it, not on the
// native timer: a test's fake timers drive it, step by step, whatever the
// machine's load. With jest, `jest.useFakeTimers()` and a clock that calls the
// (faked) globals when called, `{ now: () => performance.now(), setTimeout:
// (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h) }`
// (__tests__/helpers/clock.ts). Timers on a clock are the clock's: unlike the
// native timer's, they may keep the process alive. Without one, nothing changes.
const { invalidArgument } = require('../errors')
const { NativeTimers } = require('./native-timers')

const performanceNow = () => performance.now()

/** The time a component reads: the clock's, or performance.now(). */
function nowOf(clock) {
  return clock === undefined ? performanceNow : () => clock.now()
}

/** Slot timers (NativeTimers' interface) on the clock, or on the native timer when there is none. */
function timersOn(clock, onFire, defaultDelayMs) {
  return clock === undefined ? new NativeTimers(onFire, defaultDelayMs) : new ClockTimers(onFire, clock)
}

/** Checks `deps.clock` (`argument` names it in the error); undefined when absent. */
function readClock(value, argument) {
  if (value === undefined) return undefined
  if (value === null || typeof value !== 'object' || typeof value.now !== 'function' || typeof value.setTimeout !== 'function' || typeof value.clearTimeout !== 'function') {
    throw invalidArgument(argument, 'an object with now(), setTimeout(fn, ms) and clearTimeout(handle)', value)
  }
  return value
}

/** Checks a component's `deps` object and reads its `clock`; undefined when absent. */
function readDepsClock(deps) {
  if (deps === undefined) return undefined
  if (deps === null || typeof deps !== 'object') throw invalidArgument('deps', 'an object', deps)
  return readClock(deps.clock, 'deps.clock')
}

/**
 * NativeTimers' interface (alloc, arm, disarm, free, close) on an injected
 * clock: one clock timer per armed slot. `onFire(slot)` runs when an armed
 * slot's delay has passed on the clock; it must not throw.
 */
class ClockTimers {
  constructor(onFire, clock) {
    this._onFire = onFire
    this._clock = clock
    this._handles = [] // per slot: the clock's handle while armed
    this._slots = 0
    this._free = []
    this._closed = false
  }

  alloc() {
    return this._free.length > 0 ? this._free.pop() : this._slots++
  }

  arm(slot, delayMs) {
    if (this._closed) return
    this.disarm(slot)
    this._handles[slot] = this._clock.setTimeout(() => {
      this._handles[slot] = undefined
      if (!this._closed) this._onFire(slot)
    }, Math.max(0, delayMs))
  }

  disarm(slot) {
    const handle = this._handles[slot]
    if (handle === undefined) return
    this._handles[slot] = undefined
    this._clock.clearTimeout(handle)
  }

  free(slot) {
    this.disarm(slot)
    this._free.push(slot)
  }

  close() {
    if (this._closed) return
    for (let slot = 0; slot < this._handles.length; slot++) this.disarm(slot)
    this._closed = true
  }
}

module.exports = { readClock, readDepsClock, nowOf, timersOn }
