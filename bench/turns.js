'use strict'
// What the per-turn benchmarks (cold-burst.js, paced-turns.js) share: a target
// whose send structured-clones its value (v8.serialize, as a child process's
// channel does), token payloads, and the wall time of one turn.
const v8 = require('v8')
const { sleep } = require('./stats')

const CHANNEL = 'agent:token'

function makeTarget() {
  return { id: 1, send: (_channel, value) => v8.serialize(value), isDestroyed: () => false }
}

let made = 0
const makePayload = () => ({ type: 'token', id: made, text: `tok${made++ % 100}`, t: performance.now() })

/** Wall time (us) of one turn that runs `work()`, its microtasks included, after sleeping `sleepMs`. */
async function timeTurn(sleepMs, work) {
  if (sleepMs > 0) await sleep(sleepMs)
  return new Promise((resolve) =>
    setTimeout(() => {
      const start = performance.now()
      work()
      setImmediate(() => resolve((performance.now() - start) * 1000))
    }, 0),
  )
}

module.exports = { CHANNEL, makeTarget, makePayload, timeTurn }
