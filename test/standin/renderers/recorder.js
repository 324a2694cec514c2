'use strict'
// A renderer that uses the ipcflow renderer client: records, in order, every
// message the client dispatches on `options.channels`, and every gap it reports.
//   options: { channels: string[], announceReady?: boolean, reportEach?: boolean }
//   request('dump')  -> { messages: [{ channel, payload }], gaps: [...], errors: [...], stats }
//   request('clear') -> true (forgets what was recorded; the client's stats stay)
//   request('block', ms) -> true after busy-waiting ms (a stalled renderer)
// Payloads are kept as the structured clone produced them (a Map stays a Map).
const { createRendererClient } = require('../../../renderer/dist/index.js')

module.exports = async (ipcRenderer, report, options = {}) => {
  let messages = []
  let gaps = []
  let errors = []
  const client = createRendererClient(ipcRenderer, {
    announceReady: options.announceReady !== false,
    onGap: (info) => {
      gaps.push(info)
      report('gap', info)
    },
    onListenerError: (err, channel) => errors.push({ channel, message: String(err && err.message) }),
  })
  for (const channel of options.channels || []) {
    client.on(channel, (payload) => {
      messages.push({ channel, payload })
      if (options.reportEach) report('message', { channel, payload })
    })
  }
  return {
    onRequest(kind, data) {
      switch (kind) {
        case 'dump': return { messages, gaps, errors, stats: client.getStats() }
        case 'clear': messages = []; gaps = []; errors = []; return true
        case 'block': { // a renderer too busy to read its IPC for `data` ms
          const until = Date.now() + data
          while (Date.now() < until);
          return true
        }
        default: throw new Error(`unknown request '${kind}'`)
      }
    },
  }
}
