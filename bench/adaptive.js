'use strict'
// Adaptive batching across rates (`node bench/adaptive.js`): frames per
// message and per second, delivery latency (enqueue in main to dispatch in a
// renderer process) and main-thread and renderer CPU per message, for ipcflow
// with adaptive batching (the default), without it, with a frame budget of 60
// frames a second, and unbatched sends, interleaved.
const path = require('path')
const { createWindow } = require('../test/standin')
const { runStream, CHANNEL } = require('./stream')
const { median, percentile, monotonicOrigin, rotation } = require('./stats')

const RATES = [10, 20, 50, 200, 1000, 2000, 10_000]
const ROUNDS = Number(process.env.BENCH_ADAPTIVE_ROUNDS || 3)
const BASE = { maxBatchSize: 50, maxWaitMs: 16 }
const FRAME_BUDGET = 60
const VARIANTS = [
  { name: 'ipcflow adaptive', variant: 'ipcflow', options: BASE },
  { name: 'ipcflow adaptive: false', variant: 'ipcflow', options: { ...BASE, adaptive: false } },
  { name: `ipcflow maxFramesPerSecond: ${FRAME_BUDGET}`, variant: 'ipcflow', options: { ...BASE, maxFramesPerSecond: FRAME_BUDGET } },
  { name: 'unbatched', variant: 'unbatched', options: BASE },
]
const VARIANT_INDEXES = VARIANTS.map((_, v) => v)

// Long enough for ~40 messages at the lowest rates, 1 s at the high ones.
const durationFor = (rate) => Math.max(1000, Math.min(4000, (40 / rate) * 1000))
// Latency percentiles pool every round's messages; low rates get more rounds, so
// a p99 rests on at least 200 messages (of 40, it would be the maximum).
const POOLED = 200
const roundsFor = (rate) => Math.max(ROUNDS, Math.ceil(POOLED / Math.round((rate * durationFor(rate)) / 1000)))

async function runAdaptiveBench() {
  const win = await createWindow({
    kind: 'process',
    renderer: path.join(__dirname, 'renderer.js'),
    rendererOptions: { channels: [CHANNEL], mainMonotonicOrigin: monotonicOrigin() },
  })
  const rows = []
  try {
    await runStream(win, { variant: 'ipcflow', rate: 2000, durationMs: 300, options: BASE }) // warm-up
    for (const rate of RATES) {
      const runs = VARIANTS.map(() => [])
      const rounds = roundsFor(rate)
      for (let round = 0; round < rounds; round++) {
        // Each variant goes first as often as the others: the first run of a round follows the previous rate's.
        for (const v of rotation(VARIANT_INDEXES, round)) {
          const { variant, options } = VARIANTS[v]
          runs[v].push(await runStream(win, { variant, rate, durationMs: durationFor(rate), options, keepLatencies: true }))
        }
      }
      VARIANTS.forEach(({ name }, v) => {
        const pick = (key) => median(runs[v].map((r) => r[key]))
        const latencies = runs[v].flatMap((r) => r.latencies)
        rows.push({
          rate,
          name,
          rounds,
          messages: runs[v][0].messages,
          pooled: latencies.length,
          framesPerMessage: pick('framesPerMessage'),
          framesPerSecond: pick('framesPerSecond'),
          // The shortest of the rounds: the budget holds for every gap of every run, not for their median.
          minFrameGapMs: Math.min(...runs[v].map((r) => r.minFrameGapMs)),
          rendererCpuNsPerMessage: pick('rendererCpuNsPerMessage'),
          latencyP50: percentile(latencies, 50),
          latencyP99: percentile(latencies, 99),
          cpuNsPerMessage: pick('cpuNsPerMessage'),
        })
      })
    }
  } finally {
    await win.close()
  }
  return { rows, rounds: ROUNDS }
}

module.exports = { runAdaptiveBench, RATES, FRAME_BUDGET }

if (require.main === module) {
  runAdaptiveBench().then(({ rows }) => {
    for (const r of rows) {
      console.log(`${String(r.rate).padStart(6)} msg/s  ${r.name.padEnd(24)} ${r.rounds} rounds, ${r.pooled} latencies  frames/msg ${r.framesPerMessage.toFixed(3)}  frames/s ${r.framesPerSecond.toFixed(1)}  min gap ${r.minFrameGapMs.toFixed(2)} ms  latency p50 ${r.latencyP50.toFixed(2)} ms p99 ${r.latencyP99.toFixed(2)} ms  CPU ${r.cpuNsPerMessage.toFixed(0)} ns/msg  renderer ${r.rendererCpuNsPerMessage.toFixed(0)} ns/msg`)
    }
  })
}
