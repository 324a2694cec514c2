'use strict'
// One streaming run: `rate` msg/s for `durationMs` from main to a renderer
// process (structured clone over a forked child's channel), through one of:
// 'unbatched' (a send per message), 'js' (bench/js-batcher.js), 'ipcflow',
// 'generator' (messages made and dropped: the baseline CPU of the loop), or
// 'floor' (the transport floor: the same messages posted in frames of the
// sizes an ipcflow run produced, with no timer, no per-target queue, no metrics;
// where ipcflow sent an idle message alone, the floor sends it alone too).
const { BatchManager } = require('..')
const { JsBatcher } = require('./js-batcher')
const { threadCpuNs, percentile, sleep } = require('./stats')
const { produce } = require('./token-source')
const { FRAME_CHANNEL, makeFrame } = require('../lib/protocol')

const CHANNEL = 'agent:token'
// In a run's frameSizes: a message sent alone (adaptive batching's plain idle send), not a frame.
const PLAIN_SEND = 0

/** Posts frames of the given sizes, in order, as messages arrive; the rest on close(). */
class FloorSender {
  constructor(sizes) {
    this.sizes = sizes
    this.next = 0
    this.seq = 0
    // A fresh stream per run, as a new BatchManager has: the renderer restarts its seq check.
    this.stream = (Math.random() * 0x100000000) >>> 0
    this.channels = []
    this.payloads = []
    this.target = undefined
  }

  addMessage(channel, payload, target) {
    this.target = target
    if (this.sizes[this.next] === PLAIN_SEND) {
      this.next++
      target.send(channel, payload)
      return
    }
    this.channels.push(channel)
    this.payloads.push(payload)
    if (this.channels.length >= (this.sizes[this.next] ?? 50)) this.post()
  }

  post() {
    if (this.channels.length === 0) return
    this.target.send(FRAME_CHANNEL, makeFrame(this.stream, ++this.seq, this.channels, this.payloads, false))
    this.channels = []
    this.payloads = []
    this.next++
  }

  async close() {
    this.post()
  }
}

function makeSender(variant, options, frameSizes) {
  if (variant === 'ipcflow') return new BatchManager(options)
  if (variant === 'js') return new JsBatcher(options)
  if (variant === 'floor') return new FloorSender(frameSizes ?? [])
  return null
}

async function runStream(win, { variant, source = 'timer', rate, durationMs, options, frameSizes, keepLatencies = false }) {
  const wc = win.webContents
  await win.request('reset')
  const realSend = wc.send
  let frames = 0
  let firstSendAt = NaN
  let lastSendAt = NaN
  let minFrameGapMs = Infinity
  const sizes = []
  const queueWaits = []
  // Counts sends, the shortest gap between two, and how long each message waited in main before its send.
  wc.send = function (channel, value) {
    realSend.call(this, channel, value)
    frames++
    const now = performance.now()
    if (frames === 1) firstSendAt = now
    else minFrameGapMs = Math.min(minFrameGapMs, now - lastSendAt)
    lastSendAt = now
    if (channel === FRAME_CHANNEL) {
      sizes.push(value.payloads.length)
      for (const p of value.payloads) queueWaits.push(now - p.t)
    } else {
      sizes.push(PLAIN_SEND)
      queueWaits.push(now - value.t)
    }
  }
  const sender = makeSender(variant, options, frameSizes)
  const total = Math.round((rate * durationMs) / 1000)
  // No run pays for the garbage of the one before it (npm run bench passes --expose-gc).
  if (typeof global.gc === 'function') global.gc()
  const cpuStart = threadCpuNs()
  await produce(source, rate, total, (payload) => {
    if (sender !== null) sender.addMessage(CHANNEL, payload, wc)
    else if (variant === 'unbatched') wc.send(CHANNEL, payload)
  })
  // Let the last batch go by its own timer, inside the measured window.
  await sleep((options.maxWaitMs ?? 16) * 3)
  const cpuNs = threadCpuNs() - cpuStart
  const timerWakes = variant === 'ipcflow' ? sender.getMetrics().timerWakes : undefined
  if (sender !== null) await sender.close()
  wc.send = realSend
  const expected = variant === 'generator' ? 0 : total
  const until = Date.now() + 10_000
  while ((await win.request('count')) < expected && Date.now() < until) await sleep(5)
  const delivered = await win.request('stats', { latencies: keepLatencies })
  if (variant === 'generator') delivered.received = total
  return {
    variant,
    source,
    messages: total,
    delivered: delivered.received,
    frames,
    framesPerMessage: frames / total,
    // Sends a second between the first and the last (frames and plain sends alike).
    framesPerSecond: frames > 1 ? ((frames - 1) * 1000) / (lastSendAt - firstSendAt) : NaN,
    minFrameGapMs,
    cpuNsPerMessage: cpuNs / delivered.received,
    rendererCpuNsPerMessage: delivered.cpuNs / delivered.received,
    queueWaitP50: percentile(queueWaits, 50),
    queueWaitP99: percentile(queueWaits, 99),
    latencyP50: delivered.p50,
    latencyP99: delivered.p99,
    frameSizes: sizes,
    timerWakes,
    latencies: delivered.latencies, // with keepLatencies
  }
}

module.exports = { runStream, CHANNEL }
