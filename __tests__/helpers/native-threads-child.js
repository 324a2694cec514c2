// Counts ipcflow's native threads (Linux /proc) as monitors and memory
// managers are closed, collected, or die with their worker thread.
const fs = require('fs')
const path = require('path')
const { Worker } = require('worker_threads')
const root = process.argv[2]
const { PerformanceMonitor, MemoryManager } = require(root)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function threads() {
  const names = fs.readdirSync('/proc/self/task').map((t) => {
    try {
      return fs.readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim()
    } catch {
      return ''
    }
  })
  return names.filter((n) => n === 'ipcflow-watch' || n === 'ipcflow-memory').length
}

function make(n) {
  const out = []
  for (let i = 0; i < n; i++) {
    out.push(new PerformanceMonitor({ watchdog: { thresholdMs: 10 } }))
    out.push(new MemoryManager({ sampleIntervalMs: 10, osPressure: false }))
  }
  return out
}

async function settle() {
  for (let i = 0; i < 5; i++) {
    global.gc()
    await sleep(30)
  }
}

async function main() {
  const counts = { start: threads() }
  const closed = make(3)
  await sleep(50)
  counts.made = threads()
  closed.forEach((o) => o.close())
  await sleep(50)
  counts.afterClose = threads()
  // Dropped at once; a histogram handle kept alive must not keep its monitor's thread.
  const kept = make(3)[0].histogram('kept')
  await settle()
  kept.record(1)
  counts.afterGc = threads()
  const worker = new Worker(path.join(__dirname, 'monitor-teardown-worker.js'), { workerData: { root } })
  await new Promise((r) => worker.once('message', r))
  await sleep(50)
  counts.inWorker = threads()
  await worker.terminate()
  await sleep(100)
  counts.afterWorker = threads()
  process.send(counts)
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1) })
