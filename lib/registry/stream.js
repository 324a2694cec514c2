'use strict'
// Streams (README "Streaming"): `registerStream(channel, fn, options)`; the
// renderer opens one with an ordinary request on that channel (so the sender
// check, validation and rate limit apply as to invoke), and main sends chunks
// to the requesting webContents on STREAM_CHANNEL. Credit-based backpressure:
// the producer is pulled only while fewer than highWaterMark chunks are
// unacknowledged; acks are cumulative counts of chunks the page has read.
const { IpcError, ClosedError, invalidArgument } = require('../errors')
const { ok, fail, fromThrown } = require('./pipeline/envelope')
const { infoFromEvent } = require('./pipeline/context')
const { cancelKey } = require('./pipeline/inflight')
const { Histogram } = require('./native')
const { OutStream } = require('./stream-out')
const { STREAM_ACK_CHANNEL, STREAM_VERSION } = require('../protocol')

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

const { idOfKey } = OutStream

function iteratorOf(source) {
  if (source !== null && (typeof source === 'object' || typeof source === 'function')) {
    if (typeof source[Symbol.asyncIterator] === 'function') return source[Symbol.asyncIterator]()
    if (typeof source[Symbol.iterator] === 'function') return source[Symbol.iterator]()
  }
  return undefined
}

/** Every open stream of one registry, by cancel key, and the webContents events that end them. */
class StreamHub {
  constructor(hooks) {
    this.hooks = hooks // counted(entry, code), tell(method, name, value), cancellable: Map
    this.streams = new Map()
    this.bySender = new WeakMap() // webContents -> Set<OutStream>
    this.onAck = (event, id, count) => {
      try {
        if (typeof id !== 'string' || !Number.isSafeInteger(count)) return
        this.streams.get(cancelKey(infoFromEvent(event).senderId, id))?.ack(count)
      } catch {
        // a listener must not throw into ipcMain's emit
      }
    }
  }

  /** Runs the producer and answers the opening request; chunks follow on STREAM_CHANNEL. Never rejects. */
  open(entry, args, ctx, info, start, key) {
    return this.opening(entry, args, ctx, info, start, key).catch((error) => {
      const e = new IpcError('E_INTERNAL', `ipcflow failed to open a stream on '${entry.channel}': ${error?.message ?? error}`, { channel: entry.channel })
      this.hooks.counted(entry, e.code)
      return fail(e, start)
    })
  }

  async opening(entry, args, ctx, info, start, key) {
    const { sender } = info
    if (sender === undefined || key === undefined || typeof sender.send !== 'function') {
      const error = invalidArgument('channel', `a request from client.stream in a renderer ('${entry.channel}' is a stream channel)`, entry.channel)
      this.hooks.counted(entry, error.code)
      return fail(error, start)
    }
    if (this.streams.has(key)) {
      const error = invalidArgument('id', 'a request id not already streaming', idOfKey(key))
      this.hooks.counted(entry, error.code)
      return fail(error, start)
    }
    let total
    ctx.setTotal = (n) => {
      if (Number.isFinite(n) && n >= 0) total = n
    }
    let iterator
    try {
      let source = entry.handler(...args, ctx)
      if (source !== null && typeof source === 'object' && typeof source.then === 'function' && typeof source[Symbol.asyncIterator] !== 'function') source = await source
      iterator = iteratorOf(source)
      if (iterator === undefined) throw new IpcError('E_HANDLER', `Stream handler for '${entry.channel}' did not return an iterable`, { channel: entry.channel })
    } catch (thrown) {
      const error = fromThrown(thrown, entry.channel)
      this.hooks.counted(entry, error.code)
      return fail(error, start)
    }
    const s = new OutStream(this, entry, iterator, ctx, sender, key, () => total)
    this.hooks.counted(entry, undefined)
    setImmediate(() => s.pump()) // after the opening reply, best effort
    const { chunkSize, highWaterMark } = entry.stream
    return ok({ ipcflow: 'stream', v: STREAM_VERSION, highWaterMark, chunkSize }, start)
  }

  add(s) {
    this.streams.set(s.key, s)
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
    this.streams.delete(s.key)
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
    for (const s of [...this.streams.values()]) s.stop(new ClosedError(`HandlerRegistry closed while streaming '${s.entry.channel}'`, { channel: s.entry.channel }))
  }
}

module.exports = { StreamHub, readStreamOptions, STREAM_ACK_CHANNEL, STREAM_DEFAULTS }
