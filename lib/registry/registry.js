'use strict'
// HandlerRegistry: every renderer -> main request through one path:
// sender check -> size/depth caps + validation -> rate limit -> handler with
// timeout -> envelope. `invoke` and the ipcMain handlers share that path;
// neither ever throws or rejects for anything a caller or handler did.
const { ClosedError, NotFoundError, DuplicateHandlerError, InternalError, ProtocolError, ValidationError, internalFrom, invalidArgument, messageOf } = require('../errors')
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
    this._cacheHooks = {
      run: (entry, args, ctx, start) =>
        entry.batch !== undefined ? this._batches.join(entry, args, ctx, undefined, start, undefined, true) : new Call(this._callHost, entry, args, ctx, undefined, start, undefined, true).promise,
      plain: (entry, args, ctx, signal, start, key) =>
        entry.batch !== undefined ? this._batches.join(entry, args, ctx, signal, start, key) : new Call(this._callHost, entry, args, ctx, signal, start, key).promise,
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
    if (this._closed) throw new ClosedError('HandlerRegistry is closed: register after close()', { channel })
    checkChannel(channel)
    if (typeof handler !== 'function') throw invalidArgument('handler', 'a function', handler)
    if (this._entries.has(channel)) throw new DuplicateHandlerError(`A handler is already registered for '${channel}'`, { channel })
    const entry = createEntry(channel, handler, options, this._defaults)
    this._entries.set(channel, entry)
    if (this._ipcMain !== undefined) {
      try {
        this._handle(channel)
      } catch (error) {
        this._entries.delete(channel)
        throw error
      }
    }
  }

  /** A channel whose handler produces an (async) iterable, read by `client.stream` (README "Streaming"). */
  registerStream(channel, handler, options) {
    const { stream, rest } = readStreamOptions(options)
    this.register(channel, handler, rest)
    this._entries.get(channel).stream = stream
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
    this._ipcMain = ipcMain
    try {
      for (const channel of this._entries.keys()) this._handle(channel)
    } catch (error) {
      this.detach()
      throw error
    }
    this._onCancel = (event, id) => {
      try {
        if (typeof id !== 'string') return
        const call = this._inflight.find(cancelKey(infoFromEvent(event).senderId, id))
        if (call !== undefined) call.cancel('the renderer cancelled it')
      } catch {
        // a listener must not throw into ipcMain's emit
      }
    }
    ipcMain.on(CANCEL_CHANNEL, this._onCancel)
    ipcMain.on(STREAM_ACK_CHANNEL, this._streams.onAck)
  }

  detach() {
    const ipcMain = this._ipcMain
    if (ipcMain === undefined) return
    for (const channel of this._handled) {
      try {
        ipcMain.removeHandler(channel)
      } catch {
        // keep removing the others
      }
    }
    this._handled.clear()
    if (this._onCancel !== undefined) ipcMain.removeListener(CANCEL_CHANNEL, this._onCancel)
    ipcMain.removeListener(STREAM_ACK_CHANNEL, this._streams.onAck)
    this._onCancel = undefined
    this._ipcMain = undefined
  }

  _handle(channel) {
    const listener = (event, ...raw) => this._fromIpc(channel, event, raw)
    try {
      this._ipcMain.handle(channel, listener)
    } catch (error) {
      throw new DuplicateHandlerError(`ipcMain already has a handler for '${channel}': ${messageOf(error)}`, { channel })
    }
    this._handled.add(channel)
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
    let problem
    if (typeof channel !== 'string') problem = invalidArgument('channel', 'a string', channel)
    else if (!Array.isArray(args)) problem = invalidArgument('args', 'an array of arguments', args)
    else if (ctx !== undefined && ctx !== null) {
      const signal = typeof ctx === 'object' ? ctx.signal : undefined
      if (typeof ctx !== 'object') problem = invalidArgument('ctx', 'an object { senderId?, origin?, url?, signal? }', ctx)
      else if (signal !== undefined && (signal === null || typeof signal.addEventListener !== 'function' || typeof signal.aborted !== 'boolean')) {
        problem = invalidArgument('ctx.signal', 'an AbortSignal', signal)
      } else info = ctx
    }
    if (problem !== undefined) return this._unroutedFail(problem, start)
    return this._dispatch(channel, args, info, start, undefined, true)
  }

  // `local`: args come from main-process code, not a structured clone.
  _dispatch(channel, args, info, start, key, local = false) {
    if (this._closed) return this._unroutedFail(new ClosedError(`HandlerRegistry is closed: '${channel}' was not run`, { channel }), start)
    const entry = this._entries.get(channel)
    if (entry === undefined) return this._unroutedFail(new NotFoundError(`No handler registered for '${channel}'`, { channel }), start)
    entry.metrics.calls++
    tell(this._monitor, 'increment', 'ipcflow.invoke.calls', 1)
    const ctx = new HandlerContext(channel, info)
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
    if (error === undefined) error = checkRate(entry, ctx)
    if (error !== undefined) {
      this._counted(entry, error.code)
      return Promise.resolve(fail(error, start))
    }
    if (entry.stream !== undefined) return this._streams.open(entry, args, ctx, info, start, key)
    if (entry.cache !== undefined) return serveCached(this._cacheHooks, entry, args, ctx, info.signal, start, key)
    if (entry.batch !== undefined) return this._batches.join(entry, args, ctx, info.signal, start, key)
    return new Call(this._callHost, entry, args, ctx, info.signal, start, key).promise
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
    this._unsubscribeMemory()
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
