'use strict'
// The response cache of one channel (README "Response cache"). moka, in the
// addon, holds keys, weights, TTL and eviction; the values stay here in a Map
// by the id moka's entry carries. Every native call that can remove entries
// returns the removed ids, so this Map never outgrows moka.
// A miss starts one shared handler run (single-flight); every caller of that
// key, the first included, waits on it as a Waiter with its own signal and
// cancel id, so no caller can cancel the others' run. What each caller gets
// of a kept value, so that none can change another's: cache-share.js.
const { IpcError, CancelledError, invalidArgument } = require('../errors')
const { fail } = require('./pipeline/envelope')
const { BindingResponseCache, cacheGet } = require('./native-cache')
const { argsKey, estimateBytes } = require('./cache-key')
const { HandlerContext } = require('./pipeline/context')
const { setOwn } = require('../own')
const { share } = require('./cache-share')

const NO_SENDER = Object.freeze({ senderId: undefined, origin: undefined, url: undefined, sender: undefined })

const OPTIONS = new Set(['ttlMs', 'maxEntries', 'maxBytes', 'cacheErrors', 'key'])
// Outcomes of the run, not of the arguments: never replayed.
const TRANSIENT = new Set(['E_TIMEOUT', 'E_CANCELLED', 'E_CLOSED', 'E_INTERNAL'])

function readCap(value, argument) {
  if (value === undefined || value === Infinity) return undefined
  if (!Number.isInteger(value) || value < 1) throw invalidArgument(argument, 'a positive integer or Infinity', value)
  return value
}

/** Reads `options.cache`; undefined when absent. */
function readCacheOptions(value) {
  if (value === undefined) return undefined
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgument('options.cache', 'an object { ttlMs, maxEntries?, maxBytes?, cacheErrors?, key? }', value)
  }
  for (const k of Object.keys(value)) {
    if (!OPTIONS.has(k)) throw invalidArgument(`options.cache.${k}`, `one of ${[...OPTIONS].join(', ')}`, value[k])
  }
  const { ttlMs, cacheErrors = false, key } = value
  if (ttlMs !== Infinity && (typeof ttlMs !== 'number' || !(ttlMs > 0) || !Number.isFinite(ttlMs))) {
    throw invalidArgument('options.cache.ttlMs', 'a positive number of ms or Infinity', ttlMs)
  }
  if (typeof cacheErrors !== 'boolean') throw invalidArgument('options.cache.cacheErrors', 'a boolean', cacheErrors)
  if (key !== undefined && typeof key !== 'function') throw invalidArgument('options.cache.key', 'a function (args, ctx) => string | undefined', key)
  return new ChannelCache({
    ttlMs: ttlMs === Infinity ? undefined : ttlMs,
    maxEntries: readCap(value.maxEntries, 'options.cache.maxEntries'),
    maxBytes: readCap(value.maxBytes, 'options.cache.maxBytes'),
    cacheErrors,
    key,
  })
}

class ChannelCache {
  constructor({ ttlMs, maxEntries, maxBytes, cacheErrors, key }) {
    this.native = new BindingResponseCache(ttlMs, maxEntries, maxBytes)
    this.handle = this.native.handle
    this.byBytes = maxBytes !== undefined
    this.cacheErrors = cacheErrors
    this.customKey = key
    this.values = new Map() // id -> { success, shared: Shared (cache-share.js) of the data or the error }
    this.flights = new Map() // key -> Flight
    this.hits = 0
    this.misses = 0
  }

  /** The key of a call: a string, or undefined when it is served uncached. Throws what `cache.key` throws. */
  keyOf(args, ctx) {
    if (this.customKey === undefined) {
      const k = argsKey(args)
      return k === undefined ? undefined : `a${k}`
    }
    const k = this.customKey(args, ctx)
    if (k === undefined) return undefined
    if (typeof k !== 'string') throw new TypeError(`cache.key returned ${typeof k}, not a string or undefined`)
    return `k${k}`
  }

  lookup(key) {
    const id = cacheGet(this.handle, key)
    return id < 0 ? undefined : this.values.get(id)
  }

  store(key, stored) {
    const bytes = this.byBytes ? key.length * 2 + estimateBytes(stored.shared.value) : 0
    const [id, ...removed] = this.native.insert(key, bytes)
    this.values.set(id, stored)
    this.forget(removed)
  }

  forget(ids) {
    for (const id of ids) this.values.delete(id)
    return ids.length
  }

  invalidate(key) {
    const flight = this.flights.get(key)
    if (flight !== undefined) {
      flight.stale = true
      this.flights.delete(key)
    }
    return this.forget(this.native.invalidate(key))
  }

  clear() {
    for (const flight of this.flights.values()) flight.stale = true
    this.flights.clear()
    return this.forget(this.native.clear())
  }

  shrink(fraction) {
    return this.forget(this.native.shrink(fraction))
  }

  stats() {
    this.forget(this.native.drain())
    const { entries, bytes, evictions, expirations } = this.native.stats()
    const looked = this.hits + this.misses
    return { hits: this.hits, misses: this.misses, entries, bytes, evictions, expirations, hitRate: looked === 0 ? 0 : this.hits / looked }
  }

  resetStats() {
    this.hits = 0
    this.misses = 0
  }
}

function hitEnvelope(stored, start, ipc) {
  const value = stored.shared.hand(ipc)
  const metadata = { executionTimeMs: performance.now() - start, cached: true }
  return stored.success ? { success: true, data: value, metadata } : { success: false, error: value, metadata }
}

/**
 * Serves one call through the channel's cache. `hooks`: run(entry, args, ctx, start)
 * -> envelope promise of an uncounted, uncancellable handler run; counted(entry, code);
 * plain(entry, args, ctx, signal, start, cancelKey) -> an ordinary call; cancellable: Map.
 */
function serveCached(hooks, entry, args, ctx, signal, start, cancelKey) {
  const cache = entry.cache
  let key
  try {
    key = cache.keyOf(args, ctx)
  } catch (error) {
    const e = new IpcError('E_HANDLER', `cache.key for '${entry.channel}' threw: ${error?.message ?? error}`, { channel: entry.channel })
    hooks.counted(entry, e.code)
    return Promise.resolve(fail(e, start))
  }
  if (key === undefined) return hooks.plain(entry, args, ctx, signal, start, cancelKey)
  const stored = cache.lookup(key)
  if (stored !== undefined) {
    cache.hits++
    hooks.tell('increment', 'ipcflow.cache.hits', 1)
    hooks.counted(entry, stored.success ? undefined : stored.shared.value.code)
    // A renderer's call has a cancel key; in-process calls have none.
    return Promise.resolve(hitEnvelope(stored, start, cancelKey !== undefined))
  }
  cache.misses++
  hooks.tell('increment', 'ipcflow.cache.misses', 1)
  if (signal?.aborted) return new Waiter(hooks, entry, undefined, undefined, start, undefined).cancelNow('the caller aborted before the handler ran')
  let flight = cache.flights.get(key)
  if (flight === undefined) {
    flight = { stale: false, waiters: new Set() }
    cache.flights.set(key, flight)
    hooks.run(entry, args, ctx, start).then((envelope) => land(cache, key, flight, envelope))
  }
  return new Waiter(hooks, entry, flight, signal, start, cancelKey, args, ctx).promise
}

// Every caller of the run gets the value through one Shared (cache-share.js);
// a value that cannot be shared (not cloneable) goes to the first caller, and
// each other caller gets a run of its own.
function land(cache, key, flight, envelope) {
  if (cache.flights.get(key) === flight) cache.flights.delete(key)
  const waiters = [...flight.waiters]
  const value = envelope.success ? envelope.data : envelope.error
  const storable = envelope.success || (cache.cacheErrors && !TRANSIENT.has(envelope.error.code))
  // One caller and nothing to store: its own error object, no copy.
  const shared = storable || waiters.length > 1 ? share(value) : undefined
  if (shared !== undefined && storable && !flight.stale) cache.store(key, { success: envelope.success, shared })
  let first = true
  for (const waiter of waiters) {
    if (waiter.done) continue
    if (shared !== undefined) waiter.settle(envelope, shared.hand(waiter.ipc))
    else if (first) waiter.settle(envelope, value)
    else waiter.rerun()
    first = false
  }
}

class Waiter {
  constructor(hooks, entry, flight, signal, start, cancelKey, args, ctx) {
    this.hooks = hooks
    this.entry = entry
    this.flight = flight
    this.start = start
    this.args = args
    this.ctx = ctx
    this.signal = signal
    this.key = cancelKey
    this.ipc = cancelKey !== undefined
    this.done = false
    this.promise = new Promise((resolve) => {
      this.resolve = resolve
    })
    if (flight === undefined) return
    flight.waiters.add(this)
    if (signal !== undefined && signal !== null) {
      this.onAbort = () => this.cancel('the caller aborted')
      signal.addEventListener('abort', this.onAbort, { once: true })
    }
    if (cancelKey !== undefined && !hooks.cancellable.has(cancelKey)) {
      this.cancelKey = cancelKey
      hooks.cancellable.set(cancelKey, this)
    }
  }

  cancelNow(why) {
    this.cancel(why)
    return this.promise
  }

  /** The caller's own cancel: the shared run goes on for the others. */
  cancel(why) {
    if (this.done) return
    const error = new CancelledError(`Request on '${this.entry.channel}' was cancelled: ${why}`, { channel: this.entry.channel })
    this.finish(fail(error, this.start), error.code)
  }

  /** `value`: this caller's data or error. */
  settle(envelope, value) {
    if (this.done) return
    const executionTimeMs = performance.now() - this.start
    const out = envelope.success
      ? { success: true, data: value, metadata: { executionTimeMs, cached: false } }
      : { success: false, error: value, metadata: { executionTimeMs } }
    this.finish(out, envelope.success ? undefined : envelope.error.code)
  }

  /** A run of its own, with its own signal and cancel id; that call counts itself. */
  rerun() {
    if (this.done) return
    this.detach()
    this.hooks.plain(this.entry, this.args, this.ctx, this.signal, this.start, this.key).then(this.resolve)
  }

  finish(envelope, code) {
    this.detach()
    this.hooks.counted(this.entry, code)
    this.resolve(envelope)
  }

  detach() {
    this.done = true
    if (this.flight !== undefined) this.flight.waiters.delete(this)
    if (this.onAbort !== undefined) this.signal.removeEventListener('abort', this.onAbort)
    if (this.cancelKey !== undefined && this.hooks.cancellable.get(this.cancelKey) === this) this.hooks.cancellable.delete(this.cancelKey)
  }
}

// The registry's cache operations over its channel entries (Map channel -> entry).
const caches = {
  invalidate(entries, channel, args) {
    if (typeof channel !== 'string') throw invalidArgument('channel', 'a string', channel)
    if (args !== undefined && !Array.isArray(args)) throw invalidArgument('args', 'an array of arguments (as given to invoke)', args)
    const cache = entries.get(channel)?.cache
    if (cache === undefined) return 0
    if (args === undefined) return cache.clear()
    const key = cache.keyOf(args, new HandlerContext(channel, NO_SENDER))
    return key === undefined ? 0 : cache.invalidate(key)
  },

  invalidatePrefix(entries, prefix) {
    if (typeof prefix !== 'string') throw invalidArgument('prefix', 'a string', prefix)
    let n = 0
    for (const [channel, entry] of entries) if (entry.cache !== undefined && channel.startsWith(prefix)) n += entry.cache.clear()
    return n
  },

  stats(entries) {
    const out = {}
    for (const [channel, entry] of entries) if (entry.cache !== undefined) setOwn(out, channel, entry.cache.stats())
    return out
  },

  shrink(entries, fraction) {
    if (typeof fraction !== 'number' || !(fraction > 0) || fraction > 1) throw invalidArgument('fraction', 'a number in (0, 1]', fraction)
    let n = 0
    for (const entry of entries.values()) if (entry.cache !== undefined) n += entry.cache.shrink(fraction)
    return n
  },
}

module.exports = { readCacheOptions, serveCached, ChannelCache, caches }
