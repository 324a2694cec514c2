// A child process that runs a MemoryManager on itself and reports: 'leak'
// holds 1 MiB more every 50 ms, 'steady' allocates only garbage, 'pressure'
// grows by 80 MiB and then frees it all.
const { MemoryManager } = require(process.argv[2])
const mode = process.argv[3]
const MIB = 1024 * 1024
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

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
      await sleep(30)
    }
    held = []
    for (let i = 0; i < 20 && memory.getStats().pressure !== 'normal'; i++) {
      global.gc()
      await sleep(50)
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
  // The steady workload runs a while before sampling, then a full GC: on a busy
  // machine V8 is still sizing its heap for it for the first second or so.
  if (mode !== 'leak') {
    const warm = setInterval(work, 50)
    await sleep(1000)
    clearInterval(warm)
    global.gc()
  }
  const memory = new MemoryManager({ sampleIntervalMs: 50, windowSamples: 40, osPressure: false })
  const timer = setInterval(work, 50)
  await sleep(2500)
  clearInterval(timer)
  const stats = memory.getStats()
  memory.close()
  process.send({ stats, held: held.length })
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1) })
