// Runs inside a worker: keeps native batch timers armed and firing, pending
// batches, in-flight invokes (handlers that never answer, timeouts armed),
// monitors with watchdogs and alert/event callbacks, memory samplers, then
// reports; the test terminates the worker while all of it is live.
const { parentPort, workerData } = require('worker_threads')
const ipcflow = require(workerData.root)
const { BatchManager, HandlerRegistry, PerformanceMonitor, MemoryManager } = ipcflow

const monitor = new PerformanceMonitor({ watchdog: { thresholdMs: 10 }, windowMs: 10, insightIntervalMs: 10 })
monitor.on?.('stall', () => {})
const memory = new MemoryManager({ sampleIntervalMs: 10, inactiveTaskMs: 10 }, { monitor })
memory.trackTask('t', { onCleanup() {} })
const batchers = [1, 2, 3].map(() => new BatchManager({ maxWaitMs: 1, maxBatchSize: 1000 }, { monitor }))
// Never flushed: a low-priority batch with a long deadline still armed at terminate.
const pending = new BatchManager({ adaptive: false, maxWaitMs: 10_000, lowPriorityWaitMs: 60_000 })
const registry = new HandlerRegistry({ monitor })
registry.register('hang', () => new Promise(() => {}), { timeoutMs: 60_000 })
registry.register('slow', () => new Promise((resolve) => setTimeout(resolve, 5, 'ok')), { maxBytes: 10_000 })
let ticks = 0
const target = { id: 1, send() { ticks++ } }
const quiet = { id: 2, send() {} }
let reported = false
setInterval(() => {
  for (const b of batchers) for (let i = 0; i < 20; i++) b.addMessage('a', { i, s: 'x'.repeat(100) }, target)
  pending.addMessage('p', ticks, quiet, { priority: 'low' })
  void registry.invoke('hang', [ticks])
  void registry.invoke('slow', [{ ticks }])
  monitor.record('x', ticks)
  memory.touch('t')
  if (ticks > 5 && !reported) {
    reported = true
    parentPort.postMessage(ticks)
  }
}, 1)
