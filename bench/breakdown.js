'use strict'
// Where ipcflow's main-thread CPU goes above the transport floor, for a paced
// source (`node bench/breakdown.js [worker|timer]`). Each ipcflow variant
// removes one cost and is compared with a floor that replays its own frame
// sizes in the same round:
//   default          adaptive, maxWaitMs 16: frames leave by size, at the end of a producer's
//                    turn when due before its next one, or by the native timer
//   timer only       adaptive off, maxWaitMs 16: every time-capped frame waits for a timer wake
//   no wake          adaptive off, maxWaitMs 1000: frames leave only by size, no timer wake
//   no sampling      default, with the queue-wait clock read every 1e7 messages
// The gap left in "no wake" is the per-message and per-frame bookkeeping;
// "default" minus "no wake" is what the timer wakes cost.
const path = require('path')
const { createWindow } = require('../test/standin')
const { runStream, CHANNEL } = require('./stream')
const { median, medianInterval, fmt, monotonicOrigin, rotation } = require('./stats')

const RATE = 2000
const DURATION_MS = Number(process.env.BENCH_DURATION_MS || 2000)
const ROUNDS = Number(process.env.BENCH_ROUNDS || 7)
const BASE = { maxBatchSize: 50, maxWaitMs: 16 }
const VARIANTS = {
  default: BASE,
  'timer only': { ...BASE, adaptive: false },
  'no wake': { ...BASE, adaptive: false, maxWaitMs: 1000 },
  'no sampling': { ...BASE, waitSampleEvery: 1e7 },
}


async function runBreakdown(source = 'worker') {
  const win = await createWindow({
    kind: 'process',
    renderer: path.join(__dirname, 'renderer.js'),
    rendererOptions: { channels: [CHANNEL], mainMonotonicOrigin: monotonicOrigin() },
  })
  const names = Object.keys(VARIANTS)
  const runs = { generator: [] }
  for (const name of names) runs[name] = { ipcflow: [], floor: [] }
  try {
    await runStream(win, { variant: 'ipcflow', source, rate: RATE, durationMs: 500, options: BASE }) // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      // Rotated each round; each floor right after the ipcflow run whose frame sizes it replays.
      for (const name of rotation(['generator', ...names], round)) {
        if (name === 'generator') {
          runs.generator.push(await runStream(win, { variant: 'generator', source, rate: RATE, durationMs: DURATION_MS, options: BASE }))
          continue
        }
        const options = VARIANTS[name]
        const own = await runStream(win, { variant: 'ipcflow', source, rate: RATE, durationMs: DURATION_MS, options })
        runs[name].ipcflow.push(own)
        runs[name].floor.push(await runStream(win, { variant: 'floor', source, rate: RATE, durationMs: DURATION_MS, options, frameSizes: own.frameSizes }))
      }
    }
  } finally {
    await win.close()
  }
  const generator = (i) => runs.generator[i].cpuNsPerMessage
  const rows = names.map((name) => {
    const r = runs[name]
    const net = (kind, i) => r[kind][i].cpuNsPerMessage - generator(i)
    const gap = r.ipcflow.map((_, i) => net('ipcflow', i) - net('floor', i))
    const ratio = r.ipcflow.map((_, i) => net('ipcflow', i) / net('floor', i))
    const frames = median(r.ipcflow.map((x) => x.frames))
    return {
      name,
      framesPerMessage: median(r.ipcflow.map((x) => x.framesPerMessage)),
      netIpcflow: median(r.ipcflow.map((_, i) => net('ipcflow', i))),
      netFloor: median(r.floor.map((_, i) => net('floor', i))),
      ratio: median(ratio),
      ratioCi: medianInterval(ratio),
      gapNsPerMessage: median(gap),
      gapCi: medianInterval(gap),
      gapUsPerFrame: (median(gap) * r.ipcflow[0].messages) / frames / 1000,
      wakesPerFrame: median(r.ipcflow.map((x) => x.timerWakes / x.frames)),
    }
  })
  return { source, rounds: ROUNDS, rows }
}

function breakdownMarkdown({ source, rounds, rows }) {
  return [
    `Source: ${source}, ${RATE} msg/s for ${DURATION_MS} ms per run, ${rounds} interleaved rounds; each variant against a floor`,
    'replaying its own frame sizes in the same round; net = minus the generator alone; medians with 95% confidence intervals.',
    '',
    '| variant | frames/msg | timer wakes/frame | net ipcflow ns/msg | net floor ns/msg | ratio | gap ns/msg | gap us/frame |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${fmt(r.framesPerMessage, 4)} | ${fmt(r.wakesPerFrame, 2)} | ${fmt(r.netIpcflow)} | ${fmt(r.netFloor)} | ${fmt(r.ratio, 3)}x [${fmt(r.ratioCi[0], 2)}, ${fmt(r.ratioCi[1], 2)}] | ${fmt(r.gapNsPerMessage)} [${fmt(r.gapCi[0])}, ${fmt(r.gapCi[1])}] | ${fmt(r.gapUsPerFrame, 1)} |`),
    '',
  ].join('\n')
}

module.exports = { runBreakdown, breakdownMarkdown }

if (require.main === module) {
  runBreakdown(process.argv[2] || 'worker').then(
    (result) => console.log(breakdownMarkdown(result)),
    (error) => {
      console.error(error)
      process.exitCode = 1
    },
  )
}
