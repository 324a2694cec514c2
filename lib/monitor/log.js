'use strict'
// D1 logging: `tracing` events from the Rust core (the watchdog's stall
// warning, ...) and ipcflow's own JS events reach one logger on the JS thread.
// Off by default: with no logger the core's check is one atomic load.
// DEBUG_IPC=1 (read once, at load) turns on debug output to stderr.
const binding = require('../../binding.js')
const { invalidArgument, messageOf } = require('../errors')

const LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace']
const DEBUG_FROM_ENV = /^(1|true|yes|on)$/i.test(process.env.DEBUG_IPC ?? '')

const state = { logger: null, level: 'off', sink: null, errors: 0 }

function readLevel(level) {
  if (!LEVELS.includes(level)) throw invalidArgument('level', `one of ${LEVELS.join(', ')}`, level)
  return level
}

function deliver(record) {
  const logger = state.logger
  if (logger === null) return
  try {
    logger(record)
  } catch {
    state.errors++
  }
}

/** The default logger: one line per record on stderr. */
function consoleLogger(record) {
  const fields = Object.entries(record.fields).map(([k, v]) => ` ${k}=${v}`).join('')
  const dropped = record.droppedBefore > 0 ? ` (${record.droppedBefore} earlier records dropped)` : ''
  console.error(`ipcflow ${record.level} ${record.target}: ${record.message}${fields}${dropped}`)
}

/**
 * Sets (or with null, removes) the logger: `fn({ level, target, message, fields, time, droppedBefore })`.
 * `level` defaults to 'warn'.
 */
function setLogger(fn, { level = 'warn' } = {}) {
  if (fn !== null && typeof fn !== 'function') throw invalidArgument('fn', 'a function or null', fn)
  readLevel(level)
  if (state.sink !== null) {
    state.sink.close()
    state.sink = null
  }
  state.logger = fn
  state.level = fn === null ? 'off' : level
  if (fn !== null) {
    state.sink = new binding.BindingLogSink((r) => deliver({ ...r, time: Date.now() }), level)
  }
}

/** Changes the level at run time ('off', 'error', 'warn', 'info', 'debug', 'trace'). */
function setLogLevel(level) {
  readLevel(level)
  if (state.sink === null) {
    if (level !== 'off') setLogger(consoleLogger, { level })
    return
  }
  state.level = level
  state.sink.setLevel(level)
}

function getLogLevel() {
  return state.level
}

/** Delivered and dropped (queue full) core records, and logger throws. */
function getLogStats() {
  const s = state.sink === null ? { delivered: 0, dropped: 0 } : state.sink.stats()
  return { ...s, loggerErrors: state.errors }
}

/** A JS-side event through the same logger (no formatting when filtered out). */
function log(level, target, message, fields = {}) {
  if (state.logger === null || LEVELS.indexOf(level) > LEVELS.indexOf(state.level)) return
  const text = {}
  for (const [k, v] of Object.entries(fields)) text[k] = typeof v === 'string' ? v : messageOf(v)
  deliver({ level, target, message, fields: text, droppedBefore: 0, time: Date.now() })
}

/** DEBUG_IPC=1 behaviour, explicitly (jest sandboxes process.env). */
function enableDebugLogging(on = true) {
  if (on) setLogger(state.logger ?? consoleLogger, { level: 'debug' })
  else setLogger(null)
}

if (DEBUG_FROM_ENV) enableDebugLogging(true)

module.exports = { setLogger, setLogLevel, getLogLevel, getLogStats, log, enableDebugLogging, consoleLogger, LEVELS }
