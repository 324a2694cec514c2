'use strict'
// BatchManager options: JS types checked here (so the error names the
// argument), ranges and defaults by the native rules (src/batch/config.rs).
const { checkBatchOptions } = require('../../binding.js')
const { InvalidArgumentError, invalidArgument } = require('../errors')

const NUMBER_OPTIONS = ['maxBatchSize', 'maxWaitMs', 'lowPriorityWaitMs', 'maxBatchBytes', 'maxQueueSize', 'waitSampleEvery', 'maxFramesInFlight']
const BOOLEAN_OPTIONS = ['enabled', 'holdUntilReady', 'dedupe']

function readOptions(options) {
  if (options === undefined || options === null) options = {}
  if (typeof options !== 'object') throw invalidArgument('options', 'an object', options)
  for (const name of NUMBER_OPTIONS) {
    const v = options[name]
    if (v !== undefined && typeof v !== 'number') throw invalidArgument(`options.${name}`, 'a number', v)
  }
  for (const name of BOOLEAN_OPTIONS) {
    const v = options[name]
    if (v !== undefined && typeof v !== 'boolean') throw invalidArgument(`options.${name}`, 'a boolean', v)
  }
  if (options.overflow !== undefined && typeof options.overflow !== 'string') {
    throw invalidArgument('options.overflow', "'drop-oldest' or 'drop-newest'", options.overflow)
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw invalidArgument('options.onError', 'a function', options.onError)
  }
  const checked = checkBatchOptions(options)
  if (checked.issue) throw new InvalidArgumentError(checked.issue.message, { argument: checked.issue.argument })
  return {
    ...checked.options,
    enabled: options.enabled !== false,
    holdUntilReady: options.holdUntilReady === true,
    dedupe: options.dedupe === true,
    onError: options.onError,
  }
}

module.exports = { readOptions }
