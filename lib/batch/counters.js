'use strict'
// What a BatchManager counts in JS (an increment is cheaper than a native
// call), forwarded to an optional monitor; frames and their distributions
// are counted natively and merged in `snapshot`.

class BatchCounters {
  constructor(monitor) {
    this.monitor = monitor
    this.reset()
  }

  reset() {
    this.in = 0
    this.directSent = 0
    this.coalesced = 0
    this.duplicates = 0
    this.drops = { overflow: 0, destroyed: 0, uncloneable: 0 }
  }

  drop(reason, n) {
    if (n <= 0) return
    this.drops[reason] += n
    this.tell('increment', `ipcflow.batch.drops.${reason}`, n)
  }

  /** A frame of `size` messages left. */
  frame(size) {
    if (this.monitor === undefined) return
    this.tell('record', 'ipcflow.batch.size', size)
    this.tell('increment', 'ipcflow.batch.frames', 1)
  }

  tell(method, name, value) {
    if (this.monitor === undefined) return
    try {
      this.monitor[method](name, value)
    } catch {
      // A monitor's failure is not the caller's problem.
    }
  }

  /** The public metrics: `native` is the clock's snapshot, `state` what only the manager knows. */
  snapshot(native, state) {
    const messagesOut = native.messagesOut + this.directSent
    const framesOut = native.framesOut + this.directSent
    const drops = { ...this.drops, total: this.drops.overflow + this.drops.destroyed + this.drops.uncloneable }
    return {
      messagesIn: this.in,
      messagesOut,
      framesOut,
      reductionRatio: messagesOut > 0 ? 1 - framesOut / messagesOut : 0,
      coalesced: this.coalesced,
      duplicates: this.duplicates,
      timerWakes: state.timerWakes,
      pending: state.pending,
      pauses: state.pauses,
      pausedTargets: state.pausedTargets,
      targets: state.targets,
      flushReasons: native.flushReasons,
      drops,
      batchSize: native.batchSize,
      queueWaitMs: native.queueWaitMs,
      batchAgeMs: native.batchAgeMs,
      frameBytes: native.frameBytes,
    }
  }
}

module.exports = { BatchCounters }
