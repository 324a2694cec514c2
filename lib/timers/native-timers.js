'use strict'
// Timers on the native clock (clock.js), the one native timer system: a slot
// per timer, a fresh generation each time a slot is armed, so a fire for an
// older arming is ignored. Used by Debouncer and HeartbeatMonitor;
// BatchManager drives its own clock (lib/batch/clock.js).
const { NativeClock, nextGeneration } = require('./clock')

class NativeTimers {
  /** `onFire(slot)` runs on the JS thread when an armed slot's delay has passed; it must not throw. */
  constructor(onFire, lingerMs) {
    this._onFire = onFire
    this._clock = new NativeClock(this, lingerMs) // holds each slot's live arming
    this._slots = 0
    this._free = []
    this._lastGeneration = 0
    this._closed = false
  }

  alloc() {
    return this._free.length > 0 ? this._free.pop() : this._slots++
  }

  /** (Re)arms `slot` to fire once after `delayMs`, replacing any earlier arming. */
  arm(slot, delayMs) {
    if (this._closed) return
    const generation = (this._lastGeneration = nextGeneration(this._lastGeneration))
    this._clock.arm(slot, generation, performance.now() + Math.max(0, delayMs))
  }

  disarm(slot) {
    this._clock.discard(slot, this._clock.armedGeneration(slot))
  }

  free(slot) {
    this.disarm(slot)
    this._free.push(slot)
  }

  close() {
    if (this._closed) return
    this._closed = true
    this._clock.close()
  }

  _onDue(due) {
    for (let i = 0; i + 1 < due.length; i += 2) {
      const slot = due[i]
      if (this._clock.armedGeneration(slot) !== due[i + 1]) continue
      this.disarm(slot)
      this._onFire(slot)
    }
  }
}

module.exports = { NativeTimers }
