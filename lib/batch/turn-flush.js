'use strict'
// Producer-turn flushes (adaptive batching): a batch due before its producer's
// next turn is expected leaves at the end of the current turn, so a steadily
// paced source's time-capped frames need no native timer wake (a wake costs
// the main thread tens of microseconds, bench/RESULTS.md).
//
// Watching every turn would cost more than the wakes it saves (a microtask
// and a clock read per turn), so a target is watched only near the end of a
// batch: once it holds 3/4 of what its last time-capped frame held. The gap
// between a target's watched turns within one batch estimates when its next
// turn comes.
//
// The same turn end gives a batch its native deadline: a batch that leaves in
// the turn that opened it (a burst's full frames, a turn flush) never crosses
// to the native timer at all, and the timer could not wake JS before the turn
// ends anyway. A turn that began with a message to an idle target (a burst
// after quiet) sends what it queued after that message when it ends: the
// producer's next turn is not expected within the deadline, and a timer wake
// would cost more than the frame (bench/RESULTS.md, the burst source).
// A target whose batches outlive their turn (a paced source's) arms each new
// batch at once instead: the turn's microtask would buy nothing, and cold it
// costs the main thread more than arming does (bench/RESULTS.md, paced turns).
// Whether the turn of an idle message goes on is known only when the target's
// next batch opens: within QUIET_GAP_MS of that message's send returning, it is
// taken as the same turn. An idle message alone in its turn so queues no microtask: one run cold
// after the send delayed its delivery by ~20 us (README, adaptive batching).

const { NONE, NORMAL } = require('./target-queue')
const { Reason } = require('./clock')
const RESOLVED = Promise.resolve()
// A batch this old when it left almost surely outlived the turn that opened it (a turn that
// long is rare; the cost of misjudging one is arming a batch that leaves in its turn, not a late frame).
const OUTLIVED_MS = 1
// A batch opening this soon after an idle message to its target is taken as that message's turn going
// on (a burst after quiet). A later turn misjudged so sends one early frame; a real turn's messages
// come microseconds apart.
const QUIET_GAP_MS = 1

class TurnFlush {
  /**
   * Off when `enabled` is false (adaptive: false). `maxWaitMs` bounds the
   * estimate; `flushDue(t, now)` sends `t`'s batch (reason `time`) unless a
   * frame budget holds it, and never throws. `now()` is the manager's clock.
   */
  constructor(enabled, maxWaitMs, flushDue, armNative, now) {
    this.now = now
    this.enabled = enabled
    this.maxWaitMs = maxWaitMs
    this.flushDue = flushDue
    this.armNative = armNative // (t, now): gives t's pending batch its native deadline; never throws
    this.targets = []
    this.toArm = []
    this.queued = false
    this.onTurnEnd = () => this.turnEnded()
  }

  /** The state this module keeps on a new TargetQueue. */
  track(t) {
    t.turnCheckAt = this.enabled ? 1 : Infinity // watch once the batch holds this many messages
    t.turnWatched = false
    t.turnGapMs = this.maxWaitMs / 4 // the gap between the target's producer turns (moving average)
    t.turnCheckedAt = 0
    t.turnCheckedBatch = 0 // the batch generation of the last check
    t.armQueued = false
    t.quietAt = -Infinity // when the last message to idle t left at once (the manager's clock), if enabled
    t.quietTurn = false // the turn began with a message to t while t was idle
    t.outlivesTurn = false // t's last frame left at least OUTLIVED_MS after its batch opened
  }

  /**
   * Whether `t`'s new batch, opened at `now`, should get its native deadline now rather than when
   * the turn ends. A batch opened in the turn of an idle message leaves when that turn ends.
   */
  armsAtOnce(t, now) {
    if (now - t.quietAt < QUIET_GAP_MS) {
      t.quietAt = -Infinity
      t.quietTurn = true
    }
    return t.outlivesTurn && !t.quietTurn
  }

  /** `t` reached its threshold in this turn: check it when the turn ends. */
  watch(t) {
    t.turnWatched = true
    this.targets.push(t)
    this.queue()
  }

  /** `t`'s batch got or tightened its deadline: it goes native when the turn ends, if the batch is still there. */
  armLater(t) {
    if (t.armQueued) return
    t.armQueued = true
    this.toArm.push(t)
    this.queue()
  }

  /** A message to idle `t` left at once, its send done at `now`: what `t` queues in the rest of this turn leaves when it ends. */
  quiet(t, now) {
    if (this.enabled) t.quietAt = now
  }

  queue() {
    if (!this.queued) {
      this.queued = true
      RESOLVED.then(this.onTurnEnd)
    }
  }

  /**
   * A frame of `sent` (> 0) messages left `t` for `reason`, its batch `ageMs` old (NaN: unknown).
   * A full one: its batches fill before their deadline, no watching needed. A time-capped one:
   * watch the next batch from 3/4 of that.
   */
  frameLeft(t, reason, sent, ageMs) {
    t.outlivesTurn = ageMs >= OUTLIVED_MS
    if (reason === Reason.Size || reason === Reason.Bytes) t.turnCheckAt = Infinity
    else if (reason === Reason.Time && this.enabled) t.turnCheckAt = Math.max(1, (sent * 3) >> 2)
  }

  turnEnded() {
    this.queued = false
    const { targets, toArm } = this
    this.targets = []
    this.toArm = []
    const now = this.now()
    for (const t of targets) {
      t.turnWatched = false
      if (t.urgency === NONE || !t.open || t.sending || t.dead) continue
      if (t.turnCheckedBatch === t.generation) t.turnGapMs += (Math.min(now - t.turnCheckedAt, this.maxWaitMs) - t.turnGapMs) / 4
      t.turnCheckedBatch = t.generation
      t.turnCheckedAt = now
      if (t.dueAt - now <= Math.min(t.turnGapMs, this.maxWaitMs / 2)) this.flushDue(t, now)
    }
    // After the flushes: what they sent needs no deadline.
    for (const t of toArm) {
      t.armQueued = false
      if (t.quietTurn) {
        t.quietTurn = false
        // A batch of only low-priority messages keeps its longer wait.
        if (t.urgency === NORMAL && t.open && !t.sending && !t.dead) this.flushDue(t, now)
      }
      this.armNative(t, now)
    }
  }
}

module.exports = { TurnFlush }
