'use strict'
// BatchManager options: the one definition. Each entry reads one option,
// names it when it is wrong, and fills its default; the native side only
// ever sees the waits it schedules. Adding an option is one entry here,
// its doc line in index.d.ts and its test.
const { invalidArgument } = require('../errors')

const MAX_WAIT_MS = 60_000
const MAX_COUNT = 10_000_000

const integer = (min, defaultOf) => (value, name, o) => {
  const low = typeof min === 'function' ? min(o) : min
  if (value === undefined) return defaultOf(o)
  if (!Number.isInteger(value) || value < low || value > MAX_COUNT) {
    throw invalidArgument(name, `an integer from ${low} to ${MAX_COUNT}`, value)
  }
  return value
}

const millis = (min, defaultOf) => (value, name, o) => {
  const low = typeof min === 'function' ? min(o) : min
  if (value === undefined) return defaultOf(o)
  if (typeof value !== 'number' || !(value >= low && value <= MAX_WAIT_MS)) {
    throw invalidArgument(name, `a number of milliseconds from ${low} to ${MAX_WAIT_MS}`, value)
  }
  return value
}

const boolean = (fallback) => (value, name) => {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw invalidArgument(name, 'a boolean', value)
  return value
}

const oneOf = (values) => (value, name) => {
  if (value === undefined) return values[0]
  if (!values.includes(value)) throw invalidArgument(name, values.map((v) => `'${v}'`).join(' or '), value)
  return value
}

// In order: a rule may read the options normalized before it (`o`).
const RULES = {
  maxBatchSize: integer(1, () => 50),
  maxWaitMs: millis(0, () => 16),
  lowPriorityWaitMs: millis((o) => o.maxWaitMs, (o) => Math.min(o.maxWaitMs * 4, MAX_WAIT_MS)),
  // 0 means no byte limit (and no per-message size estimate).
  maxBatchBytes: (value, name) => {
    if (value === undefined || value === Infinity) return 0
    if (typeof value !== 'number' || !(value >= 1) || !Number.isFinite(value)) {
      throw invalidArgument(name, 'a number of bytes >= 1, or Infinity', value)
    }
    return Math.floor(value)
  },
  maxQueueSize: integer((o) => o.maxBatchSize, (o) => Math.max(10_000, o.maxBatchSize)),
  overflow: oneOf(['drop-oldest', 'drop-newest']),
  waitSampleEvery: integer(1, () => 8),
  // Unacknowledged frames a flow-controlled target may have; 0 turns flow control off.
  maxFramesInFlight: (value, name, o) => (value === 0 ? 0 : integer(2, () => 16)(value, name, o)),
  // A message to a target quiet for idleMs (no message to it) leaves at once; the ones after it batch.
  adaptive: boolean(true),
  idleMs: millis(0, (o) => o.maxWaitMs),
  // Frames per second a target may receive under load (size and time flushes wait for it); 0 is no budget.
  maxFramesPerSecond: (value, name) => {
    if (value === undefined || value === 0) return 0
    if (typeof value !== 'number' || !(value > 0 && value <= 1000)) throw invalidArgument(name, 'a number of frames per second in (0, 1000], or 0', value)
    return value
  },
  enabled: boolean(true),
  holdUntilReady: boolean(false),
  dedupe: boolean(false),
  onError: (value, name) => {
    if (value !== undefined && typeof value !== 'function') throw invalidArgument(name, 'a function', value)
    return value
  },
}

/** Normalized, frozen options; throws E_INVALID_ARGUMENT naming the option. */
function readOptions(options) {
  if (options === undefined || options === null) options = {}
  if (typeof options !== 'object' || Array.isArray(options)) throw invalidArgument('options', 'an object', options)
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(RULES, key)) {
      throw invalidArgument(`options.${key}`, `one of the known options (${Object.keys(RULES).join(', ')})`, options[key])
    }
  }
  const o = {}
  for (const [name, rule] of Object.entries(RULES)) o[name] = rule(options[name], `options.${name}`, o)
  return Object.freeze(o)
}

module.exports = { readOptions }
