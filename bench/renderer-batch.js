'use strict'
// Renderer for bench/registry-batch.js: makes N calls in one tick three ways
// and reports IPC messages (ipcRenderer.invoke calls) and per-call latency.
//   request('run', { variant: 'plain' | 'batched' | 'dataloader', n }) -> { messages, latencies, errors }
const DataLoader = require('dataloader')
const { createRendererClient } = require('../renderer/dist/index.js')

module.exports = async (ipcRenderer) => {
  let messages = 0
  const counted = {
    on: ipcRenderer.on.bind(ipcRenderer),
    removeListener: ipcRenderer.removeListener.bind(ipcRenderer),
    send: ipcRenderer.send.bind(ipcRenderer),
    invoke: (...args) => {
      messages++
      return ipcRenderer.invoke(...args)
    },
  }
  const client = createRendererClient(counted, { announceReady: false, batchChannels: ['bench:batched'] })
  const loader = () =>
    new DataLoader(async (keys) => {
      const envelope = await counted.invoke('bench:many', [...keys])
      return envelope.success ? envelope.data : keys.map(() => new Error(envelope.error.message))
    }, { cache: false, maxBatchSize: 1000 })
  return {
    async onRequest(kind, data) {
      if (kind !== 'run') throw new Error(`unknown request '${kind}'`)
      const { variant, n } = data
      messages = 0
      const latencies = new Array(n)
      let errors = 0
      const dl = variant === 'dataloader' ? loader() : undefined
      const one = async (i) => {
        const t = performance.now()
        try {
          if (variant === 'plain') await client.invoke('bench:plain', i)
          else if (variant === 'batched') await client.invoke('bench:batched', i)
          else await dl.load(i)
        } catch {
          errors++
        }
        latencies[i] = performance.now() - t
      }
      await Promise.all(Array.from({ length: n }, (_, i) => one(i)))
      return { messages, latencies, errors }
    },
  }
}
