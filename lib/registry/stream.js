'use strict'
// Streams (README "Streaming"): `registerStream(channel, fn, options)`; the
// renderer opens one with an ordinary request on that channel (so the sender
// check, validation and rate limit apply as to invoke), and main sends chunks
// to the requesting webContents on STREAM_CHANNEL. Credit-based backpressure:
// the producer is pulled only while fewer than highWaterMark chunks are
// unacknowledged; acks are cumulative counts of chunks the page has read.
//
// A cancel wins whenever it arrives: before the request is read (remembered
// by key, bounded), while the handler is still resolving (an Opening, which
// answers at once and return()s the producer the handler resolves with
// later), between chunks and after the last one (the OutStream).
const { IpcError, CancelledError, ClosedError, TimeoutError, invalidArgument } = require('../errors')
const { ok, fail, fromThrown } = require('./pipeline/envelope')
const { HandlerContext, infoFromEvent } = require('./pipeline/context')
const { cancelKey, requestIdOf } = require('./pipeline/inflight')
const { Histogram } = require('./native')
const { OutStream, closeProducer } = require('./stream-out')
const { MAX_REQUEST_ID_LENGTH, STREAM_ACK_CHANNEL, STREAM_VERSION } = require('../protocol')

const STREAM_DEFAULTS = Object.freeze({ chunkSize: 64, highWaterMark: 4, maxChunkBytes: 256 * 1024 })
const STREAM_ONLY = new Set(Object.keys(STREAM_DEFAULTS))

function readPositive(value, argument, fallback) {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1 || value > 1e9) throw invalidArgument(argument, 'a positive integer', value)
  return value
}

/** Splits registerStream's options into the stream's own and the handler options every channel has. */
function readStreamOptions(options) {
  if (options === undefined || options === null) options = {}
  if (typeof options !== 'object' || Array.isArray(options)) throw invalidArgument('options', 'an object', options)
  if (options.cache !== undefined) throw invalidArgument('options.cache', 'absent: stream channels are not cached', options.cache)
  if (options.batch !== undefined) throw invalidArgument('options.batch', 'absent: stream channels are not batched', options.batch)
  const rest = {}
  for (const key of Object.keys(options)) if (!STREAM_ONLY.has(key)) rest[key] = options[key]
  const stream = {
    chunkSize: readPositive(options.chunkSize, 'options.chunkSize', STREAM_DEFAULTS.chunkSize),
    highWaterMark: readPositive(options.highWaterMark, 'options.highWaterMark', STREAM_DEFAULTS.highWaterMark),
    maxChunkBytes: readPositive(options.maxChunkBytes, 'options.maxChunkBytes', STREAM_DEFAULTS.maxChunkBytes),
    metrics: new StreamMetrics(),
  }
  return { stream, rest }
}

class StreamMetrics {
  constructor() {
    this.durationMs = new Histogram()
    this.reset()
  }

  reset() {
    this.open ??= 0 // survives a reset, like inFlight
    Object.assign(this, { opened: 0, completed: 0, cancelled: 0, failed: 0, chunks: 0, items: 0, bytes: 0, pausedMs: 0 })
    this.durationMs.reset()
  }

  snapshot() {
    const { opened, completed, cancelled, failed, chunks, items, bytes, pausedMs, open } = this
    return { opened, completed, cancelled, failed, open, chunks, items, bytes, pausedMs, durationMs: this.durationMs.summary() }
  }
}

function iteratorOf(source) {
  if (source !== null && (typeof source === 'object' || typeof source === 'function')) {
    if (typeof source[Symbol.asyncIterator] === 'function') return source[Symbol.asyncIterator]()
    if (typeof source[Symbol.iterator] === 'function') return source[Symbol.iterator]()
  }
  return undefined
}

// Cancels read before their request (a reordering transport, a hostile page)
// are remembered by key, oldest forgotten first: cancels for ids that never
// come cost at most this many keys of bounded length.
const MAX_UNCLAIMED_CANCELS = 1024

/**
 * A stream request whose handler is still resolving (`async (f) => { await load(f); return gen() }`).
 * A cancel, the timeout, registry close, a destroyed or navigated window end it here: the request is
 * answered at once, and the producer the handler resolves with later is return()ed, never pumped.
 */
class Opening {
  constructor(hub, entry, ctx, sender, key, start) {
    this.hub = hub
    this.entry = entry
    this.ctx = ctx
    this.sender = sender
    this.key = key
    this.start = start
    this.ended = false
    this.resolve = undefined
    this.promise = new Promise((resolve) => {
      this.resolve = resolve
    })
    // timeoutMs covers the whole stream, from its request on.
    this.deadline = performance.now() + entry.timeoutMs
    this.timer = undefined
    if (entry.timeoutMs !== Infinity) {
      this.timer = setTimeout(() => {
        this.timer = undefined
        const { channel, timeoutMs } = entry
        this.stop(new TimeoutError(`Stream on '${channel}' did not open within ${timeoutMs} ms`, { channel, timeoutMs }))
      }, entry.timeoutMs)
    }
  }

  cancel(why) {
    const { channel } = this.entry
    this.stop(new CancelledError(`Stream on '${channel}' was cancelled before it opened: ${why}`, { channel }))
  }

  /** Ends it before the stream exists: the request fails with `error`; counted as a cancelled stream. */
  stop(error) {
    if (!this.end()) return
    countEarlyEnd(this.hub, this.entry, error)
    this.resolve(fail(error, this.start))
    HandlerContext.abort(this.ctx, error) // last: abort listeners are user code
  }

  /** False when it already ended; otherwise it leaves the hub's books. */
  end() {
    if (this.ended) return false
    this.ended = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.hub.remove(this)
    return true
  }
}

// Ended before it opened, still counted so that opened = completed + cancelled + failed + open.
function countEarlyEnd(hub, entry, error) {
  const m = entry.stream.metrics
  m.opened++
  m.cancelled++
  hub.hooks.counted(entry, error.code)
  hub.hooks.tell('increment', 'ipcflow.stream.opened', 1)
  hub.hooks.tell('increment', 'ipcflow.stream.cancelled', 1)
}

/** Every open stream of one registry, by cancel key, and the webContents events that end them. */
class StreamHub {
  constructor(hooks) {
    this.hooks = hooks // counted(entry, code), tell(method, name, value), cancellable: Map, monitor
    this.streams = new Map() // key -> OutStream
    this.openings = new Map() // key -> Opening
    this.unclaimed = new Map() // key -> true: cancels read before their request
    this.closed = false
    this.bySender = new WeakMap() // webContents -> Set<OutStream | Opening>
    this.onAck = (event, id, count) => {
      try {
        if (typeof id !== 'string' || !Number.isSafeInteger(count)) return
        this.streams.get(cancelKey(infoFromEvent(event).senderId, id))?.ack(count)
      } catch {
        // a listener must not throw into ipcMain's emit
      }
    }
  }

  /**
   * A renderer cancel that nothing running took (the registry's cancel listener calls this):
   * a stream request read later under this key is answered E_CANCELLED without running its handler.
   */
  cancelUnclaimed(key) {
    if (this.closed || typeof key !== 'string' || requestIdOf(key).length > MAX_REQUEST_ID_LENGTH) return
    const o = this.openings.get(key)
    if (o !== undefined) return o.cancel('the renderer cancelled it')
    if (this.streams.has(key)) return this.streams.get(key).cancel('the renderer cancelled it')
    this.unclaimed.delete(key) // re-inserted as the newest
    if (this.unclaimed.size >= MAX_UNCLAIMED_CANCELS) this.unclaimed.delete(this.unclaimed.keys().next().value)
    this.unclaimed.set(key, true)
  }

  /** Runs the producer and answers the opening request; chunks follow on STREAM_CHANNEL. Never rejects. */
  open(entry, args, ctx, info, start, key) {
    try {
      return this.opening(entry, args, ctx, info, start, key)
    } catch (error) {
      return Promise.resolve(this.internal(entry, error, start))
    }
  }

  internal(entry, error, start) {
    const e = new IpcError('E_INTERNAL', `ipcflow failed to open a stream on '${entry.channel}': ${error?.message ?? error}`, { channel: entry.channel })
    this.hooks.counted(entry, e.code)
    return fail(e, start)
  }

  refuse(entry, error, start) {
    this.hooks.counted(entry, error.code)
    return Promise.resolve(fail(error, start))
  }

  opening(entry, args, ctx, info, start, key) {
    const { sender } = info
    const { channel } = entry
    if (sender === undefined || key === undefined || typeof sender.send !== 'function') {
      return this.refuse(entry, invalidArgument('channel', `a request from client.stream in a renderer ('${channel}' is a stream channel)`, channel), start)
    }
    if (this.streams.has(key) || this.openings.has(key)) return this.refuse(entry, invalidArgument('id', 'a request id not already streaming', requestIdOf(key)), start)
    if (this.unclaimed.delete(key)) {
      const error = new CancelledError(`Stream on '${channel}' was cancelled before its request was read`, { channel })
      countEarlyEnd(this, entry, error)
      return Promise.resolve(fail(error, start))
    }
    const o = new Opening(this, entry, ctx, sender, key, start)
    this.add(o) // before the handler runs: it may close the registry or destroy the window
    this.produce(o, args).catch((error) => {
      if (o.end()) o.resolve(this.internal(entry, error, start))
    })
    return o.promise
  }

  async produce(o, args) {
    const { entry, ctx } = o
    let total
    ctx.setTotal = (n) => {
      if (Number.isFinite(n) && n >= 0) total = n
    }
    let iterator
    try {
      let source = entry.handler(...args, ctx)
      if (source !== null && typeof source === 'object' && typeof source.then === 'function' && typeof source[Symbol.asyncIterator] !== 'function') source = await source
      if (o.ended) return this.discard(o, source)
      iterator = iteratorOf(source)
      if (iterator === undefined) throw new IpcError('E_HANDLER', `Stream handler for '${entry.channel}' did not return an iterable`, { channel: entry.channel })
    } catch (thrown) {
      if (!o.end()) return this.late(entry) // rejected after a cancel: nothing to answer
      const error = fromThrown(thrown, entry.channel)
      this.hooks.counted(entry, error.code)
      return o.resolve(fail(error, o.start))
    }
    // Reading the iterator ran user code, which may have ended the request.
    if (!o.end()) {
      this.late(entry)
      return closeProducer(iterator)
    }
    const s = new OutStream(this, entry, iterator, ctx, o.sender, o.key, () => total, o.deadline - performance.now())
    this.hooks.counted(entry, undefined)
    setImmediate(() => s.pump()) // after the opening reply, best effort
    const { chunkSize, highWaterMark } = entry.stream
    o.resolve(ok({ ipcflow: 'stream', v: STREAM_VERSION, highWaterMark, chunkSize }, o.start))
  }

  // The handler resolved after its request ended: its producer is closed, never read.
  discard(o, source) {
    this.late(o.entry)
    let iterator
    try {
      iterator = iteratorOf(source)
    } catch {
      return
    }
    if (iterator !== undefined) closeProducer(iterator)
  }

  late(entry) {
    entry.metrics.lateResults++
    this.hooks.tell('increment', 'ipcflow.invoke.late', 1)
  }

  /** Books an OutStream or an Opening under its key and its sender. */
  add(s) {
    const books = s instanceof OutStream ? this.streams : this.openings
    books.set(s.key, s)
    if (!this.hooks.cancellable.has(s.key)) this.hooks.cancellable.set(s.key, s)
    let set = this.bySender.get(s.sender)
    if (set === undefined) {
      set = new Set()
      this.bySender.set(s.sender, set)
      this.watch(s.sender, set)
    }
    set.add(s)
  }

  remove(s) {
    const books = s instanceof OutStream ? this.streams : this.openings
    if (books.get(s.key) === s) books.delete(s.key)
    if (this.hooks.cancellable.get(s.key) === s) this.hooks.cancellable.delete(s.key)
    this.bySender.get(s.sender)?.delete(s)
  }

  // One set of listeners per webContents, however many streams it opens.
  watch(sender, set) {
    if (typeof sender.on !== 'function') return
    const gone = (why) => () => {
      for (const s of [...set]) s.cancel(why)
    }
    const onNavigate = (details, _url, isInPlace, isMainFrame) => {
      // Electron >= 25 passes one details object; older versions positional arguments.
      const main = typeof details?.isMainFrame === 'boolean' ? details.isMainFrame : isMainFrame
      const same = typeof details?.isSameDocument === 'boolean' ? details.isSameDocument : isInPlace
      if (main !== false && same !== true) gone('the page navigated away')()
    }
    try {
      sender.once('destroyed', gone('the window was destroyed'))
      sender.on('render-process-gone', gone('the renderer process is gone'))
      sender.on('did-start-navigation', onNavigate)
    } catch {
      // not an EventEmitter: streams end by cancel, timeout or close
    }
  }

  closeAll() {
    this.closed = true
    this.unclaimed.clear()
    const closed = (channel) => new ClosedError(`HandlerRegistry closed while streaming '${channel}'`, { channel })
    for (const o of [...this.openings.values()]) o.stop(closed(o.entry.channel))
    for (const s of [...this.streams.values()]) s.stop(closed(s.entry.channel))
  }
}

module.exports = { StreamHub, readStreamOptions, STREAM_ACK_CHANNEL, STREAM_DEFAULTS }
