'use strict'
// Renderer client dispatch cost per message, in process (tinybench): frames of
// 50 messages go straight to the client's frame listener through a stub
// ipcRenderer, so the figure is checkFrame + the listener-table loop + the
// listeners themselves (which only count). Run: node bench/renderer-dispatch.js
// (needs renderer/dist: npm run build:renderer).
const { Bench } = require('tinybench')
const { createRendererClient, FRAME_CHANNEL } = require('../renderer/dist/index.js')
const { makeFrame } = require('../renderer/dist/protocol.js')

const PER_FRAME = 50
const FRAMES = 20 // per task call: 1,000 messages

function client() {
  const subscriptions = new Map()
  const ipc = {
    on: (channel, fn) => subscriptions.set(channel, fn),
    removeListener: (channel) => subscriptions.delete(channel),
    send() {},
    invoke: async () => undefined,
  }
  const c = createRendererClient(ipc, { announceReady: false, answerPings: false })
  return { c, onFrame: subscriptions.get(FRAME_CHANNEL), direct: (channel) => subscriptions.get(channel) }
}

// Two channels interleaved; `seq` keeps rising across calls so no frame is a duplicate.
function frames(stream) {
  const channels = []
  const payloads = []
  for (let i = 0; i < PER_FRAME; i++) {
    channels.push(i % 2 === 0 ? 'a' : 'b')
    payloads.push({ type: 'token', i, text: 'hello' })
  }
  let seq = 0
  return () => makeFrame(stream, ++seq, channels, payloads, false)
}

async function main() {
  let seen = 0
  const count = () => {
    seen++
  }
  const countBatch = (list) => {
    seen += list.length
  }

  const on1 = client()
  on1.c.on('a', count)
  on1.c.on('b', count)
  const on3 = client()
  for (const ch of ['a', 'b']) for (let k = 0; k < 3; k++) on3.c.on(ch, count)
  const batch = client()
  batch.c.onBatch('a', countBatch)
  batch.c.onBatch('b', countBatch)
  const latest = client()
  latest.c.onLatest('a', count)
  latest.c.onLatest('b', count)
  const none = client()
  const direct = client()
  direct.c.on('a', count)
  const forward = direct.direct('a')

  const run = (fixture, next) => () => {
    for (let f = 0; f < FRAMES; f++) fixture.onFrame(undefined, next())
  }
  const bench = new Bench({ time: 1500, warmupTime: 300 })
  bench
    .add('frame, no listeners', run(none, frames(1)))
    .add('frame, on: 1 listener per channel', run(on1, frames(1)))
    .add('frame, on: 3 listeners per channel', run(on3, frames(1)))
    .add('frame, onBatch: 1 per channel', run(batch, frames(1)))
    .add('frame, onLatest: 1 per channel', run(latest, frames(1)))
    .add('direct send, on: 1 listener', () => {
      for (let i = 0; i < FRAMES * PER_FRAME; i++) forward(undefined, i)
    })
  await bench.run()
  const rows = bench.tasks.map((t) => ({ task: t.name, 'ns/message (p50)': ((t.result.latency.p50 * 1e6) / (FRAMES * PER_FRAME)).toFixed(1) }))
  console.table(rows)
  if (seen === 0) throw new Error('no listener ran')
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
