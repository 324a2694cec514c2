'use strict'
// `npm run demo`: one simulated agent session streamed from main to a renderer
// process twice, unbatched and through ipcflow, with the same renderer code.
const path = require('path')
const fs = require('fs')
const { BatchManager, FRAME_CHANNEL, PerformanceMonitor } = require('..')
const { createInspector } = require('../inspector')
const { createWindow, IpcMain } = require('../test/standin')
const { play } = require('./agent-session')
const { threadCpuNs, monotonicOrigin, sleep } = require('../bench/stats')

// Each session gets a fresh renderer, created after the manager is attached,
// as in an app: the renderer client then announces itself (and its acks).
// Both sessions run the same inspector, so its sampling (a 10 ms loop probe and a snapshot
// every 100 ms) weighs on both CPU figures alike; `writePage` keeps its page.
async function session(label, options, writePage = false) {
  const ipcMain = new IpcMain()
  const monitor = new PerformanceMonitor({ watchdog: false })
  const batcher = new BatchManager(options, { monitor })
  const inspector = createInspector({ batchers: { [label]: batcher }, monitor }, { title: `ipcflow demo: ${label}` })
  inspector.start(100)
  batcher.attach(ipcMain)
  const win = await createWindow({
    kind: 'process',
    renderer: path.join(__dirname, 'renderer.js'),
    rendererOptions: { mainMonotonicOrigin: monotonicOrigin() },
    ipcMain,
  })
  const wc = win.webContents
  const realSend = wc.send
  let sends = 0
  wc.send = function (...args) {
    sends++
    return realSend.apply(this, args)
  }
  let messages = 0
  const cpu0 = threadCpuNs()
  await play((channel, payload, opts) => {
    messages++
    batcher.addMessage(channel, payload, wc, opts)
  })
  await sleep(50) // the last batch leaves by its timer
  const cpuNs = threadCpuNs() - cpu0
  inspector.snapshot()
  await batcher.close()
  wc.send = realSend
  await sleep(100)
  const view = await win.request('view')
  await win.close()
  const m = batcher.getMetrics()
  let page
  if (writePage) {
    fs.mkdirSync(path.join(__dirname, '..', 'bench', '.out'), { recursive: true })
    page = inspector.writeFile(path.join(__dirname, '..', 'bench', '.out', 'demo-inspector.html'))
  }
  inspector.close()
  monitor.close()
  return { label, messages, sends, view, metrics: m, cpuNsPerMessage: cpuNs / messages, page }
}

function table(rows) {
  const head = ['', 'messages', 'sends (frames)', 'reduction', 'coalesced', 'CPU us/msg', 'latency p50 ms', 'latency p99 ms', 'drops', 'tokens seen', 'errors seen']
  const body = rows.map((r) => [
    r.label,
    r.messages,
    r.sends,
    `${(100 * (1 - r.sends / r.messages)).toFixed(1)}%`,
    r.metrics.coalesced,
    (r.cpuNsPerMessage / 1000).toFixed(2),
    r.view.p50.toFixed(2),
    r.view.p99.toFixed(2),
    r.metrics.drops.total,
    r.view.tokens,
    r.view.errors.length,
  ])
  const all = [head, ...body].map((row) => row.map(String))
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i].length)))
  return all.map((row) => row.map((cell, i) => cell.padStart(widths[i])).join('  ')).join('\n')
}

async function main() {
  console.log('Streaming a simulated agent session (150 bursts of tokens over ~3 s, coalescing state snapshots, 2 critical errors)')
  console.log(`from main to a renderer process over a structured-clone channel; frames travel on '${FRAME_CHANNEL}'.`)
  console.log('CPU: the main thread\'s own time per message, the session\'s own work and an inspector sampling every 100 ms included, alike in both runs.\n')
  const unbatched = await session('unbatched', { enabled: false })
  const batched = await session('ipcflow', { maxBatchSize: 50, maxWaitMs: 16 }, true)
  console.log(table([unbatched, batched]))
  const m = batched.metrics
  console.log(`\nipcflow flush reasons: ${JSON.stringify(m.flushReasons)}`)
  const flow = m.pauses === 0 ? 'the renderer never fell 16 frames behind' : 'times the renderer fell 16 frames behind'
  console.log(`ipcflow flow control: ${m.pauses} pauses (${flow})`)
  console.log(`ipcflow batch size p50/p99: ${m.batchSize.p50}/${m.batchSize.p99}; queue wait p50/p99: ${m.queueWaitMs.p50.toFixed(2)}/${m.queueWaitMs.p99.toFixed(2)} ms`)
  const same = unbatched.view.transcript === batched.view.transcript
  console.log(`Renderer transcript identical in both runs: ${same}; final state ${JSON.stringify(batched.view.lastState)} (unbatched: ${JSON.stringify(unbatched.view.lastState)})`)
  console.log(`Inspector page of the ipcflow run (open it in any browser): ${path.relative(process.cwd(), batched.page)}`)
  if (!same) process.exitCode = 1
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
