'use strict'
// PerformanceMonitor and MemoryManager figures (`node bench/monitor.js`):
// the record hot path against prom-client and hdr-histogram-js, Prometheus
// export against prom-client on the same 200 series, and what the watchdog
// and memory sampling cost per second. `npm run bench` appends them to
// bench/RESULTS.md.
const fs = require('fs')
const path = require('path')
const promClient = require('prom-client')
const hdr = require('hdr-histogram-js')
const { PerformanceMonitor, MemoryManager } = require('..')
const { createInspector } = require('../inspector')
const { threadCpuNs, median, medianInterval, rotation, sleep, fmt } = require('./stats')

const CALLS = 1_000_000

const ROUNDS = 9

// ns per call of each of `fns`: ROUNDS samples of CALLS calls each, the
// competitors interleaved round after round (order rotated) so a load spike
// on this shared VM lands on all of them; the median sample of each.
function perCallInterleaved(fns) {
  const names = Object.keys(fns)
  const samples = Object.fromEntries(names.map((name) => [name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of rotation(names, round)) {
      const fn = fns[name]
      const start = process.hrtime.bigint()
      for (let i = 0; i < CALLS; i++) fn(i)
      samples[name].push(Number(process.hrtime.bigint() - start) / CALLS)
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name])]))
}

// Latencies in ms, the same for everyone: 0.01 .. ~100.
const VALUES = Float64Array.from({ length: 4096 }, (_, i) => 0.01 + ((i * 7919) % 10_000) / 100)

function recordBench() {
  hdr.initWebAssemblySync()
  const monitor = new PerformanceMonitor({ watchdog: false, insightIntervalMs: false })
  const h = monitor.histogram('bench', { channel: 'a' })
  const c = monitor.counter('bench_calls', { channel: 'a' })
  const registry = new promClient.Registry()
  const promHistogram = new promClient.Histogram({ name: 'bench', help: 'x', labelNames: ['channel'], registers: [registry] })
  const promChild = promHistogram.labels('a')
  const promCounter = new promClient.Counter({ name: 'bench_calls', help: 'x', labelNames: ['channel'], registers: [registry] }).labels('a')
  const hdrJs = hdr.build({ bitBucketSize: 64, useWebAssembly: false, numberOfSignificantValueDigits: 2 })
  const hdrWasm = hdr.build({ bitBucketSize: 64, useWebAssembly: true, numberOfSignificantValueDigits: 2 })
  const us = (v) => Math.round(v * 1000)
  // One raw Node-API call per value (the registry's histogram): what a handle's
  // record cost before values crossed in batches, and this machine's load at the time.
  const binding = require('../binding.js')
  const Reference = binding.BindingHistogram ?? binding.NativeHistogram
  const reference = new Reference()
  const { histogramRecord } = binding.fastCalls()
  const referenceHandle = reference.handle
  const out = perCallInterleaved({
    reference: (i) => histogramRecord(referenceHandle, VALUES[i & 4095]),
    ipcflow: (i) => h.record(VALUES[i & 4095]),
    promClient: (i) => promChild.observe(VALUES[i & 4095]),
    hdrJs: (i) => hdrJs.recordValue(us(VALUES[i & 4095])),
    hdrWasm: (i) => hdrWasm.recordValue(us(VALUES[i & 4095])),
    counter: () => c.increment(),
    promCounter: () => promCounter.inc(),
    floor: (i) => us(VALUES[i & 4095]),
  })
  // Everyone recorded the same number of values.
  const n = ROUNDS * CALLS
  const counts = [monitor.getMetrics().histograms['bench{channel="a"}'].count, hdrJs.totalCount, hdrWasm.totalCount]
  if (counts.some((x) => x !== n)) throw new Error(`bench: competitors disagree on counts ${counts}`)
  hdrWasm.destroy()
  monitor.close()
  return out
}

async function exportBench() {
  const monitor = new PerformanceMonitor({ watchdog: false, insightIntervalMs: false })
  const registry = new promClient.Registry()
  const buckets = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
  const promCounter = new promClient.Counter({ name: 'calls', help: 'x', labelNames: ['channel'], registers: [registry] })
  const promGauge = new promClient.Gauge({ name: 'depth', help: 'x', labelNames: ['channel'], registers: [registry] })
  const promHistogram = new promClient.Histogram({ name: 'latency', help: 'x', labelNames: ['channel'], buckets, registers: [registry] })
  monitor.describe('calls', { help: 'x' })
  monitor.describe('depth', { help: 'x' })
  monitor.describe('latency', { help: 'x', buckets })
  // 200 series: 100 counters, 50 gauges, 50 histograms.
  for (let i = 0; i < 100; i++) {
    monitor.increment('calls', i + 1, { channel: `ch${i}` })
    promCounter.labels(`ch${i}`).inc(i + 1)
  }
  for (let i = 0; i < 50; i++) {
    monitor.gauge('depth', i, { channel: `ch${i}` })
    promGauge.labels(`ch${i}`).set(i)
    for (let j = 0; j < 100; j++) {
      monitor.record('latency', VALUES[(i * 100 + j) & 4095], { channel: `ch${i}` })
      promHistogram.labels(`ch${i}`).observe(VALUES[(i * 100 + j) & 4095])
    }
  }
  const ours = monitor.toPrometheus()
  const theirs = await registry.metrics()
  const lines = (t) => t.split('\n').filter((l) => l && !l.startsWith('#')).length
  if (lines(ours) !== lines(theirs)) throw new Error(`bench: ${lines(ours)} sample lines against prom-client's ${lines(theirs)}`)
  const time = async (fn) => {
    const samples = []
    for (let i = 0; i < 200; i++) {
      const start = process.hrtime.bigint()
      await fn()
      samples.push(Number(process.hrtime.bigint() - start) / 1000)
    }
    return median(samples)
  }
  const result = { ipcflowUs: await time(() => monitor.toPrometheus()), promClientUs: await time(() => registry.metrics()), lines: lines(ours) }
  monitor.close()
  return result
}

function nativeThreadCpuNs(name) {
  let total = 0
  for (const t of fs.readdirSync('/proc/self/task')) {
    try {
      if (fs.readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() === name) {
        total += Number(fs.readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ')[0])
      }
    } catch {
      // thread gone
    }
  }
  return total
}

/** Share of one core (percent) used while the app is idle, over one window. */
async function idleWindow(make, threadName, seconds) {
  const keepAlive = setInterval(() => {}, 1000) // an app's own timer: one loop wake a second
  const owner = make()
  await sleep(200)
  const activity0 = owner.activity?.()
  const [main0, native0] = [threadCpuNs(), nativeThreadCpuNs(threadName)]
  await sleep(seconds * 1000)
  const [main1, native1] = [threadCpuNs(), nativeThreadCpuNs(threadName)]
  const activity1 = owner.activity?.()
  owner.close()
  clearInterval(keepAlive)
  const pct = (ns) => (100 * ns) / (seconds * 1e9)
  const perSecond = (k) => (activity1 ? (activity1[k] - activity0[k]) / seconds : NaN)
  return { mainPct: pct(main1 - main0), nativePct: pct(native1 - native0), pings: perSecond('pings'), wakes: perSecond('wakes') }
}

const IDLE_ROUNDS = 12
const IDLE_SECONDS = 2

const watched = (pinging) => () => {
  if (pinging) process.env.IPCFLOW_TEST_WATCHDOG_PINGS = '1'
  const monitor = new PerformanceMonitor({ insightIntervalMs: false })
  delete process.env.IPCFLOW_TEST_WATCHDOG_PINGS
  return { activity: () => monitor.getMetrics().stalls.watchdog, close: () => monitor.close() }
}

/**
 * Idle cost per configuration, in interleaved rounds (order rotated each round): main-thread CPU above that
 * round's idle baseline, plus the configuration's own native thread. Medians with 95% intervals.
 */
async function idleCosts() {
  const kinds = {
    baseline: [() => ({ close() {} }), 'none'],
    watchdog: [watched(false), 'ipcflow-watch'],
    pinging: [watched(true), 'ipcflow-watch'],
    sampling: [() => new MemoryManager({}), 'ipcflow-memory'],
    inspector: [() => createInspector({}), 'none'], // its loop probe, every 10 ms (the default)
    inspector50: [() => createInspector({}, { loopProbeMs: 50 }), 'none'],
  }
  const names = Object.keys(kinds)
  const rounds = []
  for (let round = 0; round < IDLE_ROUNDS; round++) {
    const r = {}
    for (const name of rotation(names, round)) r[name] = await idleWindow(...kinds[name], IDLE_SECONDS)
    rounds.push(r)
  }
  const summary = (values) => ({ median: median(values), interval: medianInterval(values) })
  const net = (r, name) => Math.max(0, r[name].mainPct - r.baseline.mainPct)
  const out = {}
  for (const name of ['watchdog', 'pinging', 'sampling', 'inspector', 'inspector50']) {
    out[name] = {
      main: summary(rounds.map((r) => net(r, name))),
      native: summary(rounds.map((r) => r[name].nativePct)),
      pings: median(rounds.map((r) => r[name].pings)),
      wakes: median(rounds.map((r) => r[name].wakes)),
    }
  }
  const total = (r, dog) => net(r, dog) + r[dog].nativePct + net(r, 'sampling') + r.sampling.nativePct
  out.total = summary(rounds.map((r) => total(r, 'watchdog')))
  out.totalPinging = summary(rounds.map((r) => total(r, 'pinging')))
  return out
}

/**
 * CPU (us) a thread spends per wake from a timed sleep that does nothing else: the floor under any
 * periodic wake (a worker thread in Atomics.wait, its own schedstat run time; median of 40 wakes x 5).
 */
async function wakeCost(sleepMs = 25, wakes = 40) {
  const { Worker } = require('worker_threads')
  const code = `
    const { parentPort, workerData } = require('worker_threads')
    const { threadCpuNs } = require(workerData.stats)
    const cell = new Int32Array(new SharedArrayBuffer(4))
    const out = []
    for (let round = 0; round < 5; round++) {
      const before = threadCpuNs()
      for (let i = 0; i < workerData.wakes; i++) Atomics.wait(cell, 0, 0, workerData.sleepMs)
      out.push((threadCpuNs() - before) / workerData.wakes / 1000)
    }
    parentPort.postMessage(out)
  `
  const stats = path.join(__dirname, 'stats.js')
  const worker = new Worker(code, { eval: true, workerData: { sleepMs, wakes, stats } })
  const samples = await new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  await worker.terminate()
  return median(samples)
}

/** Extra main-thread ns per event-loop turn with the watchdog's loop hooks. */
async function turnCost() {
  const turns = (n) =>
    new Promise((resolve) => {
      let i = 0
      const start = threadCpuNs()
      const next = () => (++i >= n ? resolve((threadCpuNs() - start) / n) : setImmediate(next))
      setImmediate(next)
    })
  const off = []
  const on = []
  for (let round = 0; round < 5; round++) {
    off.push(await turns(50_000))
    const m = new PerformanceMonitor({ insightIntervalMs: false })
    on.push(await turns(50_000))
    m.close()
  }
  return median(on) - median(off)
}

async function runMonitorBench() {
  const record = recordBench()
  const exported = await exportBench()
  const idle = await idleCosts()
  const wakeUs = await wakeCost()
  const perTurnNs = await turnCost()
  return { record, exported, idle, wakeUs, perTurnNs }
}

function markdown(r) {
  const verdict = (ok) => (ok ? 'met' : '**missed**')
  const pct = (s) => `${fmt(s.median, 4)}% [${fmt(s.interval[0], 4)}, ${fmt(s.interval[1], 4)}]`
  const row = (what, x) => `| ${what} | ${pct(x.main)} | ${pct(x.native)} | ${fmt(x.wakes, 1)} | ${fmt(x.pings, 1)} |`
  const idle = r.idle
  return [
    '## PerformanceMonitor and MemoryManager (`node bench/monitor.js`)',
    '',
    `Record: ${CALLS.toLocaleString('en')} calls per sample, ${ROUNDS} samples each, the competitors interleaved round after round; median ns per call; the same values (ms, 0.01-100) for all.`,
    'hdr-histogram-js records integer microseconds (2 significant digits); prom-client is 15.x with default buckets.',
    '',
    '| what | ns per call |',
    '|---|---|',
    `| loop floor (value lookup) | ${fmt(r.record.floor, 1)} |`,
    `| ipcflow \`monitor.histogram(name, labels).record(v)\` | ${fmt(r.record.ipcflow, 1)} |`,
    `| (reference: one raw Node-API call per value, the registry's \`histogramRecord\`) | ${fmt(r.record.reference, 1)} |`,
    `| prom-client \`histogram.labels(...).observe(v)\` | ${fmt(r.record.promClient, 1)} |`,
    `| hdr-histogram-js \`recordValue\` (JS) | ${fmt(r.record.hdrJs, 1)} |`,
    `| hdr-histogram-js \`recordValue\` (WASM) | ${fmt(r.record.hdrWasm, 1)} |`,
    `| ipcflow \`monitor.counter(name, labels).increment()\` | ${fmt(r.record.counter, 1)} |`,
    `| prom-client \`counter.labels(...).inc()\` | ${fmt(r.record.promCounter, 1)} |`,
    '',
    `Export of the same 200 series (100 counters, 50 gauges, 50 histograms with 14 buckets; ${r.exported.lines} sample lines each), median of 200:`,
    `ipcflow \`toPrometheus()\` ${fmt(r.exported.ipcflowUs, 1)} us, prom-client \`registry.metrics()\` ${fmt(r.exported.promClientUs, 1)} us.`,
    '',
    `Idle cost, as % of one core, in ${IDLE_ROUNDS} interleaved rounds of ${IDLE_SECONDS} s per configuration (order rotated;`,
    "an app timer wakes the loop once a second): the main (JS) thread above that round's idle baseline, and the",
    'native thread itself; medians with 95% intervals (the verdict takes the median, as the others do). Wakes and pings: the watchdog thread\'s, per second.',
    '',
    '| what | main thread | native thread | wakes/s | pings/s |',
    '|---|---|---|---|---|',
    row('watchdog on (threshold 100 ms)', idle.watchdog),
    row('the same, pinging an idle loop (other platforms, Electron main)', idle.pinging),
    `| memory sampling (every 1,000 ms) | ${pct(idle.sampling.main)} | ${pct(idle.sampling.native)} | - | - |`,
    `| ipcflow/inspector's loop probe, every 10 ms (the default; a dev tool, outside the target) | ${pct(idle.inspector.main)} | - | - | - |`,
    `| the same, \`loopProbeMs: 50\` | ${pct(idle.inspector50.main)} | - | - | - |`,
    '',
    `A worker thread that wakes from a timed sleep (\`Atomics.wait\`, 25 ms) costs ${fmt(r.wakeUs, 1)} us of CPU per wake on this machine`,
    '(its schedstat run time, median of 5 x 40 wakes): the order of the floor under every periodic wake above.',
    '',
    `Busy loop: the watchdog's prepare/check hooks add ${fmt(r.perTurnNs)} ns of main-thread CPU per event-loop turn (setImmediate chain, median of 5).`,
    '',
    '| target | figure | verdict |',
    '|---|---|---|',
    `| h.record <= 30 ns median | ${fmt(r.record.ipcflow, 1)} ns | ${verdict(r.record.ipcflow <= 30)} |`,
    `| counter.increment <= 30 ns median | ${fmt(r.record.counter, 1)} ns | ${verdict(r.record.counter <= 30)} |`,
    `| h.record <= 0.5x prom-client observe | ${fmt(r.record.ipcflow / r.record.promClient, 2)}x | ${verdict(r.record.ipcflow <= 0.5 * r.record.promClient)} |`,
    `| toPrometheus <= 1.0x prom-client metrics() | ${fmt(r.exported.ipcflowUs / r.exported.promClientUs, 2)}x | ${verdict(r.exported.ipcflowUs <= r.exported.promClientUs)} |`,
    `| watchdog + sampling idle < 0.1% of a core (all threads) | ${pct(idle.total)} (pinging: ${pct(idle.totalPinging)}) | ${verdict(idle.total.median < 0.1)} |`,
    '',
  ].join('\n')
}

/** `npm run bench` calls this after writing RESULTS.md. */
async function appendMonitorResults(file) {
  const md = markdown(await runMonitorBench())
  fs.appendFileSync(file, `\n${md}`)
  console.log(md)
}

module.exports = { runMonitorBench, appendMonitorResults }

if (require.main === module) {
  runMonitorBench().then((r) => console.log(markdown(r)))
}
