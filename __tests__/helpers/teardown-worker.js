// Runs inside a worker: keeps native batch timers armed and firing, then
// reports; the test terminates the worker while timers are still live.
const { parentPort, workerData } = require('worker_threads')
const { BatchManager } = require(workerData.root)

const batchers = [1, 2, 3].map(() => new BatchManager({ maxWaitMs: 1, maxBatchSize: 1000 }))
let ticks = 0
const target = { id: 1, send() { ticks++ } }
let reported = false
setInterval(() => {
  for (const b of batchers) for (let i = 0; i < 20; i++) b.addMessage('a', i, target)
  if (ticks > 5 && !reported) {
    reported = true
    parentPort.postMessage(ticks)
  }
}, 1)
