'use strict'
// A seeded random workload for BatchManager over fake targets: priorities,
// coalesce keys, flushes, flow control (acks held back and released late,
// pages re-announcing) and readiness changes, with the native timers firing
// in between. check() says what went wrong, or undefined when every message
// not coalesced away arrived exactly once, in per-target order.
const { EventEmitter } = require('events')
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads')
const { BatchManager } = require('../../index')

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function fakeTarget(id) {
  return {
    id,
    frames: 0,
    lastSeq: 0,
    stream: undefined,
    received: [],
    errors: [],
    unacked: [],
    onSend: undefined,
    send(channel, frame) {
      if (channel === 'm') {
        // A plain send: adaptive batching's message to an idle target.
        this.received.push(frame[1])
        this.onSend?.()
        return
      }
      if (channel !== 'ipcflow:frame') return void this.errors.push(`unexpected channel ${channel}`)
      if (this.stream === undefined) this.stream = frame.stream
      if (frame.stream !== this.stream) this.errors.push(`stream changed from ${this.stream} to ${frame.stream}`)
      if (frame.seq !== this.lastSeq + 1) this.errors.push(`seq ${frame.seq} after ${this.lastSeq}`)
      this.lastSeq = frame.seq
      this.frames++
      if (frame.ack === true) this.unacked.push(frame.seq)
      // Fake targets keep only the message numbers (the payload is [target, n]).
      for (const p of frame.payloads) this.received.push(p[1])
      this.onSend?.()
    },
  }
}

const PRIORITIES = [undefined, 'normal', 'low', 'critical']
const tick = () => new Promise((resolve) => setImmediate(resolve))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs one scenario; `failure` says what went wrong, or is undefined. */
async function runScenario(s) {
  const rand = prng(s.seed)
  const ipcMain = new EventEmitter()
  const batcher = new BatchManager({ maxQueueSize: 10_000_000, ...s.options })
  batcher.attach(ipcMain)
  const targets = Array.from({ length: s.targets }, (_, i) => fakeTarget(900 + i))
  const sent = targets.map(() => [])
  const ready = targets.map(() => true)
  const usesAcks = targets.map(() => rand() < 0.75)
  for (let i = 0; i < targets.length; i++) ipcMain.emit('ipcflow:ready', { sender: targets[i] }, { v: 1, acks: usesAcks[i] })

  const ackSome = (i, all) => {
    const t = targets[i]
    if (t.unacked.length === 0) return
    const upTo = all ? t.unacked.length : 1 + Math.floor(rand() * t.unacked.length)
    const seq = t.unacked[upTo - 1]
    t.unacked.splice(0, upTo)
    ipcMain.emit('ipcflow:ack', { sender: t }, t.stream, seq)
  }

  const add = (i) => {
    const n = sent[i].length
    const priority = PRIORITIES[Math.floor(rand() * PRIORITIES.length)]
    const key = rand() < 0.3 ? `k${Math.floor(rand() * 16)}` : undefined
    sent[i].push({ key })
    const payload = [i, n]
    if (priority === undefined && key === undefined) batcher.addMessage('m', payload, targets[i])
    else batcher.addMessage('m', payload, targets[i], { priority, coalesceKey: key })
  }
  // Now and then a send re-enters: it adds to a target (maybe its own) or flushes.
  let depth = 0
  for (const t of targets) {
    t.onSend = () => {
      if (depth > 2 || rand() >= 0.02) return
      depth++
      try {
        if (rand() < 0.8) add(Math.floor(rand() * targets.length))
        else batcher.flush(rand() < 0.5 ? t : undefined)
      } finally {
        depth--
      }
    }
  }

  for (let step = 0; step < s.messages; step++) {
    const i = Math.floor(rand() * targets.length)
    const r = rand()
    // Mostly messages; now and then an event on this target.
    if (r < 0.004) {
      if (ready[i]) batcher.markNotReady(targets[i])
      else batcher.markReady(targets[i])
      ready[i] = !ready[i]
    } else if (r < 0.006) {
      batcher.flush(rand() < 0.5 ? targets[i] : undefined)
    } else if (r < 0.008 && usesAcks[i]) {
      // The page reloaded: its client announces itself again (unacked frames are forgotten).
      targets[i].unacked.length = 0
      ipcMain.emit('ipcflow:ready', { sender: targets[i] }, { v: 1, acks: true })
      ready[i] = true
    }
    if (usesAcks[i] && rand() < 0.05) ackSome(i, rand() < 0.3)
    add(i)
    if ((step + 1) % s.yieldEvery === 0) {
      if (rand() < 0.1) await sleep(1 + Math.floor(rand() * 3))
      else await tick()
    }
  }
  // Let the timers fire with targets as they are, then open everything and drain.
  await sleep(5)
  for (let i = 0; i < targets.length; i++) {
    if (!ready[i]) batcher.markReady(targets[i])
    ackSome(i, true)
  }
  for (let round = 0; round < 1000 && batcher.pending() > 0; round++) {
    batcher.flush()
    for (let i = 0; i < targets.length; i++) ackSome(i, true)
    await tick()
  }
  const metrics = batcher.getMetrics()
  await batcher.close()
  batcher.detach()
  return {
    failure: check(targets, sent, metrics),
    added: sent.reduce((n, list) => n + list.length, 0),
    delivered: targets.reduce((n, t) => n + t.received.length, 0),
    coalesced: metrics.coalesced,
    frames: targets.reduce((n, t) => n + t.frames, 0),
  }
}

function check(targets, sent, metrics) {
  const drops = Object.entries(metrics.drops).filter(([, n]) => n !== 0)
  if (drops.length > 0) return `messages dropped: ${JSON.stringify(metrics.drops)}`
  let missingTotal = 0
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]
    if (t.errors.length > 0) return `target ${i}: ${t.errors.slice(0, 3).join('; ')}`
    const got = t.received
    for (let k = 1; k < got.length; k++) {
      if (!(got[k] > got[k - 1])) return `target ${i}: message ${got[k]} arrived after ${got[k - 1]} (duplicate or out of order)`
    }
    // A message may be missing only if a later one on its target had the same coalesce key.
    const arrived = new Set(got)
    const laterKeys = new Set()
    for (let n = sent[i].length - 1; n >= 0; n--) {
      const { key } = sent[i][n]
      if (!arrived.has(n)) {
        if (key === undefined || !laterKeys.has(key)) return `target ${i}: message ${n} (key ${key}) never arrived and nothing replaced it`
        missingTotal++
      }
      if (key !== undefined) laterKeys.add(key)
    }
    if (got.length > 0 && got[got.length - 1] >= sent[i].length) return `target ${i}: message ${got[got.length - 1]} was never sent`
  }
  if (missingTotal !== metrics.coalesced) return `${missingTotal} messages missing but ${metrics.coalesced} counted as coalesced`
  return undefined
}

/**
 * Runs scenarios in a worker thread with a deadline each, so a scenario that
 * spins synchronously fails with its seed instead of hanging the test run.
 */
class IsolatedRunner {
  constructor(deadlineMs) {
    this.deadlineMs = deadlineMs
    this.worker = undefined
  }

  run(scenario) {
    if (this.worker === undefined) this.worker = new Worker(__filename, { workerData: 'exactly-once' })
    const worker = this.worker
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup()
        this.close()
        reject(new Error(`seed ${scenario.seed}: still running after ${this.deadlineMs} ms (a synchronous loop?): ${JSON.stringify(scenario)}`))
      }, this.deadlineMs)
      const onMessage = (reply) => {
        cleanup()
        if (reply.error !== undefined) reject(new Error(`seed ${scenario.seed}: ${reply.error}`))
        else resolve(reply.outcome)
      }
      const onError = (error) => {
        cleanup()
        this.worker = undefined
        reject(error)
      }
      const cleanup = () => {
        clearTimeout(timer)
        worker.off('message', onMessage)
        worker.off('error', onError)
      }
      worker.on('message', onMessage)
      worker.on('error', onError)
      worker.postMessage(scenario)
    })
  }

  async close() {
    const worker = this.worker
    this.worker = undefined
    if (worker !== undefined) await worker.terminate()
  }
}

if (!isMainThread && workerData === 'exactly-once') {
  parentPort.on('message', (scenario) => {
    runScenario(scenario).then(
      (outcome) => parentPort.postMessage({ outcome }),
      (error) => parentPort.postMessage({ error: String(error?.stack ?? error) }),
    )
  })
}

module.exports = { prng, runScenario, IsolatedRunner }
