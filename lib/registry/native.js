'use strict'
// The registry's only door to the addon: everything else in lib/registry
// uses these names, so the binding's shape is this file's concern alone.
const binding = require('../../binding.js')

const NAMES = ['compileSchema', 'checkLimits', 'NativeValidator', 'NativeRateLimiter', 'NativeHistogram', 'fastCalls']
for (const name of NAMES) {
  if (binding[name] === undefined) throw new Error(`ipcflow: the native addon lacks '${name}'; rebuild it (npm run build)`)
}

const { rateLimitCheck, histogramRecord } = binding.fastCalls()

// The per-call methods go through raw native functions on a numeric handle
// (~25 ns) rather than napi class methods (~230 ns: they unwrap `this` on every
// call); the native object stays referenced here, so its handle stays valid.

/** GCRA rate limiter: `check(key)` is 0 when allowed, else ms until allowed. */
class RateLimiter {
  constructor(requests, windowMs) {
    this.native = new binding.NativeRateLimiter(requests, windowMs)
    this.handle = this.native.handle
  }

  check(key) {
    return rateLimitCheck(this.handle, key)
  }

  reset(key) {
    this.native.reset(key)
  }
}

/** Latency histogram in milliseconds. */
class Histogram {
  constructor() {
    this.native = new binding.NativeHistogram()
    this.handle = this.native.handle
  }

  record(ms) {
    histogramRecord(this.handle, ms)
  }

  summary() {
    return this.native.summary()
  }

  reset() {
    this.native.reset()
  }
}

module.exports = {
  ...Object.fromEntries(NAMES.map((name) => [name, binding[name]])),
  // Same names and methods as the binding's classes, with the fast per-call paths.
  NativeRateLimiter: RateLimiter,
  NativeHistogram: Histogram,
}
