'use strict'
// Metric values wait here and cross to the addon in one call per buffer, so
// a handle's record() is two array stores rather than a Node-API call
// (bench/RESULTS.md, PerformanceMonitor). Every read of the native series
// drains first: no reader ever sees a value missing.
const PAIRS = 1024

class PendingValues {
  /**
   * `native.applyMany(pairs, length)` applies `[id, value, ...]` in order. It is
   * held weakly: a handle that outlives its monitor must not keep the native
   * side (and its watchdog thread) alive; its values then go nowhere.
   */
  constructor(native) {
    this.native = new WeakRef(native)
    this.pairs = new Float64Array(PAIRS * 2)
    this.length = 0
  }

  add(id, value) {
    const i = this.length
    this.pairs[i] = id
    this.pairs[i + 1] = value
    this.length = i + 2
    if (i + 2 === this.pairs.length) this.drain()
  }

  drain() {
    const length = this.length
    if (length === 0) return
    this.length = 0
    this.native.deref()?.applyMany(this.pairs, length)
  }
}

module.exports = { PendingValues }
