'use strict'
// Registry overhead per invoke (target: <= 5 us p50): the full pipeline
// (origin check, native validation of the reference payload, rate limit,
// metrics, envelope) against awaiting the handler directly, in process and
// on a renderer call's path (the ipcMain handler). Each task call
// runs PER_CALL sequential invokes so timer resolution does not dominate.
const { Bench } = require('tinybench')
const { HandlerRegistry } = require('..')
const { SCHEMA, payload: referencePayload, REFERENCE_TEXT, SHORT_TEXT } = require('./validation')
const { JsRegistry } = require('./js-registry')
const { median, medianInterval } = require('./stats')

const PER_CALL = 200

async function runRegistryBench({ rounds = 9, time = 250, warmupTime = 300 } = {}) {
  const payload = referencePayload(REFERENCE_TEXT)
  const short = referencePayload(SHORT_TEXT)
  const handler = async (message) => message.id
  const options = {
    schema: SCHEMA,
    allowedOrigins: ['app://main'],
    rateLimit: { requests: 1_000_000_000, windowMs: 1000 }, // always allowed: measures the check, not refusals
    timeoutMs: 2000,
  }
  const registry = new HandlerRegistry()
  registry.register('bench:msg', handler, options)
  const js = new JsRegistry()
  js.register('bench:msg', handler, options)
  const ctx = { senderId: 1, origin: 'app://main' }
  const direct = { channel: 'bench:msg', senderId: 1, origin: 'app://main' }
  // The path a renderer's call takes: the function ipcMain.handle was given,
  // called with Electron's event and the (already cloned) arguments. Both
  // registries get the same event; in-process calls above are main's own.
  const handlers = new Map()
  const ipcMain = { handle: (channel, fn) => handlers.set(channel, fn), removeHandler: (channel) => handlers.delete(channel), on() {}, removeListener() {} }
  registry.attach(ipcMain)
  const viaIpc = handlers.get('bench:msg')
  const jsViaIpc = (event, ...args) => js.invoke('bench:msg', args, { senderId: event.sender.id, origin: event.senderFrame.origin })
  const event = { sender: { id: 1 }, senderFrame: { origin: 'app://main', url: 'app://main/index.html' } }
  let sink = 0
  const loop = (call) => async () => {
    for (let i = 0; i < PER_CALL; i++) {
      const envelope = await call()
      if (envelope.success === false) throw new Error(`bench invoke failed: ${envelope.error.code} ${envelope.error.message}`)
      sink += envelope.success === true ? envelope.data : envelope
    }
  }
  const tasks = {
    direct: loop(() => handler(payload, direct)),
    registry: loop(() => registry.invoke('bench:msg', [payload], ctx)),
    js: loop(() => js.invoke('bench:msg', [payload], ctx)),
    short: loop(() => registry.invoke('bench:msg', [short], ctx)),
    jsShort: loop(() => js.invoke('bench:msg', [short], ctx)),
    ipc: loop(() => viaIpc(event, payload)),
    jsIpc: loop(() => jsViaIpc(event, payload)),
    ipcShort: loop(() => viaIpc(event, short)),
    jsIpcShort: loop(() => jsViaIpc(event, short)),
  }
  // Short tinybench runs of every task, interleaved round after round: a ratio
  // is taken within a round (same VM mood), and the median over rounds is kept.
  const perRound = Object.fromEntries(Object.keys(tasks).map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time, warmupTime: round === 0 ? warmupTime : 50 })
    for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn)
    await bench.run()
    for (const name of Object.keys(tasks)) {
      const task = bench.getTask(name)
      if (task.result.error) throw task.result.error
      perRound[name].push((task.result.latency.p50 * 1e6) / PER_CALL)
    }
  }
  await registry.close()
  if (sink === 0) throw new Error('unreachable: keeps the handler results alive')
  const ns = (name) => median(perRound[name])
  const ratio = (a, b) => {
    const values = perRound[a].map((x, i) => x / perRound[b][i])
    return { median: median(values), ci: medianInterval(values) }
  }
  const overhead = perRound.registry.map((x, i) => x - perRound.direct[i])
  return {
    rounds,
    directNs: ns('direct'),
    registryNs: ns('registry'),
    overheadNs: median(overhead),
    overheadCi: medianInterval(overhead),
    jsRegistryNs: ns('js'),
    shortNs: ns('short'),
    jsShortNs: ns('jsShort'),
    ipcNs: ns('ipc'),
    jsIpcNs: ns('jsIpc'),
    ipcShortNs: ns('ipcShort'),
    jsIpcShortNs: ns('jsIpcShort'),
    ratios: {
      inProcess: ratio('registry', 'js'),
      inProcessShort: ratio('short', 'jsShort'),
      ipc: ratio('ipc', 'jsIpc'),
      ipcShort: ratio('ipcShort', 'jsIpcShort'),
    },
  }
}

module.exports = { runRegistryBench }

if (require.main === module) {
  runRegistryBench().then(
    (r) => {
      const us = (n) => (n / 1000).toFixed(2)
      const x = ({ median: m, ci }) => `${m.toFixed(2)}x [${ci[0].toFixed(2)}, ${ci[1].toFixed(2)}]`
      console.log(`${r.rounds} interleaved rounds; per-round ratios, median [95% CI]`)
      console.log(`handler directly: ${us(r.directNs)} us/invoke (p50)`)
      console.log(`registry.invoke:  ${us(r.registryNs)} us/invoke (p50); overhead ${us(r.overheadNs)} us [${us(r.overheadCi[0])}, ${us(r.overheadCi[1])}]`)
      console.log(`in process: ipcflow / pure-JS ${x(r.ratios.inProcess)}; short text ${x(r.ratios.inProcessShort)}`)
      console.log(`via ipcMain: ipcflow / pure-JS ${x(r.ratios.ipc)}; short text ${x(r.ratios.ipcShort)}`)
    },
    (error) => {
      console.error(error)
      process.exitCode = 1
    },
  )
}
