'use strict'
// HeartbeatMonitor options: the one definition (README "HeartbeatMonitor").
const { invalidArgument } = require('../errors')

const MAX_MS = 86_400_000

function millis(value, name, fallback, min = 1) {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= min && value <= MAX_MS)) throw invalidArgument(name, `a number of milliseconds from ${min} to ${MAX_MS}`, value)
  return value
}

function count(value, name, fallback, min = 1) {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < min || value > 1_000_000) throw invalidArgument(name, `an integer from ${min} to 1000000`, value)
  return value
}

function readBackoff(backoff = {}) {
  if (backoff === null || typeof backoff !== 'object') throw invalidArgument('options.backoff', 'an object', backoff)
  const initialMs = millis(backoff.initialMs, 'options.backoff.initialMs', 500)
  const maxMs = millis(backoff.maxMs, 'options.backoff.maxMs', Math.max(30_000, initialMs), initialMs)
  const { factor = 2, jitter = 0.5 } = backoff
  if (typeof factor !== 'number' || !(factor >= 1 && factor <= 100)) throw invalidArgument('options.backoff.factor', 'a number from 1 to 100', factor)
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) throw invalidArgument('options.backoff.jitter', 'a number from 0 to 1', jitter)
  return { initialMs, maxMs, factor, jitter }
}

function readHeartbeatOptions(options) {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object with probe()', options)
  const { probe, reconnect } = options
  if (typeof probe !== 'function') throw invalidArgument('options.probe', 'a function returning a promise', probe)
  if (reconnect !== undefined && typeof reconnect !== 'function') throw invalidArgument('options.reconnect', 'a function', reconnect)
  const intervalMs = millis(options.intervalMs, 'options.intervalMs', 1000)
  const timeoutMs = millis(options.timeoutMs, 'options.timeoutMs', intervalMs)
  const staleAfter = count(options.staleAfter, 'options.staleAfter', 1)
  const deadAfter = count(options.deadAfter, 'options.deadAfter', 3, staleAfter)
  const maxReconnectAttempts = count(options.maxReconnectAttempts, 'options.maxReconnectAttempts', 5)
  return { probe, reconnect, intervalMs, timeoutMs, staleAfter, deadAfter, maxReconnectAttempts, backoff: readBackoff(options.backoff) }
}

/**
 * Delay before reconnect attempt `attempt` (1-based): exponential, capped at
 * maxMs, then up to `jitter` of it taken off at random so many windows that
 * died together do not reconnect in step.
 */
function backoffDelay(attempt, backoff, random = Math.random) {
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** (attempt - 1))
  return base * (1 - backoff.jitter * random())
}

module.exports = { readHeartbeatOptions, backoffDelay }
