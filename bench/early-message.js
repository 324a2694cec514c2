'use strict'
// A stream just slower than idleMs with one early message (`node bench/early-message.js`):
// 40 messages 20 ms apart (50 msg/s, maxWaitMs and idleMs 16), the 10th 5 ms early.
// Prints each message's queue wait in main (enqueue to send). The early message
// opens a batch and waits for its deadline, as idleMs says; the ones after it
// should leave at once again, since each comes 20 ms after the one before.
const { BatchManager } = require('..')
const { FRAME_CHANNEL } = require('../lib/protocol')
const { median } = require('./stats')

const COUNT = 40
const EARLY = 9

function run() {
  return new Promise((resolve) => {
    const sentAt = []
    const target = {
      id: 1,
      isDestroyed: () => false,
      send(channel, value) {
        const now = performance.now()
        for (const p of channel === FRAME_CHANNEL ? value.payloads : [value]) sentAt[p.i] = now
      },
    }
    const batcher = new BatchManager({ maxBatchSize: 50, maxWaitMs: 16 })
    const enqueuedAt = []
    let i = 0
    const tick = () => {
      enqueuedAt[i] = performance.now()
      batcher.addMessage('agent:token', { i }, target)
      i++
      if (i < COUNT) setTimeout(tick, i === EARLY ? 15 : 20)
      else setTimeout(() => batcher.close().then(() => resolve(enqueuedAt.map((at, k) => sentAt[k] - at))), 50)
    }
    setTimeout(tick, 20)
  })
}

function earlyMessageMarkdown(waits) {
  return [
    `${COUNT} messages 20 ms apart (50 msg/s; maxWaitMs and idleMs 16), the ${EARLY + 1}th 5 ms early; queue wait in main.`,
    '',
    `The early message waited ${waits[EARLY].toFixed(1)} ms (it opens a batch, as idleMs says); the ${COUNT - EARLY - 1} after it`,
    `${median(waits.slice(EARLY + 1)).toFixed(2)} ms (median).`,
    '',
  ].join('\n')
}

if (require.main === module) {
  run().then((waits) => {
    console.log(`queue wait per message, ms: ${waits.map((w) => w.toFixed(1)).join(' ')}`)
    console.log(earlyMessageMarkdown(waits))
  })
}

module.exports = { run, earlyMessageMarkdown }
