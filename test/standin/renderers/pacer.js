'use strict'
// A renderer using the client's pacing listeners (renderer/latest.ts).
//   options: { latest?: string, delayMs?: number, failOn?: unknown, batch?: string }
//   onLatest(latest): a slow async listener (delayMs) recording each payload it ran with and the
//     most calls it saw running at once; it rejects for the payload `failOn`.
//   onBatch(batch): records each array it was given.
//   request('dump') -> { latest: [payload], maxRunning, batches: [[payload]], errors: [message] }
const { createRendererClient } = require('../../../renderer/dist/index.js')

module.exports = async (ipcRenderer, _report, options = {}) => {
  const latest = []
  const batches = []
  const errors = []
  let running = 0
  let maxRunning = 0
  const client = createRendererClient(ipcRenderer, {
    onListenerError: (err, channel) => errors.push(`${channel}: ${String(err && err.message)}`),
  })
  if (options.latest) {
    client.onLatest(options.latest, async (payload) => {
      running++
      maxRunning = Math.max(maxRunning, running)
      latest.push(payload)
      await new Promise((resolve) => setTimeout(resolve, options.delayMs || 50))
      running--
      if (payload === options.failOn) throw new Error(`failed on ${payload}`)
    })
  }
  if (options.batch) client.onBatch(options.batch, (payloads) => batches.push(payloads))
  return {
    onRequest(kind) {
      if (kind === 'dump') return { latest, maxRunning, batches, errors }
      throw new Error(`unknown request '${kind}'`)
    },
  }
}
