'use strict'
// The pure-JS alternative ipcflow is measured against: the same policy
// (per-target queues, count cap, time cap from the first message, critical
// flush, latest-wins coalescing) and the same frame format, written as well
// as we can: parallel arrays, one setTimeout per batch, no per-message closures.
const { FRAME_CHANNEL, PROTOCOL_VERSION } = require('../lib/protocol')

class JsQueue {
  constructor(target) {
    this.target = target
    this.channels = []
    this.payloads = []
    this.keys = null
    this.removed = 0
    this.timer = null
    this.seq = 0
  }
}

class JsBatcher {
  constructor({ maxBatchSize = 50, maxWaitMs = 16 } = {}) {
    this.maxBatchSize = maxBatchSize
    this.maxWaitMs = maxWaitMs
    this.queues = new Map()
    this.last = undefined
    this.lastQueue = undefined
    this.stream = (Math.random() * 0x100000000) >>> 0
    this.framesOut = 0
    this.messagesOut = 0
  }

  addMessage(channel, payload, target, options) {
    let q = target === this.last ? this.lastQueue : this.queues.get(target)
    if (q === undefined) {
      q = new JsQueue(target)
      this.queues.set(target, q)
    }
    this.last = target
    this.lastQueue = q
    if (options !== undefined && options.coalesceKey !== undefined) {
      if (q.keys === null) q.keys = new Map()
      const previous = q.keys.get(options.coalesceKey)
      if (previous !== undefined && q.channels[previous] !== null) {
        q.channels[previous] = null
        q.removed++
      }
      q.keys.set(options.coalesceKey, q.channels.length)
    }
    q.channels.push(channel)
    q.payloads.push(payload)
    if (q.timer === null) q.timer = setTimeout(() => this.flushQueue(q), this.maxWaitMs)
    if (q.channels.length - q.removed >= this.maxBatchSize || (options !== undefined && options.priority === 'critical')) {
      this.flushQueue(q)
    }
    return true
  }

  flushQueue(q) {
    if (q.timer !== null) {
      clearTimeout(q.timer)
      q.timer = null
    }
    let { channels, payloads } = q
    if (channels.length === 0) return
    if (q.removed > 0) {
      const c = []
      const p = []
      for (let i = 0; i < channels.length; i++) {
        if (channels[i] !== null) {
          c.push(channels[i])
          p.push(payloads[i])
        }
      }
      channels = c
      payloads = p
    }
    q.channels = []
    q.payloads = []
    q.keys = null
    q.removed = 0
    try {
      q.target.send(FRAME_CHANNEL, { ipcflow: 'frame', v: PROTOCOL_VERSION, stream: this.stream, seq: ++q.seq, channels, payloads })
      this.framesOut++
      this.messagesOut += channels.length
    } catch {
      // A real app would log; the benchmark never sends uncloneables.
    }
  }

  flush() {
    for (const q of this.queues.values()) this.flushQueue(q)
  }

  async close() {
    this.flush()
  }
}

module.exports = { JsBatcher }
