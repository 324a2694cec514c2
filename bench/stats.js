'use strict'
// Small helpers shared by the benchmarks and the demo.
const fs = require('fs')
const { clockOrigin } = require('../lib/timers/origin')

/** CPU time of the calling thread in ns (Linux schedstat), or NaN elsewhere. */
function threadCpuNs() {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0])
  } catch {
    return NaN
  }
}

function percentile(values, p) {
  if (values.length === 0) return 0
  const sorted = Float64Array.from(values).sort()
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

function median(values) {
  return percentile(values, 50)
}

/**
 * A distribution-free confidence interval for the median (order statistics of
 * the binomial): `[low, high]` covering it with at least `level`; the whole
 * range when there are too few values for that.
 */
function medianInterval(values, level = 0.95) {
  const sorted = Float64Array.from(values).sort()
  const n = sorted.length
  if (n === 0) return [NaN, NaN]
  // [x(k), x(n+1-k)] (1-based) covers the median with 1 - 2 P(X <= k-1), X ~ Binomial(n, 1/2):
  // k is the largest rank that keeps both tails within 1 - level.
  let k = 0
  let tail = 0
  let term = 1 / 2 ** n // P(X = 0)
  for (let j = 0; j < n; j++) {
    tail += term
    if (2 * tail > 1 - level) break
    k = j + 1
    term = (term * (n - j)) / (j + 1)
  }
  return k === 0 ? [sorted[0], sorted[n - 1]] : [sorted[k - 1], sorted[n - k]]
}

/**
 * Where this process's performance.now() zero lies on the system's monotonic clock, in ms. Two processes'
 * performance.now() times compare through it. performance.timeOrigin is a wall-clock reading that a clock
 * adjustment shifts: a run that compared through it read delivery latencies of -0.6 ms.
 */
const monotonicOrigin = () => clockOrigin(() => Number(process.hrtime.bigint()) / 1e6, 5)

/** `names` starting at `round` (mod its length): over the rounds, each goes first as often as the others. */
const rotation = (names, round) => names.map((_, k) => names[(round + k) % names.length])

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** A figure for a table: `digits` decimals, 'n/a' when there is none. */
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a')

module.exports = { threadCpuNs, percentile, median, medianInterval, monotonicOrigin, rotation, sleep, fmt }
