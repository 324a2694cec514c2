'use strict'
// Request batching (README "Request batching"):
// - in process: 1,000 invokes of a batch channel vs 1,000 of a plain one
//   (handler invocations, main-thread CPU per call);
// - through a renderer process: 1,000 calls made in one renderer tick, as
//   plain invokes, through the client's request batching, and with DataLoader
//   wrapping ipcRenderer.invoke (an array channel): IPC messages, p50/p99
//   latency per call, main-thread CPU per call.
const path = require('path')
const { HandlerRegistry } = require('..')
const { IpcMain, createWindow } = require('../test/standin')
const { median } = require('./stats')

const N = 1000
const ROUNDS = Number(process.env.BENCH_BATCH_ROUNDS || 15)

const pct = (list, p) => {
  const s = [...list].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
const cpuUs = (from) => {
  const d = process.cpuUsage(from)
  return d.user + d.system
}

async function inProcess() {
  const registry = new HandlerRegistry()
  let batchedCalls = 0
  let plainCalls = 0
  registry.register('batched', (keys) => {
    batchedCalls++
    return keys.map((k) => k * 2)
  }, { batch: { maxSize: N } })
  registry.register('plain', (k) => {
    plainCalls++
    return k * 2
  })
  const run = async (channel) => {
    const cpu = process.cpuUsage()
    await Promise.all(Array.from({ length: N }, (_, i) => registry.invoke(channel, [i])))
    return cpuUs(cpu) / N
  }
  for (let i = 0; i < 100; i++) {
    await run('batched')
    await run('plain')
  }
  batchedCalls = 0
  plainCalls = 0
  const b = []
  const p = []
  for (let r = 0; r < ROUNDS; r++) {
    b.push(await run('batched'))
    p.push(await run('plain'))
  }
  await registry.close()
  return { batched: { handlerCalls: batchedCalls / ROUNDS, cpuUsPerCall: median(b) }, plain: { handlerCalls: plainCalls / ROUNDS, cpuUsPerCall: median(p) } }
}

async function throughRenderer() {
  const ipcMain = new IpcMain()
  const registry = new HandlerRegistry()
  const double = (k) => k * 2
  registry.register('bench:plain', double)
  registry.register('bench:batched', (keys) => keys.map(double), { batch: { maxSize: N } })
  registry.register('bench:many', (keys) => keys.map(double))
  registry.attach(ipcMain)
  const win = await createWindow({ kind: 'process', renderer: path.join(__dirname, 'renderer-batch.js'), ipcMain })
  const out = {}
  try {
    for (let i = 0; i < 5; i++) for (const variant of ['plain', 'batched', 'dataloader']) await win.request('run', { variant, n: N }, 60_000) // warm-up
    const runs = { plain: [], batched: [], dataloader: [] }
    for (let r = 0; r < ROUNDS; r++) {
      for (const variant of Object.keys(runs)) {
        const cpu = process.cpuUsage()
        const res = await win.request('run', { variant, n: N }, 60_000)
        runs[variant].push({ cpu: cpuUs(cpu) / N, messages: res.messages, p50: pct(res.latencies, 50), p99: pct(res.latencies, 99), errors: res.errors })
      }
    }
    for (const [variant, list] of Object.entries(runs)) {
      out[variant] = {
        messages: median(list.map((x) => x.messages)),
        p50: median(list.map((x) => x.p50)),
        p99: median(list.map((x) => x.p99)),
        cpuUsPerCall: median(list.map((x) => x.cpu)),
        errors: list.reduce((n, x) => n + x.errors, 0),
      }
    }
  } finally {
    await registry.close()
    await win.close()
  }
  return out
}

async function runRegistryBatchBench() {
  return { inProcess: await inProcess(), renderer: await throughRenderer() }
}

function registryBatchMarkdown(r) {
  const f = (x, d = 1) => x.toFixed(d)
  const { batched, plain } = r.inProcess
  const rows = Object.entries(r.renderer).map(([v, x]) => `| ${v} | ${x.messages} | ${f(x.p50, 2)} / ${f(x.p99, 2)} | ${f(x.cpuUsPerCall, 2)} | ${x.errors} |`)
  return [
    '## Request batching',
    '',
    `In process, ${N} invokes started at once (median of ${ROUNDS}): batch channel ${batched.handlerCalls} handler call(s), ${f(batched.cpuUsPerCall, 2)} us CPU per call;`,
    `plain channel ${plain.handlerCalls} handler calls, ${f(plain.cpuUsPerCall, 2)} us CPU per call.`,
    '',
    `Through a renderer process, ${N} calls made in one renderer tick (median of ${ROUNDS} rounds):`,
    '',
    '| variant | IPC messages (renderer -> main) | latency per call p50 / p99 (ms) | main CPU per call (us) | errors |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'plain: `client.invoke` on a plain channel; batched: the same calls on a `batch` channel (one message per tick);',
    'dataloader: DataLoader in the renderer wrapping `ipcRenderer.invoke` of a channel that takes the key array.',
    '',
  ].join('\n')
}

module.exports = { runRegistryBatchBench, registryBatchMarkdown }

if (require.main === module) {
  runRegistryBatchBench().then((r) => console.log(registryBatchMarkdown(r)), (e) => {
    console.error(e)
    process.exitCode = 1
  })
}
