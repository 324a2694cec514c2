'use strict'
// MemoryManager options: read and checked once, defaults filled here.
const os = require('os')
const v8 = require('v8')
const { invalidArgument } = require('../errors')
const { isObject, readInterval } = require('../monitor/options')

const MIB = 1024 * 1024

function readNumber(value, argument, fallback, min, max = Infinity) {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= min) || !(value <= max)) {
    throw invalidArgument(argument, `a number in [${min}, ${max}]`, value)
  }
  return value
}

/** Default thresholds: on the heap from V8's heap_size_limit, on RSS from total memory. */
function defaultThresholds(onHeap) {
  const limit = onHeap ? v8.getHeapStatistics().heap_size_limit : os.totalmem()
  return onHeap ? [limit * 0.7, limit * 0.85] : [limit * 0.5, limit * 0.75]
}

function readMemoryOptions(options) {
  if (options === undefined || options === null) options = {}
  if (!isObject(options)) throw invalidArgument('options', 'an object', options)
  const pressureOn = options.pressureOn ?? 'rss'
  if (pressureOn !== 'rss' && pressureOn !== 'heap') throw invalidArgument('options.pressureOn', "'rss' or 'heap'", pressureOn)
  const [warningDefault, criticalDefault] = defaultThresholds(pressureOn === 'heap')
  const warningBytes = readNumber(options.warningBytes, 'options.warningBytes', warningDefault, 1)
  const criticalBytes = readNumber(options.criticalBytes, 'options.criticalBytes', Math.max(criticalDefault, warningBytes), warningBytes)
  const trend = options.trend ?? {}
  if (!isObject(trend)) throw invalidArgument('options.trend', 'an object', trend)
  const osPressure = options.osPressure ?? {}
  if (osPressure !== false && !isObject(osPressure)) throw invalidArgument('options.osPressure', 'an object or false', osPressure)
  const inactiveTaskMs = readInterval(options.inactiveTaskMs, 'options.inactiveTaskMs', 30_000)
  return {
    inactiveTaskMs,
    idleTaskMs: readInterval(options.idleTaskMs, 'options.idleTaskMs', Math.min(5_000, inactiveTaskMs)),
    sampleIntervalMs: readInterval(options.sampleIntervalMs, 'options.sampleIntervalMs', 1_000),
    windowSamples: readNumber(options.windowSamples, 'options.windowSamples', 120, 10, 100_000),
    pressureOn,
    warningBytes,
    criticalBytes,
    hysteresis: readNumber(options.hysteresis, 'options.hysteresis', 0.1, 0, 0.9),
    minGrowthBytesPerHour: readNumber(trend.minBytesPerHour, 'options.trend.minBytesPerHour', MIB, 0),
    minRelativeGrowthPerHour: readNumber(trend.minRelativePerHour, 'options.trend.minRelativePerHour', 0.1, 0),
    minR2: readNumber(trend.minR2, 'options.trend.minR2', 0.6, 0, 1),
    osPressure:
      osPressure === false
        ? null
        : {
            warningSome: readNumber(osPressure.warningSome, 'options.osPressure.warningSome', 10, 0, 100),
            criticalFull: readNumber(osPressure.criticalFull, 'options.osPressure.criticalFull', 10, 0, 100),
          },
    sample: options.sample !== false,
  }
}

module.exports = { readMemoryOptions }
