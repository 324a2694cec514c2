'use strict'
// A renderer that never becomes ready (stalled, or still loading) while main
// produces 10k msg/s for 2 s: memory must stay bounded by maxQueueSize, and
// every drop must be counted.
const { BatchManager } = require('..')
const { sleep } = require('./stats')

async function runStalled() {
  const maxQueueSize = 10_000
  const batcher = new BatchManager({ holdUntilReady: true, maxQueueSize, maxBatchSize: 50, maxWaitMs: 16 })
  const target = { id: 1, send() {}, isDestroyed: () => false }
  global.gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  let maxPending = 0
  let produced = 0
  const t0 = performance.now()
  while (performance.now() - t0 < 2000) {
    const due = Math.floor((performance.now() - t0) * 10)
    while (produced < due) {
      batcher.addMessage('agent:token', { type: 'token', id: produced, text: 'x'.repeat(40) }, target)
      produced++
    }
    maxPending = Math.max(maxPending, batcher.pending(target))
    await sleep(1)
  }
  global.gc?.()
  const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6
  const m = batcher.getMetrics()
  await batcher.close()
  return {
    produced,
    maxQueueSize,
    maxPending,
    dropped: m.drops.overflow,
    counted: m.drops.overflow === produced - maxPending,
    heapGrowthMb,
  }
}

module.exports = { runStalled }
