'use strict'
// How BatchManager and HandlerRegistry take a MemoryManager: duck-typed (any
// object with onPressure), subscribed once, unsubscribed on close.
const { invalidArgument } = require('../errors')

/** Subscribes `onLevel(level)` to `memory`'s pressure changes; returns the unsubscribe (a no-op without memory). */
function subscribePressure(memory, argument, onLevel) {
  if (memory === undefined) return () => {}
  if (memory === null || typeof memory !== 'object' || typeof memory.onPressure !== 'function') {
    throw invalidArgument(argument, 'a MemoryManager (an object with onPressure())', memory)
  }
  const unsubscribe = memory.onPressure((level) => onLevel(level))
  return typeof unsubscribe === 'function' ? unsubscribe : () => {}
}

module.exports = { subscribePressure }
