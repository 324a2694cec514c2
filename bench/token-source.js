'use strict'
// Produces `rate` token payloads per second in one of two ways:
//  'timer':  a 2 ms setTimeout loop on the main thread (the main thread is awake
//            every 2 ms anyway, so a JS batch timer shares its wake-ups);
//  'worker': chunks posted from a worker thread every 5 ms, the way tokens arrive
//            from a network stream (every wake-up is caused by arriving data);
//  'burst':  a 50 ms timer loop that makes all its due messages in one turn (a tool
//            result or a replayed history: frames fill by size, no time cap).
const { Worker } = require('worker_threads')

const WORKER_CODE = `
const { parentPort, workerData } = require('worker_threads')
const { rate, total } = workerData
let sent = 0
const t0 = performance.now()
const tick = () => {
  const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000))
  if (due > sent) { parentPort.postMessage(due - sent); sent = due }
  if (sent < total) setTimeout(tick, 5)
}
tick()
`

function makePayload(id) {
  return { type: 'token', id, text: `tok${id % 100}`, t: performance.now() }
}

/** Calls `emit(payload)` `total` times at `rate`/s; resolves when done. */
function produce(source, rate, total, emit) {
  if (source === 'worker') {
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_CODE, { eval: true, workerData: { rate, total } })
      let made = 0
      worker.on('message', (count) => {
        for (let i = 0; i < count; i++) emit(makePayload(made++))
        if (made >= total) worker.terminate().then(() => resolve())
      })
      worker.on('error', reject)
    })
  }
  const periodMs = source === 'burst' ? 50 : 2
  return new Promise((resolve) => {
    let made = 0
    const t0 = performance.now()
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000))
      while (made < due) emit(makePayload(made++))
      if (made < total) setTimeout(tick, periodMs)
      else resolve()
    }
    tick()
  })
}

module.exports = { produce }
