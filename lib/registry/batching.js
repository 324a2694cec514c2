'use strict'
// Request batching (README "Request batching"), DataLoader's contract: calls
// to a channel registered with `{ batch: { maxSize, delayMs } }` that arrive
// within one window (counted from the first call, a cap) reach the handler
// once as `fn(keys, ctxs)`, keys[i] being call i's only argument; it returns
// an array of the same length. Each call has passed the sender check,
// validation and rate limit on its own before it joins. Identical keys in one
// batch are run once. The renderer side (renderer/batch.ts) sends the calls
// of one task as one IPC message (see serveBatchMessage).
//
// The window and a batch's timeout are the host's setTimeout (a window of 0:
// setImmediate), each cleared by its own kind, so fake timers (jest's) drive
// them: no native timer is involved.
const { IpcError, CancelledError, TimeoutError, ValidationError, invalidArgument } = require('../errors')
const { ok, fail, fromThrown } = require('./pipeline/envelope')
const { HandlerContext } = require('./pipeline/context')
const { Histogram } = require('./native')
const { argsKey } = require('./cache-key')
const { tell } = require('./metrics')
const { makeBatchReply } = require('../protocol')

const MAX_DELAY_MS = 60_000

/** Reads `options.batch`; undefined when absent. */
function readBatchOptions(value) {
  if (value === undefined) return undefined
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgument('options.batch', 'an object { maxSize?, delayMs? }', value)
  for (const k of Object.keys(value)) if (k !== 'maxSize' && k !== 'delayMs') throw invalidArgument(`options.batch.${k}`, 'one of maxSize, delayMs', value[k])
  const { maxSize = 100, delayMs = 0 } = value
  if (!Number.isInteger(maxSize) || maxSize < 1 || maxSize > 1e6) throw invalidArgument('options.batch.maxSize', 'an integer in [1, 1000000]', maxSize)
  if (typeof delayMs !== 'number' || !(delayMs >= 0) || delayMs > MAX_DELAY_MS) throw invalidArgument('options.batch.delayMs', `a number of ms in [0, ${MAX_DELAY_MS}]`, delayMs)
  return { maxSize, delayMs, metrics: new BatchMetrics() }
}

class BatchMetrics {
  constructor() {
    this.sizes = new Histogram()
    this.waitMs = new Histogram()
    this.reset()
  }

  reset() {
    this.batches = 0
    this.calls = 0
    this.deduplicated = 0
    this.sizes.reset()
    this.waitMs.reset()
  }

  snapshot() {
    return { batches: this.batches, calls: this.calls, deduplicated: this.deduplicated, sizes: this.sizes.summary(), waitMs: this.waitMs.summary() }
  }
}

// Cross-realm: an Error from a vm context or another module instance counts too.
const isError = (v) => v !== null && typeof v === 'object' && Object.prototype.toString.call(v) === '[object Error]'

/** The batches of one registry: at most one open (collecting) batch per channel. */
class BatchHub {
  constructor(hooks) {
    this.hooks = hooks // counted(entry, code), cancellable: Map
    this.open = new Map() // entry -> Batch
    this.running = new Set()
    this.closedWith = undefined // closeAll's errorFor, once the registry closed
  }

  /** One call joins its channel's open batch; resolves with its own envelope. `shared`: a cache flight (uncounted). */
  join(entry, args, ctx, signal, start, cancelKey, shared = false) {
    if (args.length !== 1) {
      const error = new ValidationError(`'${entry.channel}' is a batch channel: it takes exactly 1 argument, got ${args.length}`, {
        channel: entry.channel,
        target: 'args',
        errors: [{ pointer: '', keyword: 'arity', message: `expected exactly 1 argument, got ${args.length}` }],
      })
      if (!shared) this.hooks.counted(entry, error.code)
      return Promise.resolve(fail(error, start))
    }
    // The key first: on a channel without caps it reads the caller's getters, which may
    // re-enter (fill and flush this channel's batch, or close the registry).
    const key = argsKey([args[0]])
    if (this.closedWith !== undefined) {
      const error = this.closedWith(entry.channel)
      if (!shared) this.hooks.counted(entry, error.code)
      return Promise.resolve(fail(error, start))
    }
    let batch = this.open.get(entry)
    if (batch === undefined) {
      batch = new Batch(this, entry)
      this.open.set(entry, batch)
    }
    const call = new BatchCall(this, entry, batch, start, shared)
    if (signal?.aborted) {
      call.finish(fail(new CancelledError(`Request on '${entry.channel}' was cancelled before it was batched`, { channel: entry.channel }), start), 'E_CANCELLED')
      return call.promise
    }
    batch.add(call, key, args[0], ctx)
    call.watch(signal, cancelKey)
    if (batch.slots.length >= entry.batch.maxSize) batch.flush()
    return call.promise
  }

  closeAll(errorFor) {
    this.closedWith = errorFor
    for (const batch of [...this.open.values(), ...this.running]) batch.close(errorFor(batch.entry.channel))
    this.open.clear()
    this.running.clear()
  }
}

class Batch {
  constructor(hub, entry) {
    this.hub = hub
    this.entry = entry
    this.slots = [] // { arg, ctx, calls: Set<BatchCall> }
    this.byKey = new Map()
    this.started = false
    this.done = false
    // The window: a timer, or for 0 an immediate; then (flush) the batch's timeout.
    this.immediate = entry.batch.delayMs === 0 ? setImmediate(() => this.flush()) : undefined
    this.timer = entry.batch.delayMs === 0 ? undefined : setTimeout(() => this.flush(), entry.batch.delayMs)
  }

  add(call, key, arg, ctx) {
    let slot = key === undefined ? undefined : this.byKey.get(key)
    if (slot === undefined) {
      slot = { arg, ctx, calls: new Set() }
      this.slots.push(slot)
      if (key !== undefined) this.byKey.set(key, slot)
    } else {
      this.entry.batch.metrics.deduplicated++
    }
    slot.calls.add(call)
    call.slot = slot
  }

  remove(call) {
    call.slot?.calls.delete(call)
  }

  flush() {
    if (this.started) return
    this.started = true
    this.clearTimers()
    const { hub, entry } = this
    if (hub.open.get(entry) === this) hub.open.delete(entry)
    this.slots = this.slots.filter((s) => s.calls.size > 0) // cancelled before the batch started
    if (this.slots.length === 0) return
    hub.running.add(this)
    const m = entry.batch.metrics
    const now = performance.now()
    m.batches++
    m.sizes.record(this.slots.length)
    for (const slot of this.slots) {
      for (const call of slot.calls) {
        m.calls++
        m.waitMs.record(now - call.start)
      }
    }
    tell(hub.hooks.monitor, 'increment', 'ipcflow.batch.batches', 1)
    if (entry.timeoutMs !== Infinity) this.timer = setTimeout(() => this.timeout(), entry.timeoutMs)
    let result
    try {
      result = entry.handler(this.slots.map((s) => s.arg), this.slots.map((s) => s.ctx))
    } catch (error) {
      return this.settle(false, error)
    }
    let thenable
    try {
      thenable = result !== null && typeof result === 'object' && typeof result.then === 'function'
    } catch (error) {
      return this.settle(false, error) // a returned Proxy whose trap throws on `then`
    }
    if (thenable) {
      try {
        Promise.resolve(result).then((v) => this.settle(true, v), (e) => this.settle(false, e))
      } catch (error) {
        this.settle(false, error) // a native promise whose `constructor` getter throws
      }
    } else {
      this.settle(true, result)
    }
  }

  settle(success, value) {
    const { entry } = this
    if (this.done) {
      entry.metrics.lateResults++
      return
    }
    this.end()
    if (!success) return this.each(() => fromThrown(value, entry.channel))
    const n = this.slots.length
    // Read everything before answering anyone: a Proxy result may throw from any read,
    // and a throw here (a promise callback) would be an unhandled rejection or an uncaught exception.
    let values
    let errors
    try {
      if (!Array.isArray(value) || value.length !== n) {
        const got = Array.isArray(value) ? `${value.length} results` : `a ${value === null ? 'null' : typeof value}`
        const error = new IpcError('E_HANDLER', `Batch handler for '${entry.channel}' returned ${got} for ${n} keys: lengths differ`, { channel: entry.channel, keys: n })
        return this.each(() => error)
      }
      values = Array.from({ length: n }, (_, i) => value[i])
      errors = values.map((v) => (isError(v) ? fromThrown(v, entry.channel) : undefined))
    } catch (thrown) {
      const error = fromThrown(thrown, entry.channel)
      return this.each(() => error)
    }
    this.slots.forEach((slot, i) => {
      let first = true
      for (const call of slot.calls) {
        call.answer(errors[i], first ? values[i] : ownCopy(values[i]))
        first = false
      }
    })
  }

  each(errorOf) {
    for (const slot of this.slots) {
      const error = errorOf(slot)
      for (const call of slot.calls) call.answer(error, undefined)
    }
  }

  end() {
    this.done = true
    this.clearTimers()
    this.hub.running.delete(this)
  }

  clearTimers() {
    if (this.timer !== undefined) clearTimeout(this.timer)
    if (this.immediate !== undefined) clearImmediate(this.immediate)
    this.timer = this.immediate = undefined
  }

  timeout() {
    if (this.done) return
    const { channel, timeoutMs } = this.entry
    const error = new TimeoutError(`Batch handler for '${channel}' did not answer within ${timeoutMs} ms`, { channel, timeoutMs })
    for (const slot of this.slots) HandlerContext.abort(slot.ctx, error)
    this.end()
    this.each(() => error)
  }

  close(error) {
    this.started = true
    this.clearTimers()
    for (const slot of this.slots) HandlerContext.abort(slot.ctx, error)
    this.done = true
    this.each(() => error)
  }
}

class BatchCall {
  constructor(hub, entry, batch, start, shared) {
    this.hub = hub
    this.entry = entry
    this.batch = batch
    this.start = start
    this.shared = shared
    this.done = false
    this.slot = undefined
    this.promise = new Promise((resolve) => {
      this.resolve = resolve
    })
    entry.metrics.inFlight++
  }

  watch(signal, cancelKey) {
    if (signal !== undefined && signal !== null) {
      this.signal = signal
      this.onAbort = () => this.cancel('the caller aborted')
      signal.addEventListener('abort', this.onAbort, { once: true })
    }
    const cancellable = this.hub.hooks.cancellable
    if (cancelKey !== undefined && !cancellable.has(cancelKey)) {
      this.cancelKey = cancelKey
      cancellable.set(cancelKey, this)
    }
  }

  /** Out of its batch if that has not started; otherwise its result is discarded. */
  cancel(why) {
    if (this.done) return
    if (!this.batch.started) this.batch.remove(this)
    const error = new CancelledError(`Request on '${this.entry.channel}' was cancelled: ${why}`, { channel: this.entry.channel })
    this.finish(fail(error, this.start), error.code)
  }

  answer(error, value) {
    if (this.done) return
    if (error !== undefined) return this.finish(fail(error, this.start), error.code)
    const envelope = ok(value, this.start)
    envelope.metadata.batched = true
    this.finish(envelope, undefined)
  }

  finish(envelope, code) {
    this.done = true
    if (this.onAbort !== undefined) this.signal.removeEventListener('abort', this.onAbort)
    const cancellable = this.hub.hooks.cancellable
    if (this.cancelKey !== undefined && cancellable.get(this.cancelKey) === this) cancellable.delete(this.cancelKey)
    const { metrics } = this.entry
    metrics.inFlight--
    metrics.latency.record(envelope.metadata.executionTimeMs)
    if (!this.shared) this.hub.hooks.counted(this.entry, code)
    this.resolve(envelope)
  }
}

// Calls deduplicated into one slot must not share one mutable answer (in process, or as one
// object cloned into a batched reply): each after the first gets a structured clone. A value
// that cannot be cloned (in process only) is handed as it is.
function ownCopy(value) {
  if (value === null || typeof value !== 'object') return value
  try {
    return structuredClone(value)
  } catch {
    return value
  }
}

/** Serves every call of one BatchRequest through `dispatch(args, id)`; one BatchReply when all have answered. */
function serveBatchMessage(calls, dispatch) {
  return Promise.all(calls.map((c) => dispatch(c.args, c.id))).then(makeBatchReply)
}

module.exports = { BatchHub, readBatchOptions, serveBatchMessage }
