'use strict'
// A renderer that reads client.stream step by step, as main's test asks:
//   request('open', { name, channel, args }) -> opens (the first read sends the request)
//   request('read', { name, chunks }) -> reads that many chunks (or to the end)
//     -> { chunks, items, lastIndex, sum, last, done, error? }
//   request('drain', { name }) -> reads to the end, same answer
//   request('break', { name }) -> leaves the loop (iterator.return())
//   request('abort', { name }) -> aborts the stream's signal
//   request('dispose') -> client.dispose()
//   request('timed', { channel, args, itemCostUs }) -> drains a stream, busy for itemCostUs per item read
//     -> { items, ms }
//   request('count', { channel, n, itemCostUs }) -> counts n plain sends on channel (busy per item) -> { items, ms }
const { createRendererClient, isIpcError } = require('../../../renderer/dist/index.js')

module.exports = async (ipcRenderer) => {
  const client = createRendererClient(ipcRenderer, { announceReady: false })
  const open = new Map()
  const read = async (s, max) => {
    let n = 0
    try {
      while (n < max) {
        const r = await s.it.next()
        if (r.done) {
          s.done = true
          break
        }
        n++
        const c = r.value
        s.chunks++
        s.items += c.items.length
        s.lastIndex = c.index
        for (const item of c.items) s.sum += typeof item === 'number' ? item : 0
        s.last = { index: c.index, itemsSoFar: c.itemsSoFar, total: c.total, percentage: c.percentage, size: c.items.length }
      }
    } catch (err) {
      s.done = true
      s.error = { code: err && err.code, message: String(err && err.message), details: err && err.details, isIpcError: isIpcError(err) }
    }
    const { chunks, items, lastIndex, sum, last, done, error } = s
    return { chunks, items, lastIndex, sum, last, done, error }
  }
  const busy = (us) => {
    const end = performance.now() + us / 1000
    while (performance.now() < end) {
      // a renderer slower than main's producer
    }
  }
  return {
    async onRequest(kind, data) {
      switch (kind) {
        case 'open': {
          const controller = new AbortController()
          const iterable = client.stream(data.channel, data.args || [], { signal: controller.signal })
          open.set(data.name, { it: iterable[Symbol.asyncIterator](), controller, chunks: 0, items: 0, lastIndex: -1, sum: 0, last: undefined, done: false })
          return true
        }
        case 'read': return read(open.get(data.name), data.chunks)
        case 'drain': return read(open.get(data.name), Infinity)
        case 'break': {
          await open.get(data.name).it.return()
          return true
        }
        case 'dispose': {
          client.dispose()
          return true
        }
        case 'abort': {
          open.get(data.name).controller.abort()
          return true
        }
        case 'timed': {
          const started = performance.now()
          let items = 0
          for await (const chunk of client.stream(data.channel, data.args || [])) {
            items += chunk.items.length
            if (data.itemCostUs) busy(data.itemCostUs * chunk.items.length)
          }
          return { items, ms: performance.now() - started }
        }
        case 'count': {
          const started = performance.now()
          return new Promise((resolve) => {
            let items = 0
            const on = () => {
              items++
              if (data.itemCostUs) busy(data.itemCostUs)
              if (items === data.n) {
                ipcRenderer.removeListener(data.channel, on)
                resolve({ items, ms: performance.now() - started })
              }
            }
            ipcRenderer.on(data.channel, on)
          })
        }
        default: throw new Error(`unknown request '${kind}'`)
      }
    },
  }
}
