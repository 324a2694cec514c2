'use strict'
// A stand-in renderer (test/standin) like renderers/recorder.js (the ipcflow
// renderer client records what it dispatches on `options.channels`, answers
// heartbeat pings and acknowledges frames) that main can hang for exactly as
// long as a test needs, instead of for a fixed time:
//   request('dump') -> { messages, gaps, errors, stats }   request('clear') -> true
//   request('hang', { hung?, release }) -> true once the file `release` exists.
//     Until then the renderer's thread busy-waits, reading no IPC (a hung
//     window). It first writes the file `hung` (if given), synchronously, so
//     main knows the renderer is hung before it goes on.
const fs = require('fs')
const { createRendererClient } = require('../../renderer/dist/index.js')

module.exports = async (ipcRenderer, report, options = {}) => {
  let messages = []
  let gaps = []
  let errors = []
  const client = createRendererClient(ipcRenderer, {
    announceReady: options.announceReady !== false,
    onGap: (info) => gaps.push(info),
    onListenerError: (err, channel) => errors.push({ channel, message: String(err && err.message) }),
  })
  for (const channel of options.channels || []) client.on(channel, (payload) => messages.push({ channel, payload }))
  return {
    onRequest(kind, data) {
      switch (kind) {
        case 'dump': return { messages, gaps, errors, stats: client.getStats() }
        case 'clear': messages = []; gaps = []; errors = []; return true
        case 'hang': {
          const { hung, release } = typeof data === 'string' ? { release: data } : data
          if (hung !== undefined) fs.writeFileSync(hung, '')
          while (!fs.existsSync(release));
          return true
        }
        default: throw new Error(`unknown request '${kind}'`)
      }
    },
  }
}
