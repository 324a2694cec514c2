'use strict'
// Small helpers shared by the benchmarks and the demo.
const fs = require('fs')

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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

module.exports = { threadCpuNs, percentile, median, sleep }
