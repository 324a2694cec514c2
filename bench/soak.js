'use strict'
// Soak: `npm run soak -- --minutes N` (or --seconds N). Streams 5,000 msg/s
// main -> renderer through BatchManager and 200 invokes/s renderer -> main
// through HandlerRegistry, over the stand-in (a forked renderer, structured
// clone), with memory sampled by MemoryManager. Prints the growth per hour
// and the trend after a warm-up; exits 1 if a message or an invoke went wrong.
// Options: --rate 5000 --invokes 200 --json (one JSON line at the end).
const path = require('path')
const { BatchManager, HandlerRegistry, PerformanceMonitor, MemoryManager } = require('..')
const { createWindow, IpcMain } = require('../test/standin')

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}
const seconds = arg('seconds', arg('minutes', 1) * 60)
const rate = arg('rate', 5000)
const invokesPerSecond = arg('invokes', 200)
const json = process.argv.includes('--json')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const mb = (b) => (b / 1048576).toFixed(1)

async function main() {
  const warmupMs = Math.min(60_000, Math.max(5_000, seconds * 100)) // 10%, 5-60 s: JIT and pools settle first
  const measureMs = seconds * 1000 - warmupMs
  if (!(measureMs > 0)) throw new Error('--seconds must be more than 5')
  // About 240 samples over the measured part (1 per 0.25-5 s), all kept for the trend.
  const sampleIntervalMs = Math.round(Math.min(5_000, Math.max(250, measureMs / 240)))
  const windowSamples = Math.min(100_000, Math.max(10, Math.ceil(measureMs / sampleIntervalMs) + 10))

  const ipcMain = new IpcMain()
  const monitor = new PerformanceMonitor()
  const batcher = new BatchManager({}, { monitor })
  const registry = new HandlerRegistry({ monitor })
  registry.register('echo', (x) => x, { schema: { type: 'object', required: ['n'] }, maxBytes: 10_000 })
  batcher.attach(ipcMain)
  registry.attach(ipcMain)
  const win = await createWindow({ ipcMain, renderer: path.join(__dirname, '../test/standin/renderers/soak.js'), rendererOptions: { invokesPerSecond } })
  const wc = win.webContents

  let sent = 0
  const started = performance.now()
  const pump = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * rate)
    for (; sent < due; sent++) batcher.addMessage('tick', { n: sent, at: Date.now(), text: 'payload' }, wc)
  }, 5)

  await sleep(warmupMs)
  const memory = new MemoryManager({ sampleIntervalMs, windowSamples }, { monitor })
  const rss = []
  const heap = []
  const probe = setInterval(() => {
    const m = process.memoryUsage()
    rss.push(m.rss)
    heap.push(m.heapUsed)
  }, sampleIntervalMs)
  let lastReport = performance.now()
  const end = performance.now() + measureMs
  while (performance.now() < end) {
    await sleep(Math.min(1000, end - performance.now()))
    if (!json && performance.now() - lastReport >= 60_000) {
      lastReport = performance.now()
      const s = memory.getStats()
      console.log(`  ${((performance.now() - started) / 60_000).toFixed(1)} min: ${sent} sent, RSS ${mb(s.rssBytes ?? 0)} MB, trend ${s.trend}, ${mb(s.growthBytesPerHour ?? 0)} MB/h`)
    }
  }
  clearInterval(pump)
  clearInterval(probe)
  const stats = memory.getStats()
  memory.close()
  batcher.flush()

  // Drain: every message sent arrives, in order.
  let r = await win.request('stats')
  const drainUntil = Date.now() + 15_000
  while (r.received < sent && Date.now() < drainUntil) {
    await sleep(50)
    r = await win.request('stats')
  }
  const elapsedS = (performance.now() - started) / 1000
  const result = {
    seconds: Math.round(elapsedS),
    measuredSeconds: measureMs / 1000,
    messages: { sent, received: r.received, outOfOrder: r.outOfOrder, perSecond: Math.round(sent / elapsedS) },
    invokes: { started: r.invokes, answered: r.answered, failed: r.failed, wrong: r.wrong, perSecond: Math.round(r.invokes / elapsedS) },
    memory: {
      samples: stats.samples,
      rssStartMB: Number(mb(rss[0] ?? 0)),
      rssEndMB: Number(mb(rss[rss.length - 1] ?? 0)),
      rssPeakMB: Number(mb(Math.max(...rss))),
      heapStartMB: Number(mb(heap[0] ?? 0)),
      heapEndMB: Number(mb(heap[heap.length - 1] ?? 0)),
      growthMBPerHour: stats.growthBytesPerHour == null ? null : Number(mb(stats.growthBytesPerHour)),
      trend: stats.trend,
      r2: stats.r2,
    },
    batch: { frames: batcher.getMetrics().frames, drops: batcher.getMetrics().drops.total },
  }
  await batcher.close()
  await registry.close()
  monitor.close()
  await win.close()
  const ok = result.messages.received === sent && r.outOfOrder === 0 && r.failed === 0 && r.wrong === 0 && result.batch.drops === 0
  if (json) console.log(JSON.stringify({ ok, ...result }))
  else {
    console.log(`soak ${result.seconds} s (${result.measuredSeconds} s measured after warm-up): ${ok ? 'OK' : 'FAILED'}`)
    console.log(`  messages: ${sent} sent, ${r.received} received, ${r.outOfOrder} out of order (${result.messages.perSecond}/s)`)
    console.log(`  invokes:  ${r.invokes} started, ${r.answered} answered, ${r.failed} failed, ${r.wrong} wrong (${result.invokes.perSecond}/s)`)
    console.log(`  RSS: ${result.memory.rssStartMB} -> ${result.memory.rssEndMB} MB (peak ${result.memory.rssPeakMB}), JS heap ${result.memory.heapStartMB} -> ${result.memory.heapEndMB} MB, ${stats.samples} samples`)
    console.log(`  growth per hour: ${result.memory.growthMBPerHour} MB/h, trend: ${stats.trend} (r2 ${stats.r2 == null ? '-' : stats.r2.toFixed(2)})`)
  }
  process.exitCode = ok ? 0 : 1
}

main().catch((error) => {
  console.error(error)
  process.exit(2)
})
