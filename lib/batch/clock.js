'use strict'
// A BatchManager's native side: its timer (lib/timers/clock.js) and its
// frame statistics. Statistics are written to a plain Float64Array and cross
// in bulk (when the buffer fills and before metrics are read), so sending a
// frame makes no native call of its own: on this VM the first native call
// after the thread slept costs ~20 us (bench/RESULTS.md, native cost per frame).
const { BindingFlushReason, batchRecordFrames, batchIdleSent } = require('../../binding.js')
const { NativeClock } = require('../timers/clock')

// A frame record: [reason, count, bytes, ageMs, n, wait x n] (BatchStats::record_frames).
const RECORD_HEAD = 5
// About 90 frames of 50 messages sampled 1 in 8 per native call.
const RECORDS_LENGTH = 1024

class BatchClock extends NativeClock {
  constructor(owner, maxWaitMs) {
    super(owner, maxWaitMs)
    this.records = new Float64Array(RECORDS_LENGTH)
    this.used = 0
    this.idleSends = 0
    this.idleSampled = 0
  }

  /**
   * A frame of `sent` messages left for `reason`: `bytes` estimated (0: not
   * estimated), its batch open for `ageMs` (below 0: unknown); `samples` are
   * the enqueue times of its sampled messages, `now` when it left (performance.now()).
   */
  framed(reason, sent, bytes, ageMs, samples, now) {
    const n = samples.length
    if (this.used + RECORD_HEAD + n > this.records.length) {
      this.ship()
      if (RECORD_HEAD + n > this.records.length) this.records = new Float64Array(RECORD_HEAD + n)
    }
    const r = this.records
    let at = this.used
    r[at] = reason
    r[at + 1] = sent
    r[at + 2] = bytes
    r[at + 3] = ageMs
    r[at + 4] = n
    at += RECORD_HEAD
    for (let i = 0; i < n; i++) r[at + i] = now - samples[i]
    this.used = at + n
  }

  /** Hands the buffered frame records to the native statistics. */
  ship() {
    if (this.used === 0) return
    const used = this.used
    this.used = 0
    batchRecordFrames(this.handle, this.records, used)
  }

  /** An idle message left alone as a plain send; `sampled`: its queue wait (none) is a sample. */
  idleSent(sampled) {
    this.idleSends++
    if (sampled) this.idleSampled++
  }

  metrics() {
    this.ship()
    if (this.idleSends > 0) {
      batchIdleSent(this.handle, this.idleSends, this.idleSampled)
      this.idleSends = 0
      this.idleSampled = 0
    }
    return this.native.metrics()
  }

  resetMetrics() {
    this.used = 0
    this.idleSends = 0
    this.idleSampled = 0
    this.native.resetMetrics()
  }
}

/**
 * A BatchClock whose deadlines are kept on an injected clock (deps.clock,
 * lib/timers/injected.js) instead of the native timer; the statistics stay
 * native. Like the native task, one clock timer waits for the earliest
 * deadline and a wake delivers every slot due by then, in one _onDue call.
 * Deadlines fire at their time on the clock, never early.
 */
class ClockBatchClock extends BatchClock {
  constructor(owner, maxWaitMs, clock) {
    super(owner, maxWaitMs)
    this.owner = owner
    this.clock = clock
    this.armed = new Map() // slot -> { generation, due }
    this.timer = undefined
    this.timerAt = Infinity
  }

  arm(slot, generation, dueAtMs) {
    this.armed.set(slot, { generation, due: dueAtMs })
    if (dueAtMs < this.timerAt) this.wakeAt(dueAtMs)
  }

  armedGeneration(slot) {
    return this.armed.get(slot)?.generation ?? 0
  }

  discard(slot, generation) {
    if (this.armed.get(slot)?.generation === generation) this.armed.delete(slot)
  }

  wakeAt(at) {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timerAt = at
    this.timer = this.clock.setTimeout(() => this.wake(), Math.max(0, at - this.clock.now()))
  }

  wake() {
    this.timer = undefined
    this.timerAt = Infinity
    const now = this.clock.now()
    const due = []
    let next = Infinity
    for (const [slot, { generation, due: at }] of this.armed) {
      if (at <= now) {
        due.push(slot, generation)
        this.armed.delete(slot)
      } else if (at < next) next = at
    }
    if (next !== Infinity) this.wakeAt(next)
    if (due.length > 0) this.owner._onDue(due)
  }

  close() {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.armed.clear()
    super.close()
  }
}

module.exports = { BatchClock, ClockBatchClock, Reason: BindingFlushReason }
