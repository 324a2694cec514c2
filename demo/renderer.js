'use strict'
// The demo's renderer: one ipcflow renderer client, the same code whether main
// batches or not. It rebuilds the agent's transcript and keeps the latest state.
const { createRendererClient } = require('../renderer/dist/index.js')
const { monotonicOrigin } = require('../bench/stats')

module.exports = async (ipcRenderer, _report, options) => {
  // A main-process performance.now() time plus this is the same instant on this process's clock.
  const fromMain = options.mainMonotonicOrigin - monotonicOrigin()
  const client = createRendererClient(ipcRenderer)
  let view
  const reset = () => {
    view = { transcript: '', tokens: 0, states: 0, lastState: null, progress: 0, errors: [], latencies: [] }
  }
  reset()
  const latency = (p) => view.latencies.push(performance.now() - (p.t + fromMain))
  client.on('agent:token', (p) => {
    view.transcript += p.text
    view.tokens++
    latency(p)
  })
  client.on('agent:state', (p) => {
    view.states++
    view.lastState = { step: p.step, tokens: p.tokens }
    latency(p)
  })
  client.on('agent:progress', (p) => {
    view.progress++
    latency(p)
  })
  client.on('agent:error', (p) => {
    view.errors.push(p.message)
    latency(p)
  })
  return {
    onRequest(kind) {
      if (kind === 'reset') return reset(), true
      if (kind === 'view') {
        const sorted = Float64Array.from(view.latencies).sort()
        const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : 0)
        return { ...view, latencies: undefined, received: sorted.length, p50: at(0.5), p99: at(0.99), stats: client.getStats() }
      }
      throw new Error(`unknown request ${kind}`)
    },
  }
}
