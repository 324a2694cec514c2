'use strict'
// Per-channel counters in JS (an increment is cheaper than a native call) and
// a native latency histogram of calls that reached their handler.
const { Histogram } = require('./native')

class ChannelMetrics {
  constructor() {
    this.latency = new Histogram()
    this.reset()
  }

  // inFlight survives a reset: those calls still finish and decrement it.
  reset() {
    this.inFlight ??= 0
    this.calls = 0
    this.ok = 0
    this.errors = 0
    this.errorsByCode = Object.create(null)
    this.lateResults = 0
    this.latency.reset()
  }

  failed(code) {
    this.errors++
    this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1
  }

  snapshot() {
    return {
      calls: this.calls,
      ok: this.ok,
      errors: this.errors,
      errorsByCode: { ...this.errorsByCode },
      lateResults: this.lateResults,
      inFlight: this.inFlight,
      latencyMs: this.latency.summary(),
    }
  }
}

/** Totals over channels, plus calls that never reached one (unknown channel, closed). */
function totals(channels, unrouted) {
  const t = { calls: unrouted.calls, ok: 0, errors: unrouted.calls, errorsByCode: { ...unrouted.errorsByCode }, lateResults: 0, inFlight: 0 }
  for (const m of Object.values(channels)) {
    t.calls += m.calls
    t.ok += m.ok
    t.errors += m.errors
    t.lateResults += m.lateResults
    t.inFlight += m.inFlight
    for (const [code, n] of Object.entries(m.errorsByCode)) t.errorsByCode[code] = (t.errorsByCode[code] ?? 0) + n
  }
  return t
}

/** Calls a duck-typed monitor; its failures are not the caller's problem. */
function tell(monitor, method, name, value) {
  if (monitor === undefined) return
  try {
    monitor[method](name, value)
  } catch {
    // ignore
  }
}

module.exports = { ChannelMetrics, totals, tell }
