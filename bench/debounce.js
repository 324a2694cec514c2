'use strict'
// Debouncer cost per call against lodash.debounce (tinybench, `node bench/debounce.js`).
// Each task call makes 1,000 calls spread over 256 keys whose delay never
// passes during the run, so the figure is the caller's cost of a call inside a
// burst (lodash: one debounced function per key, as an app would keep them).
// Both check the same thing first: a burst runs the last call once.
const { Bench } = require('tinybench')
const lodashDebounce = require('lodash.debounce')
const { Debouncer } = require('..')

const PER_CALL = 1000
const KEYS = 256

async function sameOutcome() {
  const ours = []
  const theirs = []
  const d = new Debouncer({ delays: { normal: 20 } })
  const l = lodashDebounce((n) => theirs.push(n), 20)
  for (let i = 0; i < 100; i++) {
    d.debounce('k', () => ours.push(i))
    l(i)
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
  d.close()
  if (JSON.stringify(ours) !== JSON.stringify(theirs)) throw new Error(`outcomes differ: ${ours} vs ${theirs}`)
}

async function runDebounceBench() {
  await sameOutcome()
  const fn = () => {}
  const debouncer = new Debouncer({ delays: { normal: 60_000 } })
  const perKey = Array.from({ length: KEYS }, () => lodashDebounce(fn, 60_000))
  const bench = new Bench({ time: 1500, warmupTime: 300 })
  bench
    .add('lodash.debounce, one function per key', () => {
      for (let i = 0; i < PER_CALL; i++) perKey[i & (KEYS - 1)]()
    })
    .add('Debouncer.debounce(key, fn)', () => {
      for (let i = 0; i < PER_CALL; i++) debouncer.debounce(i & (KEYS - 1), fn)
    })
  await bench.run()
  debouncer.close()
  perKey.forEach((f) => f.cancel())
  const ns = (name) => (bench.getTask(name).result.latency.p50 * 1e6) / PER_CALL
  return { lodashNs: ns('lodash.debounce, one function per key'), debouncerNs: ns('Debouncer.debounce(key, fn)') }
}

if (require.main === module) {
  runDebounceBench().then((r) => console.log(`ns per call (median): lodash.debounce ${r.lodashNs.toFixed(1)}, Debouncer ${r.debouncerNs.toFixed(1)}`))
}

module.exports = { runDebounceBench }
