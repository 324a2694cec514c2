'use strict'
// The calls a registry is running, and the ones a renderer may cancel by id.

/** Cancel ids are per sender, so a renderer can only cancel its own calls. */
function cancelKey(senderId, requestId) {
  return senderId === undefined || requestId === undefined ? undefined : `${senderId}\u0000${requestId}`
}

class InFlight {
  constructor() {
    this.calls = new Set()
    // cancelKey -> what a cancel reaches (a call, a cached caller, a stream, a batched call): anything with cancel(why)
    this.cancellable = new Map()
  }

  /** Tracks `call`; returns the key it can be cancelled by (a repeated id from one sender is served but not cancellable). */
  add(call, key) {
    this.calls.add(call)
    if (key === undefined || this.cancellable.has(key)) return undefined
    this.cancellable.set(key, call)
    return key
  }

  /** Forgets `call`; false when it was not tracked (already finished). */
  delete(call, key) {
    if (key !== undefined) this.cancellable.delete(key)
    return this.calls.delete(call)
  }

  find(key) {
    return key === undefined ? undefined : this.cancellable.get(key)
  }

  snapshot() {
    return [...this.calls]
  }
}

/** The request id inside a cancel key. */
function requestIdOf(key) {
  return key.slice(key.indexOf('\u0000') + 1)
}

module.exports = { InFlight, cancelKey, requestIdOf }
