'use strict'
// Reads and checks registry and handler options once, at construction and
// register time, into the plain "entry" the per-call pipeline reads.
const { InvalidArgumentError, invalidArgument } = require('../errors')
const { readAllowedOrigins } = require('./senders')
const { compileSchema, RateLimiter } = require('./native')
const { ChannelMetrics } = require('./metrics')
const { readCacheOptions } = require('./cache')
const { readBatchOptions } = require('./batching')

const DEFAULTS = Object.freeze({ maxBytes: 1024 * 1024, maxDepth: 64, timeoutMs: Infinity })
const HANDLER_OPTIONS = new Set(['schema', 'argsSchema', 'timeoutMs', 'rateLimit', 'allowedOrigins', 'allowSender', 'maxBytes', 'maxDepth', 'cache', 'batch'])
// setTimeout's longest delay.
const MAX_TIMER_MS = 0x7fffffff

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function readCap(value, argument, fallback) {
  if (value === undefined) return fallback
  if (value === Infinity) return Infinity
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidArgument(argument, 'a positive integer or Infinity', value)
  }
  return value
}

function readTimeout(value, argument, fallback) {
  if (value === undefined) return fallback
  if (value === Infinity) return Infinity
  if (typeof value !== 'number' || !(value > 0) || value > MAX_TIMER_MS) {
    throw invalidArgument(argument, `a number of ms in (0, ${MAX_TIMER_MS}] or Infinity`, value)
  }
  return value
}

function readRegistryOptions(options) {
  if (options === undefined || options === null) options = {}
  if (!isObject(options)) throw invalidArgument('options', 'an object', options)
  const { monitor, memory, defaults = {} } = options
  if (monitor !== undefined && (monitor === null || typeof monitor.record !== 'function' || typeof monitor.increment !== 'function')) {
    throw invalidArgument('options.monitor', 'an object with record() and increment()', monitor)
  }
  if (!isObject(defaults)) throw invalidArgument('options.defaults', 'an object', defaults)
  for (const key of Object.keys(defaults)) {
    if (!(key in DEFAULTS)) throw invalidArgument(`options.defaults.${key}`, 'one of maxBytes, maxDepth, timeoutMs', defaults[key])
  }
  return {
    monitor,
    memory,
    defaults: {
      maxBytes: readCap(defaults.maxBytes, 'options.defaults.maxBytes', DEFAULTS.maxBytes),
      maxDepth: readCap(defaults.maxDepth, 'options.defaults.maxDepth', DEFAULTS.maxDepth),
      timeoutMs: readTimeout(defaults.timeoutMs, 'options.defaults.timeoutMs', DEFAULTS.timeoutMs),
    },
  }
}

function readRateLimits(value) {
  if (value === undefined) return []
  const list = Array.isArray(value) ? value : [value]
  if (list.length === 0 || list.length > 2) throw invalidArgument('options.rateLimit', 'a rate limit or an array of one or two', value)
  const pers = new Set()
  return list.map((limit, i) => {
    const name = Array.isArray(value) ? `options.rateLimit[${i}]` : 'options.rateLimit'
    if (!isObject(limit)) throw invalidArgument(name, 'an object { requests, windowMs, per? }', limit)
    const { requests, windowMs, per = 'channel' } = limit
    if (!Number.isInteger(requests) || requests < 1) throw invalidArgument(`${name}.requests`, 'a positive integer', requests)
    if (typeof windowMs !== 'number' || !(windowMs > 0) || !Number.isFinite(windowMs)) {
      throw invalidArgument(`${name}.windowMs`, 'a positive number of ms', windowMs)
    }
    if (per !== 'channel' && per !== 'sender') throw invalidArgument(`${name}.per`, "'channel' or 'sender'", per)
    if (pers.has(per)) throw invalidArgument(`${name}.per`, 'different from the other limit', per)
    pers.add(per)
    return { per, limiter: new RateLimiter(requests, windowMs) }
  }).sort((a, b) => (a.per === 'sender' ? 0 : 1) - (b.per === 'sender' ? 0 : 1)) // sender first: see pipeline/guard.js
}

function readSchema(schema, argument, limits) {
  if (schema !== true && schema !== false && !isObject(schema)) throw invalidArgument(argument, 'a JSON Schema (an object or a boolean)', schema)
  // An invalid schema is a result; a throw here is ipcflow's bug (E_INTERNAL) and passes through.
  const compiled = compileSchema(schema, limits)
  if (compiled.ok) return compiled.validator
  const { message, pointer } = compiled.error
  throw new InvalidArgumentError(`${argument} is not a valid JSON Schema: ${message}${pointer ? ` (at ${pointer})` : ''}`, {
    argument,
    message,
    pointer,
  })
}

/** Builds the entry for one channel; throws E_INVALID_ARGUMENT naming the option. */
function createEntry(channel, handler, options, defaults) {
  if (options === undefined || options === null) options = {}
  if (!isObject(options)) throw invalidArgument('options', 'an object', options)
  for (const key of Object.keys(options)) {
    if (!HANDLER_OPTIONS.has(key)) throw invalidArgument(`options.${key}`, `one of the known options (${[...HANDLER_OPTIONS].join(', ')})`, options[key])
  }
  if (options.schema !== undefined && options.argsSchema !== undefined) {
    throw invalidArgument('options.argsSchema', 'absent when options.schema is given (use one)', options.argsSchema)
  }
  if (options.allowSender !== undefined && typeof options.allowSender !== 'function') {
    throw invalidArgument('options.allowSender', 'a function (ctx) => boolean', options.allowSender)
  }
  // Infinity turns a cap off, natively too.
  const maxBytes = readCap(options.maxBytes, 'options.maxBytes', defaults.maxBytes)
  const maxDepth = readCap(options.maxDepth, 'options.maxDepth', defaults.maxDepth)
  const capped = maxBytes !== Infinity || maxDepth !== Infinity
  // maxDepth counts inside one argument; walking the args list adds a level.
  const listDepth = maxDepth + 1
  let validator
  let mode = 'none'
  if (options.schema !== undefined) {
    validator = readSchema(options.schema, 'options.schema', { maxBytes, maxDepth })
    mode = 'first'
  } else if (options.argsSchema !== undefined) {
    validator = readSchema(options.argsSchema, 'options.argsSchema', { maxBytes, maxDepth: listDepth })
    mode = 'args'
  }
  // For flat arguments that cannot reach a cap (pipeline/guard.js): the same schema, not measuring.
  const uncapped = validator !== undefined && capped ? compileSchema(mode === 'first' ? options.schema : options.argsSchema).validator : undefined
  return {
    channel,
    handler,
    mode,
    validator,
    uncapped,
    capped,
    caps: { maxBytes, maxDepth },
    listDepth,
    timeoutMs: readTimeout(options.timeoutMs, 'options.timeoutMs', defaults.timeoutMs),
    limits: readRateLimits(options.rateLimit),
    origins: readAllowedOrigins(options.allowedOrigins),
    allowSender: options.allowSender,
    cache: readCacheOptions(options.cache),
    batch: readBatchOptions(options.batch),
    metrics: new ChannelMetrics(),
  }
}

module.exports = { readRegistryOptions, createEntry }
