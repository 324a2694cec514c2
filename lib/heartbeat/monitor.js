'use strict'
// HeartbeatMonitor: probes a source every intervalMs; misses make it stale,
// then dead; when dead it calls reconnect() with capped attempts and
// exponential backoff with jitter (README "HeartbeatMonitor"). Every wait is
// on the batch clock (NativeTimers), so an open monitor does not keep the
// process alive; or on `deps.clock` when one is given (lib/timers/injected.js:
// a test's fake timers).
const { readDepsClock, nowOf, timersOn } = require('../timers/injected')
const { SafeEmitter } = require('../monitor/events')
const { readHeartbeatOptions, backoffDelay } = require('./options')
const { TimeoutError } = require('../errors')

const NEXT = 0 // the next probe or reconnect attempt
const DEADLINE = 1 // the running probe's timeout

class HeartbeatMonitor extends SafeEmitter {
  /** `deps.clock`: time and timers to use instead of performance.now() and the native timer (lib/timers/injected.js). */
  constructor(options, deps) {
    super()
    this._o = readHeartbeatOptions(options)
    const clock = readDepsClock(deps)
    this._now = nowOf(clock)
    this._timers = timersOn(clock, (slot) => this._fire(slot), this._o.intervalMs)
    this._timers.alloc() // NEXT
    this._timers.alloc() // DEADLINE
    this._status = 'healthy'
    this._next = 'probe'
    this._running = 0 // token of the probe in flight (0: none)
    this._token = 0
    this._misses = 0
    this._attempts = 0
    this._gaveUp = false
    this._stats = { probes: 0, failures: 0, lastRttMs: undefined, reconnects: 0, lastError: undefined }
    this._closed = false
    this._probe() // the first answer comes now, not an interval from now
  }

  /** 'healthy' | 'stale' | 'dead'. */
  get status() {
    return this._status
  }

  getStats() {
    const s = this._stats
    return {
      status: this._status,
      probes: s.probes,
      failures: s.failures,
      consecutiveMisses: this._misses,
      lastRttMs: s.lastRttMs,
      reconnectAttempts: this._attempts,
      reconnects: s.reconnects,
      gaveUp: this._gaveUp,
      lastError: s.lastError,
    }
  }

  /** Stops probing and reconnecting; a probe with close() (pingProbe) is closed too. */
  close() {
    if (this._closed) return
    this._closed = true
    this._running = 0
    this._timers.close()
    if (typeof this._o.probe.close === 'function') {
      try {
        this._o.probe.close()
      } catch {
        // closing is best effort
      }
    }
  }

  _fire(slot) {
    if (this._closed) return
    if (slot === DEADLINE) {
      if (this._running === 0) return
      this._running = 0
      this._missed(new TimeoutError(`No heartbeat answer within ${this._o.timeoutMs} ms`, { timeoutMs: this._o.timeoutMs }))
    } else if (this._next === 'reconnect') {
      this._reconnect()
    } else {
      this._probe()
    }
  }

  _probe() {
    const token = ++this._token
    this._running = token
    this._stats.probes++
    const started = this._now()
    this._timers.arm(DEADLINE, this._o.timeoutMs)
    let answer
    try {
      answer = Promise.resolve(this._o.probe())
    } catch (error) {
      answer = Promise.reject(error)
    }
    answer.then(
      () => this._settled(token, () => this._answered(this._now() - started)),
      (error) => this._settled(token, () => this._missed(error)),
    )
  }

  // Only the probe still awaited counts: a late answer after its timeout is ignored.
  _settled(token, then) {
    if (this._closed || this._running !== token) return
    this._running = 0
    this._timers.disarm(DEADLINE)
    then()
  }

  _answered(rttMs) {
    this._stats.lastRttMs = rttMs
    this._misses = 0
    this._attempts = 0
    this._gaveUp = false
    this._setStatus('healthy', { rttMs })
    this._schedule('probe', this._o.intervalMs)
  }

  _missed(error) {
    this._stats.failures++
    this._stats.lastError = { code: error?.code ?? 'E_HANDLER', message: String(error?.message ?? error) }
    this._misses++
    const o = this._o
    const status = this._misses >= o.deadAfter ? 'dead' : this._misses >= o.staleAfter ? 'stale' : this._status
    this._setStatus(status, { misses: this._misses, error })
    if (status === 'dead' && o.reconnect !== undefined) this._planReconnect()
    else this._schedule('probe', o.intervalMs)
  }

  _planReconnect() {
    if (this._attempts >= this._o.maxReconnectAttempts) {
      // Given up: no more reconnects, but keep probing so a source that comes back is seen.
      if (!this._gaveUp) {
        this._gaveUp = true
        this.emit('gave-up', { attempts: this._attempts })
      }
      this._schedule('probe', this._o.intervalMs)
      return
    }
    const attempt = ++this._attempts
    const delayMs = backoffDelay(attempt, this._o.backoff)
    this.emit('reconnecting', { attempt, delayMs })
    this._schedule('reconnect', delayMs)
  }

  _reconnect() {
    const attempt = this._attempts
    const token = ++this._token
    let done
    try {
      done = Promise.resolve(this._o.reconnect({ attempt }))
    } catch (error) {
      done = Promise.reject(error)
    }
    done.then(
      () => {
        if (this._closed || token !== this._token) return
        this._stats.reconnects++
        this.emit('reconnected', { attempt })
        this._probe() // healthy only once the source answers again
      },
      (error) => {
        if (this._closed || token !== this._token) return
        this.emit('reconnect-failed', { attempt, error })
        this._planReconnect()
      },
    )
  }

  _schedule(next, delayMs) {
    this._next = next
    this._timers.arm(NEXT, delayMs)
  }

  _setStatus(status, info) {
    const previous = this._status
    if (status === previous) return
    this._status = status
    this.emit('status', status, previous, info)
    this.emit(status, info)
  }
}

module.exports = { HeartbeatMonitor }
