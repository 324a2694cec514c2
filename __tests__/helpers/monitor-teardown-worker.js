// Runs inside a worker: monitors with live watchdogs (some mid-stall) and
// memory managers sampling every 10 ms (one quietly); the test terminates the worker.
const { parentPort, workerData } = require('worker_threads')
const ipcflow = require(workerData.root)

const monitors = [1, 2, 3].map(() => new ipcflow.PerformanceMonitor({ watchdog: { thresholdMs: 10 }, windowMs: 10, insightIntervalMs: 10 }))
const managers = ipcflow.MemoryManager
  ? [1, 2].map(() => new ipcflow.MemoryManager({ sampleIntervalMs: 10, inactiveTaskMs: 10 }, { monitor: monitors[0] }))
  : []
for (const m of managers) m.trackTask('t', { onCleanup() {} })
// One that samples without waking this thread (no monitor, no tasks): only teardown can stop its thread.
if (ipcflow.MemoryManager) managers.push(new ipcflow.MemoryManager({ sampleIntervalMs: 10 }))
let ticks = 0
setInterval(() => {
  ticks++
  for (const m of monitors) m.histogram('x').record(ticks)
  const end = Date.now() + 15
  while (Date.now() < end); // a stall in progress when terminated
  if (ticks === 3) parentPort.postMessage('running')
}, 1)
