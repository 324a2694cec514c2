'use strict'
// Streaming (README "Streaming"): items/s through registerStream with credit
// backpressure against a naive loop of webContents.send per item, then the
// peak main-process heap of both while the renderer reads at 1/10 of the
// naive production rate (a busy renderer, so unread messages pile up).
const path = require('path')
const { HandlerRegistry } = require('..')
const { IpcMain, createWindow } = require('../test/standin')

const STREAMER = path.join(__dirname, '..', 'test', 'standin', 'renderers', 'streamer.js')
const ITEMS = Number(process.env.BENCH_STREAM_ITEMS || 100_000)
const SLOW_ITEMS = Number(process.env.BENCH_STREAM_SLOW_ITEMS || 5_000)
const item = (i) => ({ i, name: `row ${i}`, ok: true })

function sampler() {
  global.gc?.()
  const base = process.memoryUsage()
  let heap = base.heapUsed
  let rss = base.rss
  const timer = setInterval(() => {
    const m = process.memoryUsage()
    heap = Math.max(heap, m.heapUsed)
    rss = Math.max(rss, m.rss)
  }, 5)
  return () => {
    clearInterval(timer)
    return { peakHeapMB: (heap - base.heapUsed) / 2 ** 20, peakRssMB: (rss - base.rss) / 2 ** 20 }
  }
}

async function runRegistryStreamBench() {
  const ipcMain = new IpcMain()
  const registry = new HandlerRegistry()
  registry.registerStream('bench:stream', function* (n) {
    for (let i = 0; i < n; i++) yield item(i)
  }, { chunkSize: 100, highWaterMark: 4 })
  registry.attach(ipcMain)
  const win = await createWindow({ kind: 'process', renderer: STREAMER, ipcMain })
  try {
    const naive = async (n, itemCostUs) => {
      const counting = win.request('count', { channel: 'bench:naive', n, itemCostUs }, 600_000)
      await new Promise((resolve) => setTimeout(resolve, 20)) // the listener is subscribed
      const started = performance.now()
      for (let i = 0; i < n; i++) win.webContents.send('bench:naive', item(i))
      const sendMs = performance.now() - started
      const r = await counting
      return { sendMs, totalMs: performance.now() - started, items: r.items }
    }
    const streamed = async (n, itemCostUs) => {
      const started = performance.now()
      const r = await win.request('timed', { channel: 'bench:stream', args: [n], itemCostUs }, 600_000)
      return { totalMs: performance.now() - started, items: r.items }
    }
    await streamed(10_000, 0) // warm-up
    await naive(10_000, 0)
    const fastStream = await streamed(ITEMS, 0)
    const fastNaive = await naive(ITEMS, 0)
    // Renderer cost per item so it reads at 1/10 of the naive send rate.
    const itemCostUs = ((fastNaive.sendMs / ITEMS) * 1000) * 10
    let stop = sampler()
    const slowStream = await streamed(SLOW_ITEMS, itemCostUs)
    const slowStreamMem = stop()
    stop = sampler()
    const slowNaive = await naive(SLOW_ITEMS, itemCostUs)
    const slowNaiveMem = stop()
    return {
      items: ITEMS,
      streamItemsPerS: (fastStream.items / fastStream.totalMs) * 1000,
      naiveItemsPerS: (fastNaive.items / fastNaive.totalMs) * 1000,
      slow: { items: SLOW_ITEMS, itemCostUs, stream: { ...slowStream, ...slowStreamMem }, naive: { ...slowNaive, ...slowNaiveMem } },
    }
  } finally {
    await registry.close()
    await win.close()
  }
}

function registryStreamMarkdown(r) {
  const n = (x, d = 0) => x.toFixed(d)
  return [
    '## Streaming (registerStream)',
    '',
    `Throughput, ${r.items} items ({ i, name, ok }) to a renderer process that reads as fast as it can:`,
    `registerStream (chunkSize 100, highWaterMark 4) ${n(r.streamItemsPerS)} items/s; naive webContents.send per item ${n(r.naiveItemsPerS)} items/s.`,
    '',
    `Renderer reading at 1/10 of the naive send rate (${n(r.slow.itemCostUs, 1)} us per item), ${r.slow.items} items, peak growth in main:`,
    '',
    '| variant | heapUsed | rss | total time |',
    '|---|---|---|---|',
    `| registerStream | ${n(r.slow.stream.peakHeapMB, 1)} MB | ${n(r.slow.stream.peakRssMB, 1)} MB | ${n(r.slow.stream.totalMs)} ms |`,
    `| naive send per item | ${n(r.slow.naive.peakHeapMB, 1)} MB | ${n(r.slow.naive.peakRssMB, 1)} MB | ${n(r.slow.naive.totalMs)} ms |`,
    '',
    'In the stand-in, unread messages queue in main (the child-process channel); in Electron they queue in the IPC pipe and the renderer.',
    '',
  ].join('\n')
}

module.exports = { runRegistryStreamBench, registryStreamMarkdown }

if (require.main === module) {
  runRegistryStreamBench().then((r) => console.log(registryStreamMarkdown(r)), (e) => {
    console.error(e)
    process.exitCode = 1
  })
}
