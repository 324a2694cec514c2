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

const PER_CALL = 200

async function runRegistryBench({ time = 1500, warmupTime = 300 } = {}) {
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
  const bench = new Bench({ time, warmupTime })
  bench
    .add('handler directly', async () => {
      for (let i = 0; i < PER_CALL; i++) sink += await handler(payload, direct)
    })
    .add('registry.invoke', async () => {
      for (let i = 0; i < PER_CALL; i++) {
        const envelope = await registry.invoke('bench:msg', [payload], ctx)
        if (!envelope.success) throw new Error(`bench invoke failed: ${envelope.error.code} ${envelope.error.message}`)
        sink += envelope.data
      }
    })
    .add('pure-JS registry', async () => {
      for (let i = 0; i < PER_CALL; i++) {
        const envelope = await js.invoke('bench:msg', [payload], ctx)
        if (!envelope.success) throw new Error(`bench invoke failed: ${envelope.error.code} ${envelope.error.message}`)
        sink += envelope.data
      }
    })
    .add('registry.invoke, short text', async () => {
      for (let i = 0; i < PER_CALL; i++) sink += (await registry.invoke('bench:msg', [short], ctx)).data
    })
    .add('pure-JS registry, short text', async () => {
      for (let i = 0; i < PER_CALL; i++) sink += (await js.invoke('bench:msg', [short], ctx)).data
    })
    .add('registry via ipcMain', async () => {
      for (let i = 0; i < PER_CALL; i++) sink += (await viaIpc(event, payload)).data
    })
    .add('pure-JS registry via ipcMain', async () => {
      for (let i = 0; i < PER_CALL; i++) sink += (await jsViaIpc(event, payload)).data
    })
    .add('registry via ipcMain, short text', async () => {
      for (let i = 0; i < PER_CALL; i++) sink += (await viaIpc(event, short)).data
    })
    .add('pure-JS registry via ipcMain, short text', async () => {
      for (let i = 0; i < PER_CALL; i++) sink += (await jsViaIpc(event, short)).data
    })
  await bench.run()
  await registry.close()
  const ns = (name) => {
    const task = bench.getTask(name)
    if (task.result.error) throw task.result.error
    return (task.result.latency.p50 * 1e6) / PER_CALL
  }
  const directNs = ns('handler directly')
  const registryNs = ns('registry.invoke')
  if (sink === 0) throw new Error('unreachable: keeps the handler results alive')
  return {
    directNs,
    registryNs,
    overheadNs: registryNs - directNs,
    jsRegistryNs: ns('pure-JS registry'),
    shortNs: ns('registry.invoke, short text'),
    jsShortNs: ns('pure-JS registry, short text'),
    ipcNs: ns('registry via ipcMain'),
    jsIpcNs: ns('pure-JS registry via ipcMain'),
    ipcShortNs: ns('registry via ipcMain, short text'),
    jsIpcShortNs: ns('pure-JS registry via ipcMain, short text'),
  }
}

module.exports = { runRegistryBench }

if (require.main === module) {
  runRegistryBench().then(
    (r) => {
      const us = (n) => (n / 1000).toFixed(2)
      console.log(`handler directly: ${us(r.directNs)} us/invoke (p50)`)
      console.log(`registry.invoke:  ${us(r.registryNs)} us/invoke (p50)`)
      console.log(`overhead:         ${us(r.overheadNs)} us/invoke (target <= 5 us: ${r.overheadNs <= 5000 ? 'met' : 'missed'})`)
      console.log(`pure-JS registry: ${us(r.jsRegistryNs)} us/invoke; ipcflow / pure-JS ${(r.registryNs / r.jsRegistryNs).toFixed(2)}x`)
      console.log(`short text: ipcflow ${us(r.shortNs)} us, pure-JS ${us(r.jsShortNs)} us; ${(r.shortNs / r.jsShortNs).toFixed(2)}x`)
      console.log(`via ipcMain: ipcflow ${us(r.ipcNs)} us, pure-JS ${us(r.jsIpcNs)} us; ${(r.ipcNs / r.jsIpcNs).toFixed(2)}x`)
      console.log(`via ipcMain, short text: ipcflow ${us(r.ipcShortNs)} us, pure-JS ${us(r.jsIpcShortNs)} us; ${(r.ipcShortNs / r.jsIpcShortNs).toFixed(2)}x`)
    },
    (error) => {
      console.error(error)
      process.exitCode = 1
    },
  )
}
