'use strict'
// Benchmark renderer: receives through the ipcflow renderer client (frames or
// direct sends alike) and measures delivery latency against main's clock.
const { createRendererClient } = require('../renderer/dist/index.js')
const { threadCpuNs, monotonicOrigin } = require('./stats')

module.exports = async (ipcRenderer, _report, options) => {
  // A main-process performance.now() time plus this is the same instant on this process's clock.
  const fromMain = options.mainMonotonicOrigin - monotonicOrigin()
  let latencies = []
  let received = 0
  let cpuAtReset = threadCpuNs()
  const client = createRendererClient(ipcRenderer, { announceReady: options.announceReady === true })
  const onMessage = (payload) => {
    received++
    if (payload && typeof payload.t === 'number') {
      latencies.push(performance.now() - (payload.t + fromMain))
    }
  }
  for (const channel of options.channels) client.on(channel, onMessage)
  return {
    onRequest(kind, data) {
      if (kind === 'count') return received
      if (kind === 'block') {
        // A renderer too busy to read its IPC (a long task, a hung page).
        const until = Date.now() + data
        while (Date.now() < until);
        return true
      }
      if (kind === 'reset') {
        latencies = []
        received = 0
        cpuAtReset = threadCpuNs()
        return true
      }
      if (kind === 'stats') {
        const sorted = Float64Array.from(latencies).sort()
        const at = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0)
        // The renderer thread's CPU since reset: deserialising, dispatching and this bench's few polls.
        const stats = { received, p50: at(50), p99: at(99), gapCount: client.getStats().gaps, cpuNs: threadCpuNs() - cpuAtReset }
        // Every latency, for a caller that pools them across runs (data: { latencies: true }).
        if (data?.latencies === true) stats.latencies = Array.from(sorted)
        return stats
      }
      throw new Error(`unknown request ${kind}`)
    },
  }
}
