'use strict'
// Flow control: a renderer client that acknowledges frames announces itself;
// from then on at most `maxFramesInFlight` unacknowledged frames go to it.
// Further messages queue (bounded by maxQueueSize, drops counted) until an
// ack reopens the target. An idle target's message may go as a plain send
// (no seq, no ack): an ack of a later frame covers it (one pipe, in order), and
// at most `ackAfter` such sends wait for one. Works on a TargetQueue's `seq`,
// `ready` and `open` and owns its `flow`, `acked`, `paused` and `directs*` fields.

class FlowControl {
  constructor(maxFramesInFlight) {
    this.maxInFlight = maxFramesInFlight
    // Frames ask for an ack from half the window on: a prompt renderer acks
    // about twice per window, not per frame.
    this.ackAfter = Math.max(1, maxFramesInFlight >> 1)
    this.pauses = 0
  }

  /** A client that acks announced itself on t. A reloaded page announces again, forgetting what the old one never acked. */
  start(t) {
    if (this.maxInFlight === 0 || t.dead) return
    t.flow = true
    t.acked = t.seq
    t.directsAcked = t.directs
    t.directsSeq = t.seq
    t.directsBefore = t.directs
    t.paused = false
    t.open = t.ready
  }

  /** Whether an idle message to t may leave as a plain send rather than a frame. */
  allowsDirect(t) {
    return !t.flow || t.directs - t.directsAcked < this.ackAfter
  }

  /** A plain send went to t. */
  directSent(t) {
    t.directs++
  }

  /** Whether t's next frame asks to be acknowledged. */
  asksAck(t) {
    return t.flow && (t.seq + 1 - t.acked >= this.ackAfter || t.directs - t.directsAcked >= this.ackAfter)
  }

  /** After a frame went out (or failed to): pauses t once its renderer is maxFramesInFlight frames behind. */
  sent(t) {
    if (!t.flow) return
    if (t.directsSeq !== t.seq) {
      t.directsSeq = t.seq
      t.directsBefore = t.directs
    }
    if (!t.paused && t.seq - t.acked >= this.maxInFlight) {
      t.paused = true
      t.open = false
      this.pauses++
    }
  }

  /** A cumulative ack up to `seq`; true when it reopened a paused target. */
  acked(t, seq) {
    if (!t.flow || typeof seq !== 'number' || !(seq > t.acked)) return false
    t.acked = Math.min(seq, t.seq)
    // That frame was read, and with it every plain send before it.
    if (t.acked >= t.directsSeq) t.directsAcked = t.directsBefore
    if (!t.paused || t.seq - t.acked >= this.maxInFlight) return false
    t.paused = false
    t.open = t.ready
    return t.open
  }
}

module.exports = { FlowControl }
