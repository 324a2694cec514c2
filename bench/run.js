'use strict'
// `npm run bench`: every BatchManager figure side by side in one run, written
// to bench/RESULTS.md with the machine and the command.
const fs = require('fs')
const os = require('os')
const path = require('path')
const { execFileSync } = require('child_process')
const { createWindow } = require('../test/standin')
const { runStream, CHANNEL } = require('./stream')
const { runEnqueue } = require('./micro')
const { runStalled } = require('./stalled')
const { median } = require('./stats')

const RATE = 2000
const DURATION_MS = Number(process.env.BENCH_DURATION_MS || 4000)
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3)
const OPTIONS = { maxBatchSize: 50, maxWaitMs: 16 }
const VARIANTS = ['unbatched', 'js', 'ipcflow']

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a')
const verdict = (ok) => (ok ? 'met' : '**missed**')

async function streamBench() {
  const win = await createWindow({
    kind: 'process',
    renderer: path.join(__dirname, 'renderer.js'),
    rendererOptions: { channels: [CHANNEL], mainTimeOrigin: performance.timeOrigin },
  })
  const runs = Object.fromEntries(VARIANTS.map((v) => [v, []]))
  try {
    await runStream(win, { variant: 'ipcflow', rate: RATE, durationMs: 500, options: OPTIONS }) // warm-up
    await runStream(win, { variant: 'js', rate: RATE, durationMs: 500, options: OPTIONS })
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of VARIANTS) {
        runs[variant].push(await runStream(win, { variant, rate: RATE, durationMs: DURATION_MS, options: OPTIONS }))
      }
    }
  } finally {
    await win.close()
  }
  const result = {}
  for (const variant of VARIANTS) {
    const r = runs[variant]
    const pick = (key) => median(r.map((x) => x[key]))
    result[variant] = {
      messages: r[0].messages,
      delivered: Math.min(...r.map((x) => x.delivered)),
      frames: pick('frames'),
      framesPerMessage: pick('framesPerMessage'),
      cpuNsPerMessage: pick('cpuNsPerMessage'),
      queueWaitP50: pick('queueWaitP50'),
      queueWaitP99: pick('queueWaitP99'),
      latencyP50: pick('latencyP50'),
      latencyP99: pick('latencyP99'),
    }
  }
  return result
}

function addonFacts() {
  const node = fs.readdirSync(path.join(__dirname, '..')).find((f) => f.endsWith('.node'))
  const loads = []
  for (let i = 0; i < 5; i++) {
    const out = execFileSync(process.execPath, ['-e', `const t=performance.now();require(${JSON.stringify(path.join(__dirname, '..', 'binding.js'))});console.log(performance.now()-t)`])
    loads.push(Number(String(out).trim()))
  }
  return { file: node, bytes: node ? fs.statSync(path.join(__dirname, '..', node)).size : NaN, loadMs: median(loads) }
}

async function main() {
  console.log(`ipcflow bench: ${RATE} msg/s for ${DURATION_MS} ms x ${ROUNDS} rounds per variant, options ${JSON.stringify(OPTIONS)}`)
  const stream = await streamBench()
  const enqueue = await runEnqueue()
  const stalled = await runStalled()
  const addon = addonFacts()
  const u = stream.unbatched
  const j = stream.js
  const n = stream.ipcflow

  const rows = VARIANTS.map((v) => {
    const s = stream[v]
    return `| ${v} | ${s.messages} | ${s.delivered} | ${fmt(s.frames)} | ${fmt(s.framesPerMessage, 4)} | ${fmt(s.cpuNsPerMessage)} | ${fmt(s.cpuNsPerMessage / u.cpuNsPerMessage, 2)}x | ${fmt(s.queueWaitP50, 2)} / ${fmt(s.queueWaitP99, 2)} | ${fmt(s.latencyP50, 2)} / ${fmt(s.latencyP99, 2)} |`
  })
  const fewerFrames = 1 - n.frames / u.frames
  const targets = [
    ['frames at 2,000 msg/s: >= 95% fewer sends', `${fmt(fewerFrames * 100, 1)}% fewer`, fewerFrames >= 0.95],
    ['queue wait p99 <= maxWaitMs + 2 ms (18 ms)', `${fmt(n.queueWaitP99, 2)} ms`, n.queueWaitP99 <= OPTIONS.maxWaitMs + 2],
    ['main-thread CPU per message <= 0.30x unbatched', `${fmt(n.cpuNsPerMessage / u.cpuNsPerMessage, 3)}x`, n.cpuNsPerMessage <= 0.3 * u.cpuNsPerMessage],
    ['main-thread CPU per message <= 1.05x pure-JS batcher', `${fmt(n.cpuNsPerMessage / j.cpuNsPerMessage, 3)}x`, n.cpuNsPerMessage <= 1.05 * j.cpuNsPerMessage],
    ['addMessage <= 60 ns median', `${fmt(enqueue.ipcflow, 1)} ns`, enqueue.ipcflow <= 60],
    ['stalled renderer at 10k msg/s: memory bounded by maxQueueSize', `max pending ${stalled.maxPending} of ${stalled.maxQueueSize}, ${stalled.dropped} dropped (counted), heap +${fmt(stalled.heapGrowthMb, 1)} MB`, stalled.maxPending <= stalled.maxQueueSize && stalled.counted],
    ['addon load <= 15 ms', `${fmt(addon.loadMs, 2)} ms`, addon.loadMs <= 15],
    ['stripped binary <= 2 MB', `${fmt(addon.bytes / 1e6, 2)} MB`, addon.bytes <= 2e6],
  ]
  const md = [
    '# Benchmark results',
    '',
    `Command: \`npm run bench\` (runs \`node bench/run.js\` after the release build). Date: ${new Date().toISOString().slice(0, 10)}.`,
    `Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${fmt(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}.`,
    '',
    `## Streaming main -> renderer, ${RATE} msg/s, ${DURATION_MS} ms, median of ${ROUNDS} rounds`,
    '',
    'The renderer is a forked child process (`serialization: \'advanced\'`, V8 structured clone), as in the tests.',
    'CPU is the main thread\'s own time (`/proc/thread-self/schedstat`) over the run, per delivered message;',
    'it includes the message generator, equal for all three. Queue wait is measured in main (enqueue to send);',
    'latency is enqueue in main to dispatch in the renderer.',
    '',
    '| variant | messages | delivered | frames | frames/msg | CPU ns/msg | vs unbatched | queue wait p50 / p99 ms | latency p50 / p99 ms |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '## Enqueue cost (tinybench, 1,000 addMessage per sample, no-op target, maxBatchSize 50)',
    '',
    '| what | ns per message (median) |',
    '|---|---|',
    `| array push (floor) | ${fmt(enqueue.floor, 1)} |`,
    `| pure-JS batcher addMessage | ${fmt(enqueue.js, 1)} |`,
    `| ipcflow addMessage | ${fmt(enqueue.ipcflow, 1)} |`,
    '',
    '## Targets (shared/SPEC.md section 5)',
    '',
    '| target | figure | verdict |',
    '|---|---|---|',
    ...targets.map(([what, figure, ok]) => `| ${what} | ${figure} | ${verdict(ok)} |`),
    '',
  ].join('\n')
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md)
  console.log(md)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
