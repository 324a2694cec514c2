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

// A stopped thread leaves /proc once it has run to its end, which a loaded machine may take a
// while to let it do: wait for the count (10 s at most, then report what is left).
async function threadsOnceAt(n, { gc = false } = {}) {
  const end = Date.now() + 10_000
  while (threads() !== n && Date.now() < end) {
    if (gc) global.gc()
    await sleep(10)
  }
  return threads()
}

async function main() {
  const counts = { start: threads() }
  const closed = make(3)
  await sleep(50)
  counts.made = threads() // spawned by the constructors: all there at once
  closed.forEach((o) => o.close())
  counts.afterClose = await threadsOnceAt(0)
  // Dropped at once; a histogram handle kept alive must not keep its monitor's thread.
  const kept = make(3)[0].histogram('kept')
  await settle()
  kept.record(1)
  counts.afterGc = await threadsOnceAt(0, { gc: true })
  kept.record(2)
  const worker = new Worker(path.join(__dirname, 'monitor-teardown-worker.js'), { workerData: { root } })
  await new Promise((r) => worker.once('message', r))
  await sleep(50)
  counts.inWorker = threads()
  await worker.terminate()
  counts.afterWorker = await threadsOnceAt(0)
  process.send(counts)
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1) })
