'use strict'
// A BatchManager's native side: its timer (lib/timers/clock.js) and its
// frame statistics, one call per frame. A plain send of an idle message is
// only counted here and folded in when metrics are read, so the send makes
// no native call (bench/RESULTS.md, adaptive batching).
const { BindingFlushReason, batchFlushed, batchIdleSent } = require('../../binding.js')
const { NativeClock } = require('../timers/clock')

class BatchClock extends NativeClock {
  constructor(owner, maxWaitMs) {
    super(owner, maxWaitMs)
    this.waits = new Float64Array(64)
    this.idleSends = 0
    this.idleSampled = 0
  }

  /**
   * A frame of `sent` messages (0: none went) ended `slot`'s batch of
   * `generation` (0: no deadline was armed); `samples` are the enqueue times
   * of its sampled messages, `now` when it left (performance.now()).
   */
  flushed(slot, generation, reason, sent, bytes, samples, now) {
    const n = samples.length
    if (n > this.waits.length) this.waits = new Float64Array(Math.max(n, this.waits.length * 2))
    for (let i = 0; i < n; i++) this.waits[i] = now - samples[i]
    batchFlushed(this.handle, slot, generation, reason, sent, bytes, this.waits, n)
  }

  /** An idle message left alone as a plain send; `sampled`: its queue wait (none) is a sample. */
  idleSent(sampled) {
    this.idleSends++
    if (sampled) this.idleSampled++
  }

  metrics() {
    if (this.idleSends > 0) {
      batchIdleSent(this.handle, this.idleSends, this.idleSampled)
      this.idleSends = 0
      this.idleSampled = 0
    }
    return this.native.metrics()
  }

  resetMetrics() {
    this.idleSends = 0
    this.idleSampled = 0
    this.native.resetMetrics()
  }
}

module.exports = { BatchClock, Reason: BindingFlushReason }
