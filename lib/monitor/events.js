'use strict'
// An EventEmitter whose listeners cannot throw into the caller: events come
// from native callbacks and timers, where a throw would be an uncaught
// exception. A throwing (or rejecting) listener is counted and skipped.
const { EventEmitter } = require('events')

class SafeEmitter extends EventEmitter {
  constructor() {
    super()
    this.listenerErrors = 0
  }

  emit(event, ...args) {
    // Node's rawListeners(undefined) throws; no event of ours has such a name.
    if (typeof event !== 'string' && typeof event !== 'symbol') return false
    const listeners = this.rawListeners(event)
    if (listeners.length === 0) return false
    for (const listener of listeners) {
      try {
        const result = Reflect.apply(listener, this, args)
        if (result && typeof result.then === 'function') result.then(undefined, () => this.listenerErrors++)
      } catch {
        this.listenerErrors++
      }
    }
    return true
  }
}

module.exports = { SafeEmitter }
