'use strict'
// Debouncer options: the one definition (README "Debouncer"). Each entry
// names the option when it is wrong and fills its default.
const { invalidArgument } = require('../errors')

const MAX_DELAY_MS = 86_400_000 // a day: longer is a schedule, not a debounce

function millis(value, name, fallback) {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= 0 && value <= MAX_DELAY_MS)) {
    throw invalidArgument(name, `a number of milliseconds from 0 to ${MAX_DELAY_MS}`, value)
  }
  return value
}

function boolean(value, name, fallback) {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw invalidArgument(name, 'a boolean', value)
  return value
}

function readOptions(options) {
  if (options === undefined) options = {}
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options)
  const given = options.delays === undefined ? {} : options.delays
  if (given === null || typeof given !== 'object') throw invalidArgument('options.delays', 'an object of priority -> ms', given)
  // Priorities are the keys of `delays`; normal and critical always exist.
  const delays = { normal: 300, critical: 50 }
  for (const [priority, ms] of Object.entries(given)) delays[priority] = millis(ms, `options.delays.${priority}`)
  const maxWaitMs = options.maxWaitMs === undefined || options.maxWaitMs === Infinity ? Infinity : millis(options.maxWaitMs, 'options.maxWaitMs')
  const leading = boolean(options.leading, 'options.leading', false)
  const trailing = boolean(options.trailing, 'options.trailing', true)
  if (!leading && !trailing) throw invalidArgument('options.trailing', 'true when leading is false (nothing would ever run)', false)
  const onError = options.onError
  if (onError !== undefined && typeof onError !== 'function') throw invalidArgument('options.onError', 'a function', onError)
  return { delays, maxWaitMs, leading, trailing, onError }
}

module.exports = { readOptions }
