'use strict'
// HandlerRegistry: every renderer -> main request through one path:
// sender check -> size/depth caps + validation -> rate limit -> handler with
// timeout -> envelope. `invoke` and the ipcMain handlers share that path;
// neither ever throws or rejects for anything a caller or handler did.
const { ClosedError, NotFoundError, DuplicateHandlerError, InternalError, InvalidArgumentError, ProtocolError, ValidationError, internalFrom, invalidArgument, messageOf } = require('../errors')
const { readRegistryOptions, createEntry } = require('./options')
const { checkSender } = require('./senders')
const { checkArgs, checkRate, readLocalArgs } = require('./pipeline/guard')
const { fail } = require('./pipeline/envelope')
const { Call, expireCall } = require('./pipeline/call')
const { Deadlines } = require('./pipeline/deadlines')
const { HandlerContext, infoFromEvent } = require('./pipeline/context')
const { InFlight, cancelKey } = require('./pipeline/inflight')
const { CANCEL_CHANNEL, RESERVED_PREFIX, checkBatchRequest, checkRequest, isReservedChannel, versionMismatch } = require('../protocol')
const { totals, tell } = require('./metrics')
const { subscribePressure } = require('../memory/pressure')
const { serveCached, caches } = require('./cache')
const { StreamHub, readStreamOptions, STREAM_ACK_CHANNEL } = require('./stream')
const { BatchHub, serveBatchMessage } = require('./batching')
const { optimizeRegistry } = require('../optimize')
const { setOwn } = require('../own')

const NO_INFO = Object.freeze({ senderId: undefined, origin: undefined, url: undefined, sender: undefined, signal: undefined })

// Closed while the call's checks ran user code (allowSender, a getter, the monitor, cache.key).
const closedBefore = (channel) => new ClosedError(`HandlerRegistry was closed before '${channel}' ran`, { channel })

/**
 * A signal-like object (or an AbortSignal of another realm), followed through
 * an AbortSignal of ours: the pipeline then never calls the caller's object,
 * which could throw or call its listener at once. `release` unsubscribes once
 * the call answered. Undefined when reading or subscribing threw.
 */
function adoptSignal(theirs) {
  const controller = new AbortController()
  const follow = () => {
    let reason
    try {
      reason = theirs.reason
    } catch {
      // aborted all the same
    }
    controller.abort(reason)
  }
  try {
    if (theirs.aborted) follow()
    else theirs.addEventListener('abort', follow, { once: true })
  } catch {
    return undefined
  }
  const release = () => {
    try {
      theirs.removeEventListener?.('abort', follow)
    } catch {
      // theirs to fail
    }
  }
  return { signal: controller.signal, release }
}

function checkChannel(channel) {
  if (typeof channel !== 'string' || channel.length === 0 || channel.length > 256) {
    throw invalidArgument('channel', 'a non-empty string of at most 256 characters', channel)
  }
  if (isReservedChannel(channel)) throw invalidArgument('channel', `a name outside the reserved '${RESERVED_PREFIX}' prefix`, channel)
}

class HandlerRegistry {
  constructor(options) {
    const o = readRegistryOptions(options)
    this._monitor = o.monitor
    this._defaults = o.defaults
    this._entries = new Map()
    this._inflight = new InFlight()
    this._deadlines = new Deadlines(expireCall)
    this._callHost = { inflight: this._inflight, deadlines: this._deadlines, monitor: o.monitor, counted: (entry, code) => this._counted(entry, code) }
    this._ipcMain = undefined
    this._handled = new Set() // channels this registry put on ipcMain
    this._onCancel = undefined
    this._closed = false
    this._unrouted = { calls: 0, errorsByCode: Object.create(null) }
    this._watched = new WeakSet() // webContents whose 'destroyed' resets their per-sender limits
    // The cache reaches these after user code (cache.key, the monitor) that may have closed the registry.
    this._cacheHooks = {
      run: (entry, args, ctx, start) => {
        if (this._closed) return Promise.resolve(fail(closedBefore(entry.channel), start)) // uncounted: the cache's callers count it
        return entry.batch !== undefined ? this._batches.join(entry, args, ctx, undefined, start, undefined, true) : new Call(this._callHost, entry, args, ctx, undefined, start, undefined, true).promise
      },
      plain: (entry, args, ctx, signal, start, key) => {
        if (this._closed) return this._failed(entry, closedBefore(entry.channel), start)
        return entry.batch !== undefined ? this._batches.join(entry, args, ctx, signal, start, key) : new Call(this._callHost, entry, args, ctx, signal, start, key).promise
      },
      counted: (entry, code) => this._counted(entry, code),
      tell: (method, name, value) => tell(this._monitor, method, name, value),
      cancellable: this._inflight.cancellable,
      monitor: this._monitor,
    }
    this._streams = new StreamHub(this._cacheHooks)
    this._batches = new BatchHub(this._cacheHooks)
    // Critical memory pressure halves every response cache (the oldest entries go first).
    this._unsubscribeMemory = subscribePressure(o.memory, 'options.memory', (level) => {
      if (level === 'critical' && !this._closed) this.shrinkCaches(0.5)
    })
  }

  get closed() {
    return this._closed
  }

  register(channel, handler, options) {
    this._add(channel, handler, options, undefined)
  }

  /** A channel whose handler produces an (async) iterable, read by `client.stream` (README "Streaming"). */
  registerStream(channel, handler, options) {
    const { stream, rest } = readStreamOptions(options)
    this._add(channel, handler, rest, stream)
  }

  // The entry is complete before it is reachable: ipcMain.handle may re-enter (invoke, unregister).
  _add(channel, handler, options, stream) {
    if (this._closed) throw new ClosedError('HandlerRegistry is closed: register after close()', { channel })
    checkChannel(channel)
    if (typeof handler !== 'function') throw invalidArgument('handler', 'a function', handler)
    if (this._entries.has(channel)) throw new DuplicateHandlerError(`A handler is already registered for '${channel}'`, { channel })
    const entry = createEntry(channel, handler, options, this._defaults)
    if (stream !== undefined) entry.stream = stream
    this._entries.set(channel, entry)
    if (this._ipcMain !== undefined) {
      try {
        this._handle(channel)
      } catch (error) {
        // Unless an attach that ipcMain.handle re-entered has handled it meanwhile.
        if (this._handled.has(channel) && this._entries.get(channel) === entry) return
        if (this._entries.get(channel) === entry) this._entries.delete(channel)
        throw error
      }
    }
  }

  /** Removes a channel (and its ipcMain handler); calls in flight still answer. */
  unregister(channel) {
    if (!this._entries.delete(channel)) return false
    if (this._handled.delete(channel)) this._ipcMain.removeHandler(channel)
    return true
  }

  has(channel) {
    return this._entries.has(channel)
  }

  channels() {
    return [...this._entries.keys()]
  }

  /** Wires every channel, now and later, through ipcMain.handle; listens for renderer cancels. */
  attach(ipcMain) {
    if (ipcMain === null || typeof ipcMain !== 'object' || typeof ipcMain.handle !== 'function' || typeof ipcMain.removeHandler !== 'function' ||
      typeof ipcMain.on !== 'function' || typeof ipcMain.removeListener !== 'function') {
      throw invalidArgument('ipcMain', 'an object with handle(), removeHandler(), on() and removeListener()', ipcMain)
    }
    if (this._closed) throw new ClosedError('HandlerRegistry is closed: attach after close()')
    this.detach()
    const onCancel = (event, id) => {
      try {
        if (typeof id !== 'string') return
        const key = cancelKey(infoFromEvent(event).senderId, id)
        const call = this._inflight.find(key)
        if (call !== undefined) call.cancel('the renderer cancelled it')
        else this._streams.cancelUnclaimed(key) // a stream cancel may arrive before its request is read
      } catch {
        // a listener must not throw into ipcMain's emit
      }
    }
    this._ipcMain = ipcMain
    this._onCancel = onCancel
    // ipcMain.handle is not ours: it may re-enter register (which then handles its
    // channel itself), unregister, detach or attach; this attach then yields to theirs.
    const current = () => this._onCancel === onCancel
    try {
      for (const channel of [...this._entries.keys()]) {
        if (!current()) return
        if (this._entries.has(channel) && !this._handled.has(channel)) this._handle(channel)
      }
      if (!current()) return
      ipcMain.on(CANCEL_CHANNEL, onCancel)
      ipcMain.on(STREAM_ACK_CHANNEL, this._streams.onAck)
    } catch (error) {
      if (!current()) return // superseded: what failed was the stale attach's
      this.detach()
      throw error
    }
  }

  /** Never throws: close() relies on it. */
  detach() {
    const ipcMain = this._ipcMain
    if (ipcMain === undefined) return
    // Forgotten first: removeHandler is ipcMain's code and may re-enter register or attach.
    const handled = [...this._handled]
    const onCancel = this._onCancel
    this._handled.clear()
    this._onCancel = undefined
    this._ipcMain = undefined
    for (const channel of handled) {
      try {
        ipcMain.removeHandler(channel)
      } catch {
        // keep removing the others
      }
    }
    for (const [channel, listener] of [[CANCEL_CHANNEL, onCancel], [STREAM_ACK_CHANNEL, this._streams.onAck]]) {
      try {
        if (listener !== undefined) ipcMain.removeListener(channel, listener)
      } catch {
        // as above
      }
    }
  }

  _handle(channel) {
    const ipcMain = this._ipcMain
    const listener = (event, ...raw) => this._fromIpc(channel, event, raw)
    try {
      ipcMain.handle(channel, listener)
    } catch (error) {
      throw new DuplicateHandlerError(`ipcMain already has a handler for '${channel}': ${messageOf(error)}`, { channel })
    }
    if (this._ipcMain === ipcMain) {
      this._handled.add(channel)
      return
    }
    try {
      ipcMain.removeHandler(channel) // detached while ipcMain.handle ran: not left there untracked
    } catch {
      // as in detach()
    }
  }

  // ipcMain's handler: returns the envelope, never throws (Electron would
  // replace a thrown error's code and details with its own message).
  _fromIpc(channel, event, raw) {
    const start = performance.now()
    try {
      const info = infoFromEvent(event)
      if (info.sender !== undefined && !this._watched.has(info.sender)) this._watch(info.sender, info.senderId)
      const calls = checkBatchRequest(raw)
      if (calls !== undefined) return serveBatchMessage(calls, (args, id) => this._dispatch(channel, args, info, start, cancelKey(info.senderId, id)))
      const request = checkRequest(raw)
      if (request.kind === 'version') {
        const error = new ProtocolError(versionMismatch(`The renderer client calling '${channel}'`, request.version), { channel, received: String(request.version) })
        return this._unroutedFail(error, start)
      }
      const id = request.kind === 'request' ? request.id : undefined
      return this._dispatch(channel, request.args, info, start, cancelKey(info.senderId, id))
    } catch (error) {
      const bug = new InternalError(`ipcflow failed to dispatch '${channel}' (${messageOf(error)}); this is a bug in ipcflow, please report it`, { channel })
      return Promise.resolve(fail(bug, start))
    }
  }

  // Per-sender rate-limit keys would otherwise outlive their window forever.
  _watch(sender, senderId) {
    this._watched.add(sender)
    if (senderId === undefined || typeof sender.once !== 'function') return
    try {
      sender.once('destroyed', () => {
        for (const entry of this._entries.values()) {
          for (const { per, limiter } of entry.limits) if (per === 'sender') limiter.reset(String(senderId))
        }
      })
    } catch {
      // not an EventEmitter: keys stay until the limiter forgets them
    }
  }

  /** Runs the pipeline in process; always resolves with an envelope. */
  invoke(channel, args, ctx) {
    const start = performance.now()
    let info = NO_INFO
    let signal
    let problem
    let reading = 'channel'
    try {
      if (typeof channel !== 'string') problem = invalidArgument('channel', 'a string', channel)
      else {
        reading = 'args'
        if (!Array.isArray(args)) problem = invalidArgument('args', 'an array of arguments', args)
        else if (ctx !== undefined && ctx !== null) {
          reading = 'ctx'
          if (typeof ctx !== 'object') problem = invalidArgument('ctx', 'an object { senderId?, origin?, url?, signal? }', ctx)
          else {
            signal = ctx.signal // read once: a getter could answer differently the next time
            if (signal !== undefined && (signal === null || typeof signal.addEventListener !== 'function' || typeof signal.aborted !== 'boolean')) {
              problem = invalidArgument('ctx.signal', 'an AbortSignal', signal)
            } else info = ctx
          }
        }
      }
    } catch {
      // a revoked Proxy (Array.isArray throws) or a throwing getter
      problem = new InvalidArgumentError(`${reading} of invoke('${typeof channel === 'string' ? channel : '?'}') could not be read`, { argument: reading })
    }
    if (problem === undefined && signal !== undefined && !(signal instanceof AbortSignal)) {
      const adopted = adoptSignal(signal)
      if (adopted === undefined) problem = new InvalidArgumentError('ctx.signal must be an AbortSignal (its aborted, reason or addEventListener threw)', { argument: 'ctx.signal' })
      else {
        const envelope = this._dispatch(channel, args, info, start, undefined, true, adopted.signal)
        envelope.then(adopted.release)
        return envelope
      }
    }
    if (problem !== undefined) return this._unroutedFail(problem, start)
    return this._dispatch(channel, args, info, start, undefined, true, signal)
  }

  // `local`: args come from main-process code, not a structured clone; `signal`: the caller's.
  _dispatch(channel, args, info, start, key, local = false, signal = undefined) {
    if (this._closed) return this._unroutedFail(new ClosedError(`HandlerRegistry is closed: '${channel}' was not run`, { channel }), start)
    const entry = this._entries.get(channel)
    if (entry === undefined) return this._unroutedFail(new NotFoundError(`No handler registered for '${channel}'`, { channel }), start)
    entry.metrics.calls++
    tell(this._monitor, 'increment', 'ipcflow.invoke.calls', 1)
    let ctx
    try {
      ctx = new HandlerContext(channel, info)
    } catch {
      return this._failed(entry, new InvalidArgumentError(`ctx of invoke('${channel}') could not be read (a getter threw)`, { argument: 'ctx' }), start)
    }
    let error = checkSender(entry, ctx)
    if (error === undefined) {
      try {
        if (local) {
          const read = readLocalArgs(entry, args)
          error = read.error
          args = read.args
        }
        if (error === undefined) error = checkArgs(entry, args)
      } catch (thrown) {
        // Our bug stays ours; otherwise a value the snapshot kept by reference threw when read.
        error = internalFrom(thrown) ??
          new ValidationError(`Arguments for '${channel}' could not be read: ${messageOf(thrown)}`, { channel, errors: [] })
      }
    }
    // The checks above may run user code (the monitor, allowSender, a getter) that closed the registry.
    if (error === undefined) error = this._closed ? closedBefore(channel) : checkRate(entry, ctx)
    if (error !== undefined) return this._failed(entry, error, start)
    if (entry.stream !== undefined) return this._streams.open(entry, args, ctx, info, start, key)
    if (entry.cache !== undefined) return serveCached(this._cacheHooks, entry, args, ctx, signal, start, key)
    if (entry.batch !== undefined) return this._batches.join(entry, args, ctx, signal, start, key)
    return new Call(this._callHost, entry, args, ctx, signal, start, key).promise
  }

  _failed(entry, error, start) {
    this._counted(entry, error.code)
    return Promise.resolve(fail(error, start))
  }

  _counted(entry, code) {
    if (code === undefined) {
      entry.metrics.ok++
      return
    }
    entry.metrics.failed(code)
    tell(this._monitor, 'increment', `ipcflow.invoke.errors.${code}`, 1)
  }

  _unroutedFail(error, start) {
    const u = this._unrouted
    u.calls++
    u.errorsByCode[error.code] = (u.errorsByCode[error.code] ?? 0) + 1
    tell(this._monitor, 'increment', `ipcflow.invoke.errors.${error.code}`, 1)
    return Promise.resolve(fail(error, start))
  }

  getMetrics() {
    const channels = {}
    for (const [channel, entry] of this._entries) {
      setOwn(channels, channel, entry.metrics.snapshot())
      if (entry.stream !== undefined) channels[channel].stream = entry.stream.metrics.snapshot()
      if (entry.batch !== undefined) channels[channel].batch = entry.batch.metrics.snapshot()
    }
    return { channels, totals: totals(channels, this._unrouted) }
  }

  resetMetrics() {
    for (const entry of this._entries.values()) {
      entry.metrics.reset()
      entry.cache?.resetStats()
      entry.stream?.metrics.reset()
      entry.batch?.metrics.reset()
    }
    this._unrouted = { calls: 0, errorsByCode: Object.create(null) }
  }

  /** Drops cached answers of `channel`: all of them, or the one for `args` (the argument list). Returns how many. */
  invalidate(channel, args) {
    return caches.invalidate(this._entries, channel, args)
  }

  /** Drops every cached answer of the channels whose name starts with `prefix`. */
  invalidatePrefix(prefix) {
    return caches.invalidatePrefix(this._entries, prefix)
  }

  clearCache() {
    return caches.invalidatePrefix(this._entries, '')
  }

  /** Per cached channel: `{ hits, misses, entries, bytes, evictions, expirations, hitRate }`. */
  getCacheStats() {
    return caches.stats(this._entries)
  }

  /** Drops the oldest `fraction` (0 < fraction <= 1) of every cache, e.g. under memory pressure. Returns how many. */
  shrinkCaches(fraction) {
    const n = caches.shrink(this._entries, fraction)
    if (n > 0) tell(this._monitor, 'increment', 'ipcflow.cache.shrunk', n)
    return n
  }

  /** Clears the response caches (or shrinks them: `{ shrinkFraction }`); returns a report. */
  forceOptimization(options) {
    return optimizeRegistry(this, options)
  }

  /** Detaches, answers calls in flight with E_CLOSED (aborting their signals); later calls get E_CLOSED. */
  async close() {
    if (this._closed) return
    this._closed = true
    this.detach()
    try {
      this._unsubscribeMemory()
    } catch {
      // a duck-typed memory's unsubscribe: its failure must not leave calls unanswered
    }
    this.clearCache()
    this._streams.closeAll()
    this._batches.closeAll((channel) => new ClosedError(`HandlerRegistry closed while a batch of '${channel}' was pending or running`, { channel }))
    for (const call of this._inflight.snapshot()) {
      call.close(new ClosedError(`HandlerRegistry closed while '${call.entry.channel}' was running`, { channel: call.entry.channel }))
    }
    this._deadlines.close()
  }
}

module.exports = { HandlerRegistry }
