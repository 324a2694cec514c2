// A child process that runs a MemoryManager on itself and reports: 'leak'
// holds 1 MiB more every 50 ms, 'steady' allocates only garbage, 'pressure'
// grows by 80 MiB and then frees it all.
//
// The sampler thread keeps the machine's time, which a loaded machine
// stretches: each step waits for the samples it needs (a full window, a
// sample after each allocation) rather than a fixed time, and the steady
// workload starts being sampled once its RSS has settled.
const { MemoryManager } = require(process.argv[2])
const mode = process.argv[3]
const MIB = 1024 * 1024
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const LIMIT_MS = 60_000 // far beyond any wait below; past it, report what there is

/** Waits until `memory` has taken a sample after this call (its count grew). */
async function nextSample(memory) {
  const seen = memory.getStats().samples
  const end = Date.now() + LIMIT_MS
  while (memory.getStats().samples === seen && Date.now() < end) await sleep(2)
}

/** Waits until the RSS moved less than 1% over each of two 500 ms spans, running `work` meanwhile. */
async function settled(work) {
  const end = Date.now() + LIMIT_MS
  let quiet = 0
  let last = process.memoryUsage().rss
  while (quiet < 2 && Date.now() < end) {
    for (let t = 0; t < 10; t++) {
      work()
      await sleep(50)
    }
    global.gc()
    const rss = process.memoryUsage().rss
    quiet = Math.abs(rss - last) < last * 0.01 ? quiet + 1 : 0
    last = rss
  }
}

async function main() {
  await sleep(500) // let start-up allocation settle
  if (mode === 'pressure') {
    const base = process.memoryUsage().rss
    const memory = new MemoryManager({ sampleIntervalMs: 10, warningBytes: base + 30 * MIB, criticalBytes: base + 60 * MIB, osPressure: false })
    const levels = []
    memory.on('pressure', (level) => levels.push(level))
    let held = []
    for (let i = 0; i < 16; i++) {
      held.push(Buffer.alloc(5 * MIB, 1))
      await nextSample(memory) // each step is seen, so no level is skipped
      await sleep(5)
    }
    held = []
    const end = Date.now() + LIMIT_MS
    while (memory.getStats().pressure !== 'normal' && Date.now() < end) {
      global.gc()
      await nextSample(memory)
      await sleep(20)
    }
    memory.close()
    process.send({ levels })
    return
  }
  const held = []
  const work = () => {
    if (mode === 'leak') held.push(Buffer.alloc(MIB, 1))
    else JSON.stringify({ garbage: new Array(100).fill('x') })
  }
  // The steady workload runs until its RSS settled, then a full GC: V8 sizes its heap for the
  // workload first (on a busy machine for a second or more), and that growth is not a leak.
  if (mode !== 'leak') await settled(work)
  const memory = new MemoryManager({ sampleIntervalMs: 50, windowSamples: 40, osPressure: false })
  const timer = setInterval(work, 50)
  // A full window: 40 samples, 2 s on an idle machine (each look allocates: look only past that).
  await sleep(2500)
  const end = Date.now() + LIMIT_MS
  while (memory.getStats().samples < 40 && Date.now() < end) await sleep(100)
  clearInterval(timer)
  const stats = memory.getStats()
  memory.close()
  process.send({ stats, held: held.length })
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1) })
