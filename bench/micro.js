'use strict'
// Enqueue cost per message (tinybench): each task call enqueues 1,000
// messages to a target whose send() does nothing, so the figure is the
// caller's cost per addMessage including the amortized size flushes.
const { Bench } = require('tinybench')
const { BatchManager } = require('..')
const { JsBatcher } = require('./js-batcher')

const PER_CALL = 1000

async function runEnqueue() {
  const target = { id: 1, send() {}, isDestroyed: () => false }
  const payload = { type: 'token', id: 1, text: 'hello', ts: 1 }
  const ipcflow = new BatchManager({ maxBatchSize: 50, maxWaitMs: 16 })
  const js = new JsBatcher({ maxBatchSize: 50, maxWaitMs: 16 })
  const queue = []
  const bench = new Bench({ time: 1500, warmupTime: 300 })
  bench
    .add('array push (floor)', () => {
      for (let i = 0; i < PER_CALL; i++) queue.push(payload)
      queue.length = 0
    })
    .add('pure-JS batcher addMessage', () => {
      for (let i = 0; i < PER_CALL; i++) js.addMessage('agent:token', payload, target)
    })
    .add('ipcflow addMessage', () => {
      for (let i = 0; i < PER_CALL; i++) ipcflow.addMessage('agent:token', payload, target)
    })
  await bench.run()
  await ipcflow.close()
  await js.close()
  const nsPerMessage = (name) => (bench.getTask(name).result.latency.p50 * 1e6) / PER_CALL
  return {
    floor: nsPerMessage('array push (floor)'),
    js: nsPerMessage('pure-JS batcher addMessage'),
    ipcflow: nsPerMessage('ipcflow addMessage'),
  }
}

module.exports = { runEnqueue }
