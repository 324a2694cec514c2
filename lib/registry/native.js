'use strict'
// The registry's only door to the addon: everything else in lib/registry
// uses these plain names, so the binding's shape (its Binding* names) is this
// file's concern alone.
const binding = require('../../binding.js')
const { withReadAhead } = require('./read-ahead')
const { withAccept } = require('./accept')

const NEEDED = ['compileSchema', 'checkLimits', 'BindingValidator', 'BindingRateLimiter', 'BindingHistogram', 'fastCalls']
for (const name of NEEDED) {
  if (binding[name] === undefined) throw new Error(`ipcflow: the native addon lacks '${name}'; rebuild it (npm run build)`)
}

const { rateLimitCheck, histogramRecord } = binding.fastCalls()

// The per-call methods go through raw native functions on a numeric handle,
// which skip napi-rs's wrappers: a plain napi function costs ~45 ns and a class
// method ~250 ns, as it unwraps `this` on every call (README, "How it is built,
// and why"). The native object stays referenced here, so its handle stays valid.

/** GCRA rate limiter: `check(key)` is 0 when allowed, else ms until allowed. */
class RateLimiter {
  constructor(requests, windowMs) {
    this.native = new binding.BindingRateLimiter(requests, windowMs)
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
    this.native = new binding.BindingHistogram()
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
  /** `{ ok: true, validator } | { ok: false, error }`; see binding.d.ts. */
  compileSchema(schema, limits) {
    const compiled = binding.compileSchema(schema, limits)
    if (compiled.ok) withAccept(withReadAhead(compiled.validator))
    return compiled
  },
  checkLimits: binding.checkLimits,
  RateLimiter,
  Histogram,
}
