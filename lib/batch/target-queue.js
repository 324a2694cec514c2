'use strict'
// The pending messages of one target. Payloads stay here, in JS arrays; the
// native side only knows the target's slot and its batch generation.

const NONE = 0
const LOW = 1
const NORMAL = 2

class TargetQueue {
  constructor(target, slot, ready) {
    this.target = target
    this.slot = slot
    this.ready = ready
    this.dead = false
    // Flow control (only for renderer clients that acknowledge frames).
    this.flow = false
    this.acked = 0
    this.paused = false
    this.directs = 0 // plain sends of idle messages
    this.directsAcked = 0 // of them, those a read frame is known to have followed
    this.directsSeq = 0 // the newest frame sent under flow control...
    this.directsBefore = 0 // ...and how many plain sends went before it
    /** ready && !dead: the only state addMessage's fast path accepts. */
    this.open = ready
    this.seq = 0
    // When the last frame left (performance.now()), read only with adaptive batching or a frame budget.
    this.lastFrameAt = -Infinity
    // When the target's last message came, as far as is known without reading the clock per message:
    // a plain send's, a lone message's, or else its last frame's (adaptive batching).
    this.quietSince = -Infinity
    // A frame is being sent (send() or onError may re-enter); the flush asked for meanwhile, or -1.
    this.sending = false
    this.flushAgain = -1
    this.resetBatch(0)
  }

  resetBatch(generation) {
    this.generation = generation
    this.channels = []
    this.payloads = []
    this.head = 0 // messages before head were dropped (drop-oldest)
    this.live = 0 // messages that will be sent (no tombstones, nothing before head)
    this.keys = null // coalesceKey -> index of the pending message
    this.dupes = null // exact keys of pending messages (dedupe)
    this.restartBatch()
  }

  /** What one batch (not the queue) knows: its deadline, size estimate, samples. */
  restartBatch() {
    this.urgency = NONE // which deadline the batch has (NONE: none yet)
    this.openedAt = NaN // when it got one (performance.now()): the batch's age
    this.dueAt = Infinity // that deadline (performance.now())
    this.armedAt = Infinity // the deadline the native timer holds (Infinity: none)
    this.bytes = 0 // sizes are not kept per message: what stays queued counts afresh
    this.samples = [] // enqueue times of sampled messages
    this.deferred = false // a size or bytes flush is waiting for the frame budget
  }

  /** Pending messages in order, without dropped or coalesced ones. */
  takeMessages() {
    const { channels, payloads, head } = this
    if (head === 0 && channels.length === this.live) return { channels, payloads }
    const outChannels = []
    const outPayloads = []
    for (let i = head; i < channels.length; i++) {
      if (channels[i] !== null) {
        outChannels.push(channels[i])
        outPayloads.push(payloads[i])
      }
    }
    return { channels: outChannels, payloads: outPayloads }
  }

  /**
   * Takes the first `limit` pending messages, leaving the rest in place (their
   * coalesce keys stay valid): O(limit), so draining a long queue frame by
   * frame is linear. The rest's batch starts afresh: no deadline armed.
   */
  takeFront(limit) {
    const { channels, payloads } = this
    const outChannels = []
    const outPayloads = []
    let i = this.head
    for (; i < channels.length && outChannels.length < limit; i++) {
      if (channels[i] === null) continue
      outChannels.push(channels[i])
      outPayloads.push(payloads[i])
      channels[i] = null
      payloads[i] = undefined
    }
    this.head = i
    this.live -= outChannels.length
    this.restartBatch()
    if (this.head > 1024 && this.head * 2 > channels.length) this.compact()
    return { channels: outChannels, payloads: outPayloads }
  }

  /** Drops the oldest pending message; returns its payload and channel. */
  dropOldest() {
    while (this.head < this.channels.length && this.channels[this.head] === null) this.head++
    if (this.head >= this.channels.length) return undefined
    const dropped = { channel: this.channels[this.head], payload: this.payloads[this.head] }
    this.channels[this.head] = null
    this.payloads[this.head] = undefined
    this.head++
    this.live--
    if (this.samples.length > this.live + 1) this.samples.shift()
    if (this.head > 1024 && this.head * 2 > this.channels.length) this.compact()
    return dropped
  }

  /** Marks the message at `index` as replaced (coalesced away). */
  remove(index) {
    if (index < this.head || this.channels[index] === null) return false
    this.channels[index] = null
    this.payloads[index] = undefined
    this.live--
    return true
  }

  compact() {
    const shift = this.head
    this.channels = this.channels.slice(shift)
    this.payloads = this.payloads.slice(shift)
    this.head = 0
    if (this.keys !== null) {
      for (const [key, index] of this.keys) {
        if (index < shift) this.keys.delete(key)
        else this.keys.set(key, index - shift)
      }
    }
  }
}

module.exports = { TargetQueue, NONE, LOW, NORMAL }
