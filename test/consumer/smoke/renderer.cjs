'use strict'
// Stand-in renderer of the installed-package smoke test: uses `ipcflow/renderer`
// as resolved from the consumer project (its node_modules), never the repo.
const { createRendererClient } = require('ipcflow/renderer')

module.exports = async (ipcRenderer, report) => {
  const client = createRendererClient(ipcRenderer)
  client.on('smoke:token', (payload) => report('token', payload))
  return {
    async onRequest(kind, data) {
      if (kind !== 'invoke') throw new Error(`unknown request '${kind}'`)
      try {
        return { ok: true, value: await client.invoke(data.channel, ...data.args) }
      } catch (error) {
        return { ok: false, code: error.code, message: error.message }
      }
    },
  }
}
