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
const { runValidationBench } = require('./validation')
const { runRegistryBench } = require('./registry')
const { runNativeCalls } = require('./native-calls')
const { runAdaptiveBench, FRAME_BUDGET } = require('./adaptive')
const { runColdBurst, coldBurstMarkdown } = require('./cold-burst')
const { runPacedTurns, pacedTurnsMarkdown } = require('./paced-turns')
const earlyMessage = require('./early-message')
const { runCacheBench, cacheMarkdown } = require('./cache')
const { runRegistryStreamBench, registryStreamMarkdown } = require('./registry-stream')
const { runRegistryBatchBench, registryBatchMarkdown } = require('./registry-batch')
const { runBreakdown, breakdownMarkdown } = require('./breakdown')
const { runDebounceBench } = require('./debounce')
const { median, medianInterval, fmt, monotonicOrigin, rotation } = require('./stats')
const { parseBaselineArgs, applyBaselineArgs } = require('./baseline')

let loadAtStart = [0, 0, 0]
const RATE = 2000
const DURATION_MS = Number(process.env.BENCH_DURATION_MS || 2000)
const ROUNDS = Number(process.env.BENCH_ROUNDS || 21)
const OPTIONS = { maxBatchSize: 50, maxWaitMs: 16 }
// 'floor' replays the frame sizes of the ipcflow run just before it in the same round.
const VARIANTS = ['unbatched', 'js', 'ipcflow', 'floor']
const ALL_VARIANTS = ['generator', ...VARIANTS]
// The order within a round rotates, each variant first as often as the others; the floor stays right
// after ipcflow, whose frame sizes it replays.
const ROUND_ORDER = [['generator'], ['unbatched'], ['js'], ['ipcflow', 'floor']]

const verdict = (ok) => (ok ? 'met' : '**missed**')
// A per-round median ratio with its 95% confidence interval.
const ci = (ratio, [low, high]) => `${fmt(ratio, 3)}x [${fmt(low, 2)}, ${fmt(high, 2)}]`

async function streamBench(source) {
  const win = await createWindow({
    kind: 'process',
    renderer: path.join(__dirname, 'renderer.js'),
    rendererOptions: { channels: [CHANNEL], mainMonotonicOrigin: monotonicOrigin() },
  })
  const runs = Object.fromEntries(ALL_VARIANTS.map((v) => [v, []]))
  try {
    await runStream(win, { variant: 'ipcflow', source, rate: RATE, durationMs: 500, options: OPTIONS }) // warm-up
    await runStream(win, { variant: 'js', source, rate: RATE, durationMs: 500, options: OPTIONS })
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of rotation(ROUND_ORDER, round).flat()) {
        const frameSizes = variant === 'floor' ? runs.ipcflow[round].frameSizes : undefined
        runs[variant].push(await runStream(win, { variant, source, rate: RATE, durationMs: DURATION_MS, options: OPTIONS, frameSizes }))
      }
    }
  } finally {
    await win.close()
  }
  const result = {}
  for (const variant of ALL_VARIANTS) {
    const r = runs[variant]
    const pick = (key) => median(r.map((x) => x[key]))
    result[variant] = {
      messages: r[0].messages,
      delivered: Math.min(...r.map((x) => x.delivered)),
      lost: r.reduce((n, x) => n + (x.messages - x.delivered), 0),
      frames: pick('frames'),
      framesPerMessage: pick('framesPerMessage'),
      cpuNsPerMessage: pick('cpuNsPerMessage'),
      cpuRuns: r.map((x) => x.cpuNsPerMessage),
      queueWaitP50: pick('queueWaitP50'),
      queueWaitP99: pick('queueWaitP99'),
      latencyP50: pick('latencyP50'),
      latencyP99: pick('latencyP99'),
    }
  }
  // Net CPU per round: each variant minus the generator alone in the same
  // round. Ratios are taken per round (the variants of a round run back to
  // back, so they share the VM's mood) and the median ratio is reported.
  const net = (v, i) => runs[v][i].cpuNsPerMessage - runs.generator[i].cpuNsPerMessage
  const renderer = (v, i) => runs[v][i].rendererCpuNsPerMessage
  const perRound = (v, f) => runs[v].map((_, i) => f(i))
  for (const v of VARIANTS) {
    result[v].netCpu = median(perRound(v, (i) => net(v, i)))
    const vsUnbatched = perRound(v, (i) => net(v, i) / net('unbatched', i))
    const vsJs = perRound(v, (i) => net(v, i) / net('js', i))
    const vsFloor = perRound(v, (i) => net(v, i) / net('floor', i))
    result[v].vsUnbatched = median(vsUnbatched)
    result[v].vsJs = median(vsJs)
    result[v].vsFloor = median(vsFloor)
    // 95% confidence intervals of the per-round medians (bench/stats.js, medianInterval).
    result[v].vsJsCi = medianInterval(vsJs)
    result[v].vsFloorCi = medianInterval(vsFloor)
    result[v].vsUnbatchedCi = medianInterval(vsUnbatched)
    result[v].vsJsRange = [Math.min(...vsJs), Math.max(...vsJs)]
    // The renderer thread's CPU per message: deserialising and dispatching, the jank users feel.
    result[v].rendererCpu = median(perRound(v, (i) => renderer(v, i)))
    const rendererVsUnbatched = perRound(v, (i) => renderer(v, i) / renderer('unbatched', i))
    result[v].rendererVsUnbatched = median(rendererVsUnbatched)
    result[v].rendererVsUnbatchedCi = medianInterval(rendererVsUnbatched)
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

// Sections written by longer runs than this one (`## Soak`, from `npm run soak`) are carried over.
function keptSections() {
  let previous = ''
  try {
    previous = fs.readFileSync(path.join(__dirname, 'RESULTS.md'), 'utf8')
  } catch {
    return ''
  }
  const at = previous.indexOf('\n## Soak')
  if (at === -1) return ''
  const next = previous.indexOf('\n## ', at + 1)
  return `${previous.slice(at, next === -1 ? undefined : next).trimEnd()}\n`
}

async function main() {
  const baselineArgs = parseBaselineArgs(process.argv.slice(2)) // before the run: a typo fails now, not in 10 minutes
  loadAtStart = os.loadavg()
  console.log(`ipcflow bench: ${RATE} msg/s for ${DURATION_MS} ms x ${ROUNDS} rounds per variant and source`)
  const streams = { timer: await streamBench('timer'), worker: await streamBench('worker'), burst: await streamBench('burst') }
  const breakdown = await runBreakdown('worker')
  const enqueue = await runEnqueue()
  const stalled = await runStalled()
  const addon = addonFacts()
  const validation = await runValidationBench()
  const registry = await runRegistryBench()
  const nativeCalls = await runNativeCalls()
  const adaptive = await runAdaptiveBench()
  const early = await earlyMessage.run()
  const coldBurst = await runColdBurst()
  const pacedTurns = await runPacedTurns()
  const cache = await runCacheBench()
  const debounce = await runDebounceBench()
  const registryStream = await runRegistryStreamBench()
  const registryBatch = await runRegistryBatchBench()

  const coldRow = (name) => coldBurst.rows.find((r) => r.name === name)
  const coldRatio = (name) => `${fmt(coldRow(name).ratio, 2)}x`
  const coldFunctions = (name) => coldRow(name).functions
  const table = (stream) => VARIANTS.map((v) => {
    const s = stream[v]
    const u = stream.unbatched
    const j = stream.js
    return `| ${v} | ${s.messages} | ${s.delivered} | ${fmt(s.frames)} | ${fmt(s.framesPerMessage, 4)} | ${fmt(s.cpuNsPerMessage)} | ${fmt(s.netCpu)} | ${ci(s.vsUnbatched, s.vsUnbatchedCi)} | ${ci(s.vsJs, s.vsJsCi)} | ${ci(s.vsFloor, s.vsFloorCi)} | ${fmt(s.rendererCpu)} | ${ci(s.rendererVsUnbatched, s.rendererVsUnbatchedCi)} | ${fmt(s.queueWaitP50, 2)} / ${fmt(s.queueWaitP99, 2)} | ${fmt(s.latencyP50, 2)} / ${fmt(s.latencyP99, 2)} |`
  })
  const targets = []
  for (const [source, stream] of Object.entries(streams)) {
    const { unbatched: u, js: j, ipcflow: n } = stream
    const fewerFrames = 1 - n.frames / u.frames
    targets.push(
      [`${source}: >= 95% fewer sends at 2,000 msg/s`, `${fmt(fewerFrames * 100, 1)}% fewer`, fewerFrames >= 0.95],
      [`${source}: queue wait p99 <= maxWaitMs + 2 ms (18 ms)`, `${fmt(n.queueWaitP99, 2)} ms`, n.queueWaitP99 <= OPTIONS.maxWaitMs + 2],
      [`${source}: main-thread CPU per message <= 0.30x unbatched (net)`, `${fmt(n.vsUnbatched, 3)}x`, n.vsUnbatched <= 0.3],
      [`${source}: main-thread CPU per message <= 1.05x pure-JS batcher (net)`, `${ci(n.vsJs, n.vsJsCi)} (rounds ${fmt(n.vsJsRange[0], 2)}x to ${fmt(n.vsJsRange[1], 2)}x)`, n.vsJs <= 1.05],
      [`${source}: main-thread CPU per message <= 1.10x the transport floor (net)`, ci(n.vsFloor, n.vsFloorCi), n.vsFloor <= 1.1],
    )
  }
  const curve = (rate, name) => adaptive.rows.find((r) => r.rate === rate && r.name === name)
  const quiet = curve(20, 'ipcflow adaptive')
  const busy = curve(2000, 'ipcflow adaptive')
  const budgeted = adaptive.rows.filter((r) => r.name === `ipcflow maxFramesPerSecond: ${FRAME_BUDGET}`)
  targets.push(
    ['adaptive, 20 msg/s: delivery latency p50 <= 0.5 ms and p99 <= 2 ms', `${fmt(quiet.latencyP50, 2)} / ${fmt(quiet.latencyP99, 2)} ms`, quiet.latencyP50 <= 0.5 && quiet.latencyP99 <= 2],
    ['adaptive, 2,000 msg/s: >= 95% fewer frames than messages', `${fmt((1 - busy.framesPerMessage) * 100, 1)}% fewer`, busy.framesPerMessage <= 0.05],
    [
      `maxFramesPerSecond ${FRAME_BUDGET}: no two frames to the target less than ${fmt(1000 / FRAME_BUDGET, 2)} ms apart, at every rate`,
      `shortest gap ${fmt(Math.min(...budgeted.map((r) => r.minFrameGapMs)), 2)} ms; frames/s ${budgeted.map((r) => `${fmt(r.framesPerSecond, 1)} at ${r.rate} msg/s`).join(', ')}`,
      // performance.now() differences of the same instants, read in main at each send: allow float noise only.
      budgeted.every((r) => r.minFrameGapMs >= 1000 / FRAME_BUDGET - 1e-6),
    ],
    ['addMessage <= 60 ns median', `${fmt(enqueue.ipcflow, 1)} ns`, enqueue.ipcflow <= 60],
    ['renderer process stalled 2 s at 10k msg/s: memory bounded by maxQueueSize', `${stalled.framesDuringStall} sends during the stall (at most maxFramesInFlight 16 frames and 8 plain idle sends), max pending ${stalled.maxPending} of ${stalled.maxQueueSize}, ${stalled.dropped} dropped (all counted: ${stalled.counted}), heap +${fmt(stalled.heapGrowthMb, 1)} MB`, stalled.maxPending <= stalled.maxQueueSize && stalled.counted],
    [`validation <= 1.0x ajv (reference payload, text ${validation.textLength} chars)`, `${fmt(validation.ipcflowNs)} vs ${fmt(validation.ajvNs)} ns = ${fmt(validation.ipcflowNs / validation.ajvNs, 2)}x`, validation.ipcflowNs <= validation.ajvNs],
    [`validation <= 1.0x ajv (same schema, text ${validation.short.textLength} chars)`, `${fmt(validation.short.ipcflowNs)} vs ${fmt(validation.short.ajvNs)} ns = ${fmt(validation.short.ipcflowNs / validation.short.ajvNs, 2)}x`, validation.short.ipcflowNs <= validation.short.ajvNs],
    [`whole invoke via ipcMain <= 0.6x a pure-JS registry (text ${validation.textLength} chars)`, ci(registry.ratios.ipc.median, registry.ratios.ipc.ci), registry.ratios.ipc.median <= 0.6],
    [`whole invoke via ipcMain <= 0.6x a pure-JS registry (text ${validation.short.textLength} chars)`, ci(registry.ratios.ipcShort.median, registry.ratios.ipcShort.ci), registry.ratios.ipcShort.median <= 0.6],
    [`whole invoke in process <= 0.6x a pure-JS registry (text ${validation.textLength} chars)`, ci(registry.ratios.inProcess.median, registry.ratios.inProcess.ci), registry.ratios.inProcess.median <= 0.6],
    [`whole invoke in process <= 0.6x a pure-JS registry (text ${validation.short.textLength} chars)`, ci(registry.ratios.inProcessShort.median, registry.ratios.inProcessShort.ci), registry.ratios.inProcessShort.median <= 0.6],
    ['addon load <= 15 ms', `${fmt(addon.loadMs, 2)} ms`, addon.loadMs <= 15],
    ['stripped binary <= 2 MB', `${fmt(addon.bytes / 1e6, 2)} MB`, addon.bytes <= 2e6],
  )
  const section = (source, title) => [
    `## ${title}`,
    '',
    `Generator alone: ${fmt(streams[source].generator.cpuNsPerMessage)} ns/msg of main-thread CPU (median); "net" columns subtract it.`,
    '',
    '| variant | messages | delivered | frames | frames/msg | CPU ns/msg | net CPU ns/msg | net vs unbatched | net vs pure-JS | net vs floor | renderer CPU ns/msg | renderer vs unbatched | queue wait p50 / p99 ms | latency p50 / p99 ms |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...table(streams[source]),
    '',
  ]
  const md = [
    '# Benchmark results',
    '',
    `Command: \`npm run bench\` (runs \`node bench/run.js\` after the release build). Date: ${new Date().toISOString().slice(0, 10)}.`,
    `Load average (1/5/15 min) when the run started: ${loadAtStart.map((n) => n.toFixed(2)).join(' / ')}; when it ended: ${os.loadavg().map((n) => n.toFixed(2)).join(' / ')}.`,
    `Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${fmt(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}.`,
    '',
    `Streaming main -> renderer at ${RATE} msg/s for ${DURATION_MS} ms per run, ${ROUNDS} rounds (medians), options ${JSON.stringify(OPTIONS)}.`,
    'The renderer is a forked child process (`serialization: \'advanced\'`, V8 structured clone), as in the tests.',
    'CPU is the main thread\'s own time (`/proc/thread-self/schedstat`) over the run, per delivered message.',
    'The variants run interleaved, round after round, in an order rotated each round. Net = minus the generator alone in the same round;',
    'ratios are computed per round and their median is shown with its 95% confidence interval in brackets',
    '(order statistics of the per-round ratios; on this shared VM single runs vary by +-40%).',
    'Renderer CPU is the renderer thread\'s own time per delivered message (deserialising and dispatching).',
    'Queue wait is measured in main (enqueue to send); latency is enqueue in main to dispatch in the renderer.',
    '"floor" is the transport floor: the same messages posted in frames of the sizes the ipcflow run of the same',
    'round produced, with no timer, no per-target queue and no metrics (what batching cannot go below).',
    '',
    ...section('timer', 'Tokens made by a 2 ms timer loop on the main thread'),
    ...section('worker', 'Tokens arriving from another thread every 5 ms (like a network stream)'),
    ...section('burst', 'Tokens made in bursts: a 50 ms timer loop makes 100 at once (a tool result, a replayed history)'),
    '## Where the burst source\'s CPU above the floor goes (`node bench/cold-burst.js`)',
    '',
    coldBurstMarkdown(coldBurst),
    '## Where the thread source\'s CPU above the floor goes (`node bench/breakdown.js worker`)',
    '',
    breakdownMarkdown(breakdown),
    '## Where a paced frame\'s CPU above the floor goes, turn by turn (`node bench/paced-turns.js`)',
    '',
    pacedTurnsMarkdown(pacedTurns),
    '## Enqueue cost (tinybench, 1,000 addMessage per sample, no-op target, maxBatchSize 50)',
    '',
    '| what | ns per message (median) |',
    '|---|---|',
    `| array push (floor) | ${fmt(enqueue.floor, 1)} |`,
    `| pure-JS batcher addMessage | ${fmt(enqueue.js, 1)} |`,
    `| ipcflow addMessage | ${fmt(enqueue.ipcflow, 1)} |`,
    '',
    '## Adaptive batching across rates (`node bench/adaptive.js`)',
    '',
    `Timer-driven source, options ${JSON.stringify({ maxBatchSize: 50, maxWaitMs: 16 })}, interleaved rounds in an order rotated each round (at least ${adaptive.rounds}; more at low rates, so`,
    'that every latency percentile pools at least 200 messages from all rounds of its variant). Frames/msg and CPU are',
    'medians of the rounds. Latency is enqueue in main to dispatch in the renderer process. CPU is gross main-thread',
    'CPU per message, including the source\'s 2 ms timer loop, which dominates at low rates (compare variants within a rate).',
    '',
    'Frames/s counts frames and plain sends between the first and the last of a run (median of the rounds); the',
    'shortest gap between two of them is the least over all rounds. Renderer CPU is the renderer thread\'s own time',
    'per message (deserialising and dispatching), median of the rounds.',
    '',
    '| msg/s | variant | messages per round | rounds | latency p50 / p99 ms (messages pooled) | frames/msg | frames/s | shortest gap ms | CPU ns/msg | renderer CPU ns/msg |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...adaptive.rows.map((r) => `| ${r.rate} | ${r.name} | ${r.messages} | ${r.rounds} | ${fmt(r.latencyP50, 2)} / ${fmt(r.latencyP99, 2)} (${r.pooled}) | ${fmt(r.framesPerMessage, 3)} | ${fmt(r.framesPerSecond, 1)} | ${fmt(r.minFrameGapMs, 2)} | ${fmt(r.cpuNsPerMessage)} | ${fmt(r.rendererCpuNsPerMessage)} |`),
    '',
    '## A stream just slower than idleMs, with one early message (`node bench/early-message.js`)',
    '',
    earlyMessage.earlyMessageMarkdown(early),
    '## Native cost per frame (`node bench/native-calls.js`)',
    '',
    '| what | figure |',
    '|---|---|',
    `| arm a batch whose deadline is no earlier than the timer's published plan (shared-memory stores, no call) | ${fmt(nativeCalls.armNs)} ns |`,
    `| \`batchWake\`, when a deadline is earlier than that plan (forgetting a batch is a store, never a call) | ${fmt(nativeCalls.wakeNs)} ns |`,
    `| main-thread CPU per timer wake through the weak ThreadsafeFunction | ${fmt(nativeCalls.nativeWakeNs / 1000, 1)} us |`,
    `| main-thread CPU per libuv timer wake (setTimeout 1 ms) | ${fmt(nativeCalls.timerWakeNs / 1000, 1)} us |`,
    `| a trivial addon call, first after the thread slept 5 ms / right after it (median) | ${fmt(nativeCalls.cold.cold / 1000, 1)} / ${fmt(nativeCalls.cold.warm / 1000, 1)} us |`,
    `| Node's own \`process.hrtime()\`, the same way | ${fmt(nativeCalls.cold.builtinCold / 1000, 1)} / ${fmt(nativeCalls.cold.builtinWarm / 1000, 1)} us |`,
    '',
    '## Validation of `{id: number, type: string, text: string (maxLength 500), ts: number}` (tinybench, ns per call, median)',
    '',
    'ajv is compiled with `allErrors` (as ipcflow reports every failing field). ajv counts code points in JS,',
    'so its time grows with the text. "ipcflow" is what `validate` runs: JS code generated from the native plan',
    '(lib/registry/accept.js) accepts a valid value without crossing; a value it cannot vouch for (here the invalid',
    'one, a string `id`) goes to the native check, which decides and reports every failing field. "native, read',
    'ahead" is that native check alone: JS reads the four members and passes them in one call',
    '(lib/registry/read-ahead.js); "walk" reads each member through Node-API instead (100-200 ns a read).',
    'Each loop validates 200 distinct objects of one shape, after four other channels\' validators ran, and calls every',
    'competitor through one call site that has seen many functions, as a registry\'s pipeline calls its channels\' (no inlining).',
    '',
    '"with caps" adds the registry\'s default size and depth caps (1 MiB, depth 64), measured in the same walk (the',
    'registry uses the capped validator only for arguments whose size it cannot bound in JS, e.g. nested ones).',
    '',
    '| payload | ajv | zod 4 | ipcflow | ipcflow / ajv | invalid: ajv | invalid: ipcflow | native, read ahead | native walk | read ahead with caps | walk with caps | converted to serde_json first | read ahead / ajv |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...[validation, validation.short].map((v) => `| text ${v.textLength} chars | ${fmt(v.ajvNs)} | ${fmt(v.zodNs)} | ${fmt(v.ipcflowNs)} | ${fmt(v.ipcflowNs / v.ajvNs, 2)}x | ${fmt(v.ajvInvalidNs)} | ${fmt(v.ipcflowInvalidNs)} | ${fmt(v.nativeNs)} | ${fmt(v.nativeWalkNs)} | ${fmt(v.nativeCappedNs)} | ${fmt(v.nativeCappedWalkNs)} | ${fmt(v.nativeSerdeNs)} | ${fmt(v.nativeNs / v.ajvNs, 2)}x |`),
    '',
    `An argument list \`['token', 42]\` against an \`argsSchema\` (\`prefixItems\` string maxLength 100, integer minimum 0; \`items: false\`):`,
    `ajv ${fmt(validation.args.ajvNs)} ns, ipcflow ${fmt(validation.args.ipcflowNs)} ns, native read ahead ${fmt(validation.args.nativeNs)} ns, walk ${fmt(validation.args.nativeWalkNs)} ns.`,
    '',
    '`{ id, text }` with a uuid `pattern` (as zod\'s `z.uuid()` exports it): ipcflow matches the pattern natively (linear',
    `time), one call for that string alone: ajv ${fmt(validation.pattern.ajvNs)} ns, ipcflow ${fmt(validation.pattern.ipcflowNs)} ns, native read ahead ${fmt(validation.pattern.nativeNs)} ns.`,
    '',
    'A channel without a schema checks its size/depth caps on every invoke: for an argument list of scalars (`[\'token\', i]`)',
    `the registry's check (bounded in JS) ${fmt(validation.caps.jsNs, 1)} ns, where the native caps walk it skips costs ${fmt(validation.caps.nativeNs)} ns.`,
    '',
    '## HandlerRegistry overhead per invoke (tinybench, p50)',
    '',
    'Sender check, size/depth caps, validation of the reference payload, rate limit, metrics and envelope,',
    'against calling the handler directly.',
    '',
    '| direct call | through the registry | overhead |',
    '|---|---|---|',
    `| ${fmt(registry.directNs)} ns | ${fmt(registry.registryNs)} ns | ${fmt(registry.overheadNs)} ns |`,
    '',
    'Against what a user would write instead (`bench/js-registry.js`: origin allow-list, size/depth caps, ajv with',
    '`allErrors`, a token bucket, a timeout aborting an AbortController, a prom-client histogram, the same envelope),',
    'both with `timeoutMs: 2000`, whole invoke p50. "via ipcMain" is a renderer call\'s path: the function',
    '`ipcMain.handle` was given, called with the event and the arguments Electron already cloned. "in process" is',
    'main\'s own `invoke`, which also reads a checked channel\'s arguments once into a plain copy (README, Validation).',
    '',
    `${registry.rounds} interleaved rounds of short tinybench runs; ns are medians of the per-round p50s, ratios the median`,
    'of the per-round ratios with their 95% confidence interval.',
    '',
    '| path | text | ipcflow | pure-JS registry | ratio |',
    '|---|---|---|---|---|',
    `| via ipcMain | ${validation.textLength} chars | ${fmt(registry.ipcNs)} ns | ${fmt(registry.jsIpcNs)} ns | ${ci(registry.ratios.ipc.median, registry.ratios.ipc.ci)} |`,
    `| via ipcMain | ${validation.short.textLength} chars | ${fmt(registry.ipcShortNs)} ns | ${fmt(registry.jsIpcShortNs)} ns | ${ci(registry.ratios.ipcShort.median, registry.ratios.ipcShort.ci)} |`,
    `| in process | ${validation.textLength} chars | ${fmt(registry.registryNs)} ns | ${fmt(registry.jsRegistryNs)} ns | ${ci(registry.ratios.inProcess.median, registry.ratios.inProcess.ci)} |`,
    `| in process | ${validation.short.textLength} chars | ${fmt(registry.shortNs)} ns | ${fmt(registry.jsShortNs)} ns | ${ci(registry.ratios.inProcessShort.median, registry.ratios.inProcessShort.ci)} |`,
    '',
    '## Targets (the project\'s performance targets; each figure is from this run)',
    '',
    '| target | figure | verdict |',
    '|---|---|---|',
    ...targets.map(([what, figure, ok]) => `| ${what} | ${figure} | ${verdict(ok)} |`),
    '',
    '## Notes on the verdicts',
    '',
    '- CPU against the pure-JS batcher: the per-round ratios above span a wide range (a shared 2-vCPU VM;',
    '  single runs of the same variant differ by up to +-40%), so a median within ~20% of 1.0x is not resolved',
    '  by this machine. What ipcflow adds per frame is measured separately above: the per-batch native calls,',
    '  and a timer wake through the ThreadsafeFunction against a libuv timer wake.',
    '- Stripped binary: the addon built by `npm run build` (with test hooks); `bash bench/binary-size.sh` gives the',
    '  published build and what each crate contributes.',
    '- Validation: a valid value is accepted by JS generated from the native plan, so it costs what ajv\'s own',
    '  generated check costs, without counting code points where the UTF-16 length already decides. An invalid',
    '  value takes the native walk, which builds every issue with its pointer and message: microseconds, against',
    '  ajv\'s ~0.1 us. Invalid arguments are a bug or an attack, not the steady state, so the design favours valid ones.',
    '- CPU against the transport floor: a frame sent in the turn that opened its batch (a burst\'s) makes no native',
    '  call; a frame whose batch outlived that turn makes one (its arm; forgetting it is a store the timer reads).',
    '  The first addon call after the thread slept costs ~20 us here (the native cost table), and ipcflow\'s JS runs',
    '  cold after each sleep too: that is what stays above the floor (docs/benchmarks.md). `node bench/cold-burst.js`',
    `  times one burst turn after a sleep: a minimal batcher making ipcflow's decisions in a few lines reads ${coldRatio('minimal')} of`,
    `  the floor, ipcflow ${coldRatio('ipcflow')} in this run. A burst runs ${coldFunctions('ipcflow')} distinct functions through ipcflow, ${coldFunctions('minimal')} through the minimal`,
    `  batcher and ${coldFunctions('floor')} through the floor; the floor calling 30 more trivial ones reads ${coldRatio('floor + 30 functions')}, so the count of`,
    '  functions explains part of the gap and what those functions touch (their objects and property reads, cold) the rest.',
    '  `node bench/paced-turns.js` splits a paced frame\'s gap by turn: most of it is in the turn that opens the',
    '  batch (the arm) and the one that sends it.',
    `- The timer source's net figures subtract a generator of ${fmt(streams.timer.generator.cpuNsPerMessage / 1000, 1)} us per message from totals of ` +
      `${fmt(Math.min(...VARIANTS.map((v) => streams.timer[v].cpuNsPerMessage)) / 1000, 1)}-${fmt(Math.max(...VARIANTS.map((v) => streams.timer[v].cpuNsPerMessage)) / 1000, 1)} us, so`,
    '  its ratios to the floor and the pure-JS batcher are small differences of large numbers: wide intervals.',
    '',
    '',
  ].join('\n') + cacheMarkdown(cache) + '\n' + registryStreamMarkdown(registryStream) + '\n' + registryBatchMarkdown(registryBatch) + '\n' + [
    '## Debouncer (`node bench/debounce.js`, tinybench)',
    '',
    '1,000 calls per sample over 256 keys inside a burst (the delay never passes), against lodash.debounce with one',
    'debounced function per key; both first checked to run the last call of a burst once.',
    '',
    '| what | ns per call (median) |',
    '|---|---|',
    `| lodash.debounce, one function per key | ${fmt(debounce.lodashNs, 1)} |`,
    `| Debouncer.debounce(key, fn) | ${fmt(debounce.debouncerNs, 1)} |`,
    '',
  ].join('\n')
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md + keptSections())
  console.log(md)
  await require('./monitor').appendMonitorResults(path.join(__dirname, 'RESULTS.md'))
  const results = { streams, breakdown, debounce, enqueue, stalled, addon, validation, registry, nativeCalls, adaptive, cache, registryStream, registryBatch }
  process.exitCode = applyBaselineArgs(baselineArgs, results)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
