'use strict'
// BatchManager: per-target queues of main -> renderer messages, sent as
// frames when a batch fills or its native deadline passes. Payloads stay in
// JS; the addon keeps the timer and the statistics (at most one call per batch).
const { BatchClock, ClockBatchClock, Reason } = require('./clock')
const { nextGeneration, TIMER_EARLY_MS } = require('../timers/clock')
const { readClock, nowOf } = require('../timers/injected')
const { TargetQueue, NONE, LOW, NORMAL } = require('./target-queue')
const { TurnFlush } = require('./turn-flush')
const { estimateSize, exactKey } = require('./payload')
const { readOptions } = require('./options')
const { Delivery } = require('./delivery')
const { FlowControl } = require('./flow-control')
const { RendererLink } = require('./renderer-link')
const { BatchCounters } = require('./counters')
const { checkReady, versionMismatch } = require('../protocol')
const { subscribePressure } = require('../memory/pressure')
const { ClosedError, InternalError, IpcError, ProtocolError, invalidArgument, messageOf } = require('../errors')
const { optimizeBatch } = require('../optimize')

// Frames carry a stream id so a renderer tells a new manager's seq 1 from a
// replayed frame: random per process, distinct per manager within it.
const streamBase = (Math.random() * 0x100000000) >>> 0

class BatchManager {
  /**
   * `deps.monitor` gets the batch metrics, `deps.memory` (a MemoryManager) flushes on critical pressure;
   * `deps.clock` (lib/timers/injected.js) gives the time and keeps the batches' deadlines in place of
   * performance.now() and the native timer (a test's fake timers).
   */
  constructor(options, deps) {
    const o = readOptions(options)
    if (deps !== undefined && (deps === null || typeof deps !== 'object')) throw invalidArgument('deps', 'an object', deps)
    const monitor = deps?.monitor
    if (monitor !== undefined && (typeof monitor?.record !== 'function' || typeof monitor?.increment !== 'function')) {
      throw invalidArgument('deps.monitor', 'an object with record() and increment()', monitor)
    }
    const clock = readClock(deps?.clock, 'deps.clock')
    this._now = nowOf(clock)
    this._o = o
    this._sampleCountdown = o.waitSampleEvery
    this._counts = new BatchCounters(monitor)
    this._delivery = new Delivery({
      drop: (reason, n) => this._counts.drop(reason, n),
      report: (error) => this._report(error),
      targetDied: (t, lost) => this._targetDied(t, lost),
    })
    this._flow = new FlowControl(o.maxFramesInFlight)
    // Frame budget: the least time between two frames to one target (0: none).
    this._minFrameIntervalMs = o.maxFramesPerSecond > 0 ? 1000 / o.maxFramesPerSecond : 0
    this._turns = new TurnFlush(o.adaptive, o.maxWaitMs, (t, now) => this._flushDue(t, now), (t, now) => this._armNative(t, now), this._now)
    this._wakes = 0
    this._clock = clock === undefined ? new BatchClock(this, o.maxWaitMs) : new ClockBatchClock(this, o.maxWaitMs, clock)
    this._stream = (streamBase + this._clock.id) >>> 0

    this._states = new Map() // target -> TargetQueue
    this._bySlot = []
    this._freeSlots = []
    this._deadTargets = new WeakSet()
    // NO_TARGET, not undefined: `addMessage(c, p, undefined)` must reach checkTarget.
    this._lastTarget = NO_TARGET
    this._lastState = undefined
    this._lastGeneration = 0
    this._link = new RendererLink({
      ready: (sender, info) => this._onReady(sender, info),
      ack: (sender, stream, seq) => this._onAck(sender, stream, seq),
      report: (error) => this._report(error),
    })
    this._closed = false
    this._closing = false // close() is sending what is left; sends may still add
    this._updateFastPath()
    // Critical memory pressure sends what is pending now rather than holding it in main.
    this._unsubscribeMemory = subscribePressure(deps?.memory, 'deps.memory', (level) => {
      if (level === 'critical' && !this._closed) this.flush()
      this._counts.tell('gauge', 'ipcflow.batch.pending', this.pending())
    })
  }

  // The fast path covers the common case: batching on, no per-message size
  // estimate, no dedupe; everything else goes through _addSlow.
  _updateFastPath() {
    this._fast = !this._closing && this._o.enabled && this._o.maxBatchBytes === 0 && !this._o.dedupe
  }

  get closed() {
    return this._closed
  }

  addMessage(channel, payload, target, options) {
    if (typeof channel !== 'string' || channel.length === 0) {
      throw invalidArgument('channel', 'a non-empty string', channel)
    }
    const t = target === this._lastTarget ? this._lastState : this._stateFor(target)
    if (options !== undefined) return this._addWithOptions(t, channel, payload, options)
    if (this._fast && t.open) {
      if (t.live === 0 && this._o.adaptive && this._sendIfIdle(t, channel, payload)) {
        this._counts.in++
        return true
      }
      t.channels.push(channel)
      t.payloads.push(payload)
      this._counts.in++
      if (t.urgency !== NORMAL) this._arm(t, NORMAL)
      if (--this._sampleCountdown === 0) this._sample(t)
      if (++t.live >= this._o.maxBatchSize) this._flushTarget(t, Reason.Size)
      else if (t.live >= t.turnCheckAt && !t.turnWatched) this._turns.watch(t)
      return true
    }
    return this._addSlow(t, channel, payload, NORMAL, undefined)
  }

  _addWithOptions(t, channel, payload, options) {
    if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options)
    const { priority, coalesceKey } = options
    let urgency = NORMAL
    let critical = false
    if (priority === 'low') urgency = LOW
    else if (priority === 'critical') critical = true
    else if (priority !== undefined && priority !== 'normal') {
      throw invalidArgument('options.priority', "'critical', 'normal' or 'low'", priority)
    }
    if (coalesceKey !== undefined && typeof coalesceKey !== 'string') {
      throw invalidArgument('options.coalesceKey', 'a string', coalesceKey)
    }
    const accepted = this._addSlow(t, channel, payload, urgency, coalesceKey)
    if (critical && accepted && t.open && t.live > 0) this._flushTarget(t, Reason.Priority)
    return accepted
  }

  _addSlow(t, channel, payload, urgency, coalesceKey) {
    if (this._closed) throw new ClosedError('BatchManager is closed: addMessage after close()', { channel })
    this._counts.in++
    if (t.dead) {
      this._counts.drop('destroyed', 1)
      return false
    }
    const o = this._o
    if (!o.enabled) {
      const sent = this._delivery.sendDirect(t, channel, payload)
      if (sent) this._counts.directSent++
      return sent
    }
    if (urgency === NORMAL && t.live === 0 && t.open && o.adaptive && this._sendIfIdle(t, channel, payload)) return true
    if (o.dedupe) {
      const key = exactKey(payload)
      if (key !== undefined) {
        const full = channel + '\u0000' + key
        if (t.dupes === null) t.dupes = new Set()
        if (t.dupes.has(full)) {
          this._counts.duplicates++
          return true
        }
        t.dupes.add(full)
      }
    }
    let size = 0
    let bytesFlush = false
    if (o.maxBatchBytes > 0) {
      size = estimateSize(payload) + channel.length + 2
      bytesFlush = t.open && t.live > 0 && t.bytes + size > o.maxBatchBytes
    }
    if (!t.open && t.live >= o.maxQueueSize) {
      if (o.overflow === 'drop-newest') {
        this._counts.drop('overflow', 1)
        return false
      }
      this._dropOldestOf(t)
    }
    if (coalesceKey !== undefined) {
      if (t.keys === null) t.keys = new Map()
      const previous = t.keys.get(coalesceKey)
      if (previous !== undefined) {
        const replacedChannel = t.channels[previous]
        const replacedPayload = t.payloads[previous]
        if (t.remove(previous)) {
          this._counts.coalesced++
          this._forgetDuplicateKey(t, replacedChannel, replacedPayload)
        }
      }
      t.keys.set(coalesceKey, t.channels.length)
    }
    t.channels.push(channel)
    t.payloads.push(payload)
    t.live++
    // This message would overflow the batch: what came before it leaves now,
    // and it stays queued, ahead of anything a send() adds meanwhile.
    if (bytesFlush && t.live > 1) this._flushTarget(t, Reason.Bytes, t.live - 1)
    t.bytes += size
    if (--this._sampleCountdown === 0) this._sample(t)
    if (!t.open) return true
    if (t.urgency < urgency) this._arm(t, urgency)
    if (t.live >= o.maxBatchSize) this._flushTarget(t, Reason.Size)
    else if (size > 0 && t.bytes >= o.maxBatchBytes) this._flushTarget(t, Reason.Bytes)
    else if (t.live >= t.turnCheckAt && !t.turnWatched) this._turns.watch(t)
    return true
  }

  // Adaptive batching: the first message to a target quiet for idleMs (no
  // message since; and within its frame budget) leaves at once. Called only
  // when the target's queue is empty, so the clock is read once per batch.
  _sendIfIdle(t, channel, payload) {
    const now = this._now()
    if (now - t.quietSince < this._o.idleMs || now - t.lastFrameAt < this._minFrameIntervalMs) return false
    // Quiet for a whole maxWaitMs: the producer's next turn is not expected before this batch's deadline.
    const quietTurn = now - t.quietSince >= this._o.maxWaitMs
    // A plain send, as unbatched: no frame to build, clone and unpack (bench/RESULTS.md,
    // latency at 20 msg/s). Not while a frame of t is being sent (it would overtake it),
    // nor past flow control's allowance of unacknowledged plain sends.
    // What follows the send in this turn delays it (a child process's channel writes when the
    // turn ends), so its statistics are only counted (clock.js).
    if (!t.sending && this._flow.allowsDirect(t)) {
      // send() may re-enter: what it adds queues behind this message (t.sending) and leaves next.
      t.sending = true
      let sent
      try {
        sent = this._delivery.sendDirect(t, channel, payload)
      } finally {
        t.sending = false
      }
      // Dated after the send: the rest of the turn goes on from there, however long the send took,
      // and a frame budget counts from there, as from a frame's (_record).
      const sentAt = quietTurn || this._minFrameIntervalMs > 0 ? this._now() : now
      if (quietTurn) this._turns.quiet(t, sentAt)
      if (sent) {
        t.lastFrameAt = sentAt
        t.quietSince = now
        this._flow.directSent(t)
        const sampled = --this._sampleCountdown === 0
        if (sampled) this._sampleCountdown = this._o.waitSampleEvery
        this._clock.idleSent(sampled)
        this._counts.frame(1)
      }
      this._flushAsked(t)
      return true
    }
    t.channels.push(channel)
    t.payloads.push(payload)
    t.live = 1
    if (--this._sampleCountdown === 0) {
      this._sampleCountdown = this._o.waitSampleEvery
      t.samples.push(now)
    }
    this._flushTarget(t, Reason.Idle)
    if (quietTurn) this._turns.quiet(t, this._now())
    return true
  }

  // With a frame budget, a size or bytes flush that comes too soon after the
  // last frame waits for the batch's timer (armed for the budget); the batch
  // grows meanwhile, bounded by maxQueueSize.
  _waitForBudget(t) {
    if (t.deferred) return true
    if (t.live >= this._o.maxQueueSize || this._now() - t.lastFrameAt >= this._minFrameIntervalMs) return false
    t.deferred = true
    return true
  }

  _dropOldestOf(t) {
    const dropped = t.dropOldest()
    if (dropped === undefined) return
    this._counts.drop('overflow', 1)
    this._forgetDuplicateKey(t, dropped.channel, dropped.payload)
  }

  // A message that left the queue unsent must not make a later equal one look
  // like a duplicate.
  _forgetDuplicateKey(t, channel, payload) {
    if (t.dupes === null) return
    const key = exactKey(payload)
    if (key !== undefined) t.dupes.delete(channel + '\u0000' + key)
  }

  _sample(t) {
    this._sampleCountdown = this._o.waitSampleEvery
    t.samples.push(this._now())
  }

  // Gives t's batch a deadline (or tightens it). The native timer learns it
  // when the turn ends, and only if the batch is still pending then; at once
  // for a target whose batches outlive their turn (turn-flush.js).
  _arm(t, urgency) {
    const now = this._now()
    if (t.urgency === NONE) {
      t.generation = this._lastGeneration = nextGeneration(this._lastGeneration)
      t.openedAt = now
    }
    t.urgency = urgency
    let delay = urgency === LOW ? this._o.lowPriorityWaitMs : this._o.maxWaitMs
    // A frame budget's wait must not end early, and the timer may fire TIMER_EARLY_MS early.
    if (this._minFrameIntervalMs > 0) delay = Math.max(delay, t.lastFrameAt + this._minFrameIntervalMs + TIMER_EARLY_MS - now)
    t.dueAt = Math.min(t.dueAt, now + delay)
    if (t.dueAt >= t.armedAt) return
    // If arming at once fails, the turn's end tries again and sends the batch if that fails too.
    if (!this._turns.armsAtOnce(t, now) || !this._tryArmNative(t)) this._turns.armLater(t)
  }

  // The turn that gave t's batch its deadline ended with the batch pending.
  // Runs in a microtask: a throw would be an unhandled rejection.
  _armNative(t, now) {
    if (!this._tryArmNative(t)) this._flushDue(t, now) // no timer would send it: send it now
  }

  // Gives the native timer t's deadline unless it holds it already; false when that failed.
  _tryArmNative(t) {
    if (t.urgency === NONE || t.dueAt >= t.armedAt || t.dead || this._closed) return true
    try {
      this._clock.arm(t.slot, t.generation, t.dueAt)
      t.armedAt = t.dueAt
      return true
    } catch (error) {
      this._clock.discard(t.slot, t.generation) // half armed: the timer must not fire it later
      this._report(error instanceof IpcError ? error : new InternalError(`ipcflow: arming a batch's timer failed (${messageOf(error)}); this is a bug in ipcflow, please report it`))
      return false
    }
  }

  // Forgets t's deadline (its messages stay queued; their batch's age is unknown from now on).
  _disarm(t) {
    if (t.armedAt !== Infinity) this._clock.discard(t.slot, t.generation)
    t.urgency = NONE
    t.openedAt = NaN
    t.dueAt = Infinity
    t.armedAt = Infinity
  }

  // The end of a producer's turn found `t` due before its next turn (turn-flush.js).
  _flushDue(t, now) {
    if (this._closed || this._closing) return
    if (this._minFrameIntervalMs > 0 && now - t.lastFrameAt < this._minFrameIntervalMs) return
    try {
      this._flushTarget(t, Reason.Time)
    } catch (error) {
      this._report(error instanceof IpcError ? error : new InternalError(`ipcflow: a flush at the end of a turn failed (${messageOf(error)}); this is a bug in ipcflow, please report it`))
    }
  }

  _stateFor(target) {
    let t = this._states.get(target)
    if (t === undefined) {
      checkTarget(target)
      if (this._deadTargets.has(target)) return DEAD_TARGET
      const slot = this._freeSlots.length > 0 ? this._freeSlots.pop() : this._bySlot.length
      t = new TargetQueue(target, slot, !this._o.holdUntilReady)
      this._turns.track(t)
      this._states.set(target, t)
      this._bySlot[slot] = t
    }
    this._lastTarget = target
    this._lastState = t
    return t
  }

  /** Sends one frame of `t`'s pending messages (at most `limit`); false when it sent none. */
  _flushTarget(t, reason, limit) {
    if (t.sending) {
      if (t.flushAgain === NONE_PENDING) t.flushAgain = reason
      return false
    }
    if ((reason === Reason.Size || reason === Reason.Bytes) && this._minFrameIntervalMs > 0 && this._waitForBudget(t)) {
      if (t.urgency === NONE) this._arm(t, NORMAL) // the timer sends what waits for the budget
      return false
    }
    if (t.live === 0) {
      this._disarm(t)
      t.resetBatch(0)
      return false
    }
    // Only a deadline the native timer holds needs forgetting there.
    const armedGeneration = t.armedAt !== Infinity ? t.generation : 0
    const openedAt = t.openedAt
    const samples = t.samples
    const bytes = t.bytes
    const partial = limit !== undefined && t.live > limit
    let channels, payloads
    if (partial) {
      ;({ channels, payloads } = t.takeFront(limit))
      if (t.dupes !== null) for (let i = 0; i < channels.length; i++) this._forgetDuplicateKey(t, channels[i], payloads[i])
    } else {
      ;({ channels, payloads } = t.takeMessages())
      t.resetBatch(0)
    }
    // send() and onError may re-enter (an onError that adds a critical message,
    // a send that flushes): what they queue leaves after this frame, with the next seq.
    t.sending = true
    let sent
    try {
      sent = this._delivery.sendFrame(t, this._stream, channels, payloads, this._flow.asksAck(t))
    } finally {
      t.sending = false
    }
    this._flow.sent(t)
    // A partial frame's bytes are known only when the rest is the message that forced it.
    this._record(t, armedGeneration, openedAt, reason, sent, partial && reason !== Reason.Bytes ? 0 : bytes, samples)
    // After a partial frame its caller decides what of the rest leaves (_flushAll's loop, or a
    // bytes flush that keeps the message which forced it).
    if (partial) t.flushAgain = NONE_PENDING
    else this._flushAsked(t)
    return true
  }

  // Runs the flush asked for while a send to t was under way (t.sending).
  _flushAsked(t) {
    const again = t.flushAgain
    if (again === NONE_PENDING) return
    t.flushAgain = NONE_PENDING
    this._flushAll(t, again, this._closing)
  }

  _record(t, armedGeneration, openedAt, reason, sent, bytes, samples) {
    if (armedGeneration !== 0) this._clock.discard(t.slot, armedGeneration)
    if (sent === 0) return
    const now = this._now()
    t.lastFrameAt = now
    // When the target's last message came: a lone message's batch opened with it (a timer frame of one
    // must not make the target look busy until maxWaitMs after it left); else this frame's turn.
    t.quietSince = sent === 1 && openedAt >= 0 ? openedAt : now
    const ageMs = now - openedAt // NaN when the batch never had a deadline
    this._clock.framed(reason, sent, bytes, ageMs >= 0 ? ageMs : -1, samples, now)
    this._counts.frame(sent)
    this._turns.frameLeft(t, reason, sent, ageMs)
  }

  _targetDied(t, lost) {
    this._counts.drop('destroyed', lost + t.live)
    this._forget(t)
    return false
  }

  _forget(t) {
    if (t === DEAD_TARGET) return
    this._disarm(t)
    t.resetBatch(0)
    t.dead = true
    t.open = false
    this._states.delete(t.target)
    this._deadTargets.add(t.target)
    this._bySlot[t.slot] = undefined
    this._freeSlots.push(t.slot)
    if (this._lastState === t) {
      this._lastTarget = NO_TARGET
      this._lastState = undefined
    }
  }

  _report(error) {
    if (this._o.onError === undefined) return
    try {
      this._o.onError(error)
    } catch {
      // A throwing onError must not take the batch (or the app) down.
    }
  }

  // Called by the native timer (through the weak ThreadsafeFunction) with
  // [slot, generation, ...]; anything thrown here would be uncaught.
  _onDue(due) {
    this._wakes++
    try {
      for (let i = 0; i + 1 < due.length; i += 2) {
        const t = this._bySlot[due[i]]
        if (t !== undefined && t.urgency !== NONE && t.generation === due[i + 1]) this._flushTarget(t, Reason.Time)
      }
    } catch (error) {
      this._report(error instanceof IpcError ? error : new InternalError(`ipcflow: a timer flush failed (${messageOf(error)}); this is a bug in ipcflow, please report it`))
    }
  }

  flush(target) {
    if (target === undefined) {
      for (const t of this._states.values()) if (t.open) this._flushAll(t, Reason.Manual)
      return
    }
    const t = this._states.get(target)
    if (t === undefined) {
      checkTarget(target)
      return
    }
    if (t.open) this._flushAll(t, Reason.Manual)
  }

  // Frames of maxBatchSize until the queue is empty, the target pauses or a
  // frame budget defers the rest to its timer (close() sends everything
  // regardless: `force`).
  _flushAll(t, reason, force = false) {
    while (t.live > 0 && !t.dead && (force || t.open) && !t.sending) {
      if (!this._flushTarget(t, reason, this._o.maxBatchSize)) break
    }
    if (t.sending && t.live > 0 && t.flushAgain === NONE_PENDING) t.flushAgain = reason
  }

  markReady(target) {
    const t = target === this._lastTarget ? this._lastState : this._stateFor(target)
    if (t.dead) return
    t.ready = true
    t.open = !t.paused
    if (t.live > 0 && !this._closed) this._flushAll(t, Reason.Ready)
  }

  _onAck(target, stream, seq) {
    const t = this._states.get(target)
    if (t === undefined || stream !== this._stream) return
    if (this._flow.acked(t, seq) && t.live > 0 && !this._closed) this._flushAll(t, Reason.Ready)
  }

  // A renderer client announced itself: with acks, flow control starts; a
  // client of another protocol version is reported and gets no frames' acks asked.
  _onReady(sender, info) {
    const t = this._stateFor(sender)
    const ready = checkReady(info)
    if (ready.ok && ready.acks) this._flow.start(t)
    if (!ready.ok) {
      this._report(new ProtocolError(versionMismatch(`The renderer client of webContents ${sender.id}`, ready.version), { received: String(ready.version) }))
    }
    this.markReady(sender)
  }

  markNotReady(target) {
    const t = target === this._lastTarget ? this._lastState : this._stateFor(target)
    if (t.dead) return
    this._disarm(t)
    t.ready = false
    t.open = false
  }

  /** Listens for renderer clients announcing themselves and acknowledging frames. */
  attach(ipcMain) {
    this._link.attach(ipcMain)
  }

  detach() {
    this._link.detach()
  }

  pending(target) {
    if (target !== undefined) return this._states.get(target)?.live ?? 0
    let n = 0
    for (const t of this._states.values()) n += t.live
    return n
  }

  getMetrics() {
    let pausedTargets = 0
    for (const t of this._states.values()) if (t.paused) pausedTargets++
    return this._counts.snapshot(this._clock.metrics(), {
      timerWakes: this._wakes,
      pending: this.pending(),
      pauses: this._flow.pauses,
      pausedTargets,
      targets: this._states.size,
    })
  }

  /** Sends every queued message now; returns a report (README "forceOptimization"). */
  forceOptimization() {
    return optimizeBatch(this)
  }

  resetMetrics() {
    this._wakes = 0
    this._clock.resetMetrics()
    this._counts.reset()
    this._flow.pauses = 0
  }

  async close() {
    if (this._closed || this._closing) return
    this._closing = true
    this._updateFastPath()
    // A send may add to a target this pass already emptied: pass again until
    // nothing is left, so an accepted message is never silently lost.
    do {
      for (const t of this._states.values()) this._flushAll(t, Reason.Close, true)
    } while (this._anyLeftToClose())
    this._closed = true
    this._updateFastPath()
    this.detach()
    this._unsubscribeMemory()
    this._clock.close()
  }

  _anyLeftToClose() {
    for (const t of this._states.values()) if (t.live > 0 && !t.dead && !t.sending) return true
    return false
  }
}

function checkTarget(target) {
  if (target === null || typeof target !== 'object' || typeof target.send !== 'function') {
    throw invalidArgument('target', 'a webContents-like object with send()', target)
  }
}

// Never a caller's target: the one-entry lookup cache starts (and is reset) empty.
const NO_TARGET = Object.freeze({})

// No flush asked for while a frame of the target was being sent.
const NONE_PENDING = -1

// Stands for a target that was destroyed: every message to it is a counted drop.
const DEAD_TARGET = Object.freeze({ dead: true, open: false, live: 0 })

module.exports = { BatchManager }
