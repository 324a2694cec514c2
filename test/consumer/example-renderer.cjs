'use strict'
// Stand-in renderer for examples/electron-app: runs the example's compiled preload
// (options.preload) with a fake 'electron' module (written by the test next to the
// compiled files) and drives the API it exposed on contextBridge, as the page does.
module.exports = async (ipcRenderer, report, options) => {
  global.__ipcflowExample = { ipcRenderer, exposed: {} }
  require(options.preload)
  const api = global.__ipcflowExample.exposed.agent
  if (api === undefined) throw new Error('the preload exposed no `agent` API')
  const tokens = new Map() // runId -> tokens, in arrival order
  api.onToken((token) => {
    if (!tokens.has(token.runId)) tokens.set(token.runId, [])
    tokens.get(token.runId).push(token)
  })
  api.onState((state) => {
    if (state.status !== 'running') report('finished', state)
  })
  return {
    async onRequest(kind, data) {
      switch (kind) {
        case 'start': return api.start(data.prompt, data.tokens)
        case 'stop': return api.stop(data)
        case 'search': return api.search(data)
        case 'tokens': {
          const list = tokens.get(data) || []
          return { count: list.length, inOrder: list.every((t, i) => t.seq === i), first: list[0], stats: api.stats() }
        }
        default: throw new Error(`unknown request '${kind}'`)
      }
    },
  }
}
