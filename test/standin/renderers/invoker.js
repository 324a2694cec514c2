'use strict'
// A renderer that calls a main-side HandlerRegistry through the ipcflow client.
//   request('invoke', { channel, args, timeoutMs?, abortAfterMs?, hostile? })
//     -> { ok: true, value, elapsedMs } | { ok: false, error: { name, code, message, details, isIpcError }, elapsedMs }
//     hostile: { kind, ... } builds the first argument here, in the renderer (see make())
//   request('raw', { channel, args, hostile? }) -> what ipcRenderer.invoke returned (the envelope), or { thrown }
//   request('many', { calls: [{ channel, args, timeoutMs? }] }) -> results in order, started at once
//   request('stats') -> client.getStats()
const { createRendererClient, isIpcError } = require('../../../renderer/dist/index.js')

function make(spec) {
  switch (spec.kind) {
    case 'deep': {
      const root = {}
      let node = root
      for (let i = 0; i < spec.depth; i++) node = node.a = {}
      return root
    }
    case 'deepArray': {
      let node = []
      for (let i = 0; i < spec.depth; i++) node = [node]
      return node
    }
    case 'proto': return JSON.parse('{"q":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')
    case 'huge': return { q: 'x'.repeat(spec.length) }
    case 'cycle': {
      const o = { q: 'x' }
      o.self = o
      return o
    }
    case 'map': return new Map([['q', 'x']])
    case 'bigint': return { q: 10n }
    case 'date': return { q: new Date(0) }
    case 'wide': return Object.fromEntries(Array.from({ length: spec.keys }, (_, i) => [`k${i}`, i]))
    default: throw new Error(`unknown hostile kind ${spec.kind}`)
  }
}

const describeError = (err) => ({
  name: err && err.name,
  code: err && err.code,
  message: String(err && err.message),
  details: err && err.details,
  isIpcError: isIpcError(err),
})

module.exports = async (ipcRenderer) => {
  const client = createRendererClient(ipcRenderer, { announceReady: false })
  const call = async ({ channel, args = [], timeoutMs, abortAfterMs, hostile }) => {
    const list = hostile ? [make(hostile), ...args] : args
    const controller = abortAfterMs === undefined ? undefined : new AbortController()
    if (controller) setTimeout(() => controller.abort(), abortAfterMs)
    const started = Date.now()
    try {
      const value = await client.invokeWithOptions(channel, list, { signal: controller && controller.signal, timeoutMs })
      return { ok: true, value, elapsedMs: Date.now() - started }
    } catch (err) {
      return { ok: false, error: describeError(err), elapsedMs: Date.now() - started }
    }
  }
  return {
    async onRequest(kind, data) {
      switch (kind) {
        case 'invoke': return call(data)
        case 'many': return Promise.all(data.calls.map(call))
        case 'stats': return client.getStats()
        case 'raw':
          try {
            const args = data.hostile ? [make(data.hostile), ...(data.args || [])] : data.args || []
            return await ipcRenderer.invoke(data.channel, ...args)
          } catch (err) {
            return { thrown: String(err && err.message) }
          }
        default: throw new Error(`unknown request '${kind}'`)
      }
    },
  }
}
