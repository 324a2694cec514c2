'use strict'
// One handler run: timeout, cancellation and the AbortSignal the handler
// sees. The envelope resolves once; whatever the handler does after that
// (a late result or error) is discarded and counted as a late result.
// `host` is what the registry lends a call:
//   host.inflight          an InFlight (pipeline/inflight.js)
//   host.deadlines         a Deadlines (pipeline/deadlines.js) that calls expireCall
//   host.monitor           the duck-typed monitor, or undefined
//   host.counted(entry, code)  counts the outcome (code undefined: success)
const { TimeoutError, CancelledError } = require('../../errors')
const { ok, fail, fromThrown } = require('./envelope')
const { tell } = require('../metrics')
const { HandlerContext } = require('./context')

class Call {
  // `shared`: a cache's single-flight run; its callers are counted by the cache.
  constructor(host, entry, args, ctx, signal, start, key, shared = false) {
    this.host = host
    this.shared = shared
    this.entry = entry
    this.ctx = ctx
    this.start = start
    this.key = undefined
    this.done = false
    this.timed = false // tracked by host.deadlines until it settles
    this.callerSignal = undefined
    this.resolve = undefined
    this.promise = new Promise((resolve) => {
      this.resolve = resolve
    })
    this._run(args, signal, key)
  }

  _run(args, signal, key) {
    // `signal` is a genuine AbortSignal (HandlerRegistry#invoke adopts signal-like objects).
    if (signal !== undefined && signal !== null) {
      if (signal.aborted) return this.cancel('the caller aborted before the handler ran')
      this.callerSignal = signal
      this.onCallerAbort = () => this.cancel('the caller aborted')
      signal.addEventListener('abort', this.onCallerAbort, { once: true })
    }
    const { entry, host } = this
    entry.metrics.inFlight++
    this.key = host.inflight.add(this, key)
    if (entry.timeoutMs !== Infinity) {
      this.timed = true
      host.deadlines.add(this, entry.timeoutMs)
    }
    let result
    try {
      result = entry.handler(...args, this.ctx)
    } catch (error) {
      return this._settled(false, error)
    }
    let thenable
    try {
      thenable = result !== null && (typeof result === 'object' || typeof result === 'function') && typeof result.then === 'function'
    } catch (error) {
      return this._settled(false, error) // a returned Proxy whose trap throws on `then`
    }
    if (thenable) {
      // Promise.resolve adopts any thenable and turns a throwing `then` into a
      // rejection, but throws itself when a native promise's `constructor` getter does.
      try {
        Promise.resolve(result).then((value) => this._settled(true, value), (error) => this._settled(false, error))
      } catch (error) {
        this._settled(false, error)
      }
    } else {
      this._settled(true, result)
    }
  }

  abort(reason) {
    HandlerContext.abort(this.ctx, reason)
  }

  // Settled first, aborted after: abort listeners are user code that may
  // re-enter the registry (invoke, close, cancel), and must find this call
  // answered and out of the in-flight set and the deadlines' count.
  cancel(why) {
    if (this.done) return
    const error = new CancelledError(`Request on '${this.entry.channel}' was cancelled: ${why}`, { channel: this.entry.channel })
    this.finish(fail(error, this.start), error.code)
    this.abort(error)
  }

  close(error) {
    if (this.done) return
    this.finish(fail(error, this.start), error.code)
    this.abort(error)
  }

  _settled(success, value) {
    if (this.done) {
      this.entry.metrics.lateResults++
      tell(this.host.monitor, 'increment', 'ipcflow.invoke.late', 1)
      return
    }
    if (success) return this.finish(ok(value, this.start), undefined)
    const error = fromThrown(value, this.entry.channel)
    this.finish(fail(error, this.start), error.code)
  }

  finish(envelope, code) {
    if (this.done) return
    this.done = true
    if (this.timed) {
      this.timed = false
      this.host.deadlines.settled()
    }
    if (this.callerSignal !== undefined) this.callerSignal.removeEventListener('abort', this.onCallerAbort)
    const { host, entry } = this
    if (host.inflight.delete(this, this.key)) {
      entry.metrics.inFlight--
      entry.metrics.latency.record(envelope.metadata.executionTimeMs)
      tell(host.monitor, 'record', entry.channel, envelope.metadata.executionTimeMs)
    }
    if (!this.shared) host.counted(entry, code)
    this.resolve(envelope)
  }
}

/** What host.deadlines runs for a call still pending at its deadline. */
function expireCall(call) {
  if (call.done) return
  const { channel, timeoutMs } = call.entry
  const error = new TimeoutError(`Handler for '${channel}' did not answer within ${timeoutMs} ms`, { channel, timeoutMs })
  call.finish(fail(error, call.start), error.code) // before abort(): see Call#cancel
  call.abort(error)
}

module.exports = { Call, expireCall }
