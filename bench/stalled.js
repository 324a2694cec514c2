'use strict'
// A renderer process that stops reading its IPC for 2 s (a long task, a hung
// page) while main produces 10k msg/s: with flow control, main stops at
// maxFramesInFlight unacknowledged frames, then queues up to maxQueueSize and
// drops by the overflow policy, every drop counted. Memory stays bounded.
const path = require('path')
const { BatchManager } = require('..')
const { createWindow, IpcMain } = require('../test/standin')
const { sleep, monotonicOrigin } = require('./stats')

async function runStalled() {
  const maxQueueSize = 10_000
  const ipcMain = new IpcMain()
  const batcher = new BatchManager({ maxQueueSize, maxBatchSize: 50, maxWaitMs: 16, maxFramesInFlight: 16 })
  batcher.attach(ipcMain)
  const win = await createWindow({
    kind: 'process',
    renderer: path.join(__dirname, 'renderer.js'),
    rendererOptions: { channels: ['agent:token'], mainMonotonicOrigin: monotonicOrigin(), announceReady: true },
    ipcMain,
  })
  const target = win.webContents
  let framesDuringStall = 0
  const realSend = target.send
  target.send = function (...args) {
    framesDuringStall++
    return realSend.apply(this, args)
  }
  try {
    await sleep(50)
    const blocked = win.request('block', 2000)
    await sleep(20)
    global.gc?.()
    const heapBefore = process.memoryUsage().heapUsed
    let maxPending = 0
    let produced = 0
    const t0 = performance.now()
    while (performance.now() - t0 < 1900) {
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
    const frames = framesDuringStall
    await blocked
    return {
      produced,
      maxQueueSize,
      maxPending,
      framesDuringStall: frames,
      dropped: m.drops.overflow,
      counted: m.messagesIn === m.messagesOut + m.pending + m.drops.total,
      heapGrowthMb,
    }
  } finally {
    target.send = realSend
    await batcher.close()
    await win.close()
  }
}

module.exports = { runStalled }

if (require.main === module) runStalled().then((r) => console.log(r))
