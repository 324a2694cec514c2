// Teardown driver, run in its own process (node --expose-gc): 8 worker threads
// x `cycles` create/use/terminate cycles of teardown-worker.js. Prints one JSON
// line: RSS after each cycle, the handles left, and how many workers reported.
const { Worker } = require('worker_threads')
const path = require('path')

const root = path.join(__dirname, '..', '..')
const script = path.join(__dirname, 'teardown-worker.js')
const cycles = Number(process.argv[2] || 20)
const threads = Number(process.argv[3] || 8)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function one(i) {
  const worker = new Worker(script, { workerData: { root } })
  const ticks = await new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  await sleep(i % 7) // terminate at different points of the timers' and samplers' cycles
  await worker.terminate()
  return ticks
}

async function main() {
  // The main thread's own native timer keeps firing into this env while worker envs die around it.
  const { BatchManager } = require(root)
  let mainFrames = 0
  const batcher = new BatchManager({ adaptive: false, maxWaitMs: 1 })
  const target = { id: 1, send() { mainFrames++ } }
  const feed = setInterval(() => batcher.addMessage('a', 1, target), 5)
  void process.stdout, void process.stderr // their pipes open lazily: not ours
  const baseline = process.getActiveResourcesInfo()
  const rss = []
  let reported = 0
  for (let c = 0; c < cycles; c++) {
    const ticks = await Promise.all(Array.from({ length: threads }, (_, i) => one(i + c)))
    reported += ticks.filter((t) => t > 0).length
    global.gc()
    rss.push(process.memoryUsage().rss)
  }
  const framesDuringCycles = mainFrames
  clearInterval(feed)
  await batcher.close()
  await sleep(50)
  const left = process.getActiveResourcesInfo().filter((r) => !baseline.includes(r) && r !== 'Timeout')
  process.stdout.write(JSON.stringify({ rss, left, reported, mainFrames: framesDuringCycles }) + '\n')
}

main().catch((error) => {
  console.error(error)
  process.exit(2)
})
