'use strict'
// A stand-in renderer (test/standin) running the ipcflow renderer client (which
// answers heartbeat pings) that main can hang for as long as a test needs:
//   request('hang', file) -> true once `file` exists; until then the renderer's
//   thread busy-waits, reading no IPC (a hung window), however long that takes.
const fs = require('fs')
const { createRendererClient } = require('../../renderer/dist/index.js')

module.exports = async (ipcRenderer) => {
  createRendererClient(ipcRenderer, { announceReady: true })
  return {
    onRequest(kind, data) {
      if (kind !== 'hang') throw new Error(`unknown request '${kind}'`)
      while (!fs.existsSync(data));
      return true
    },
  }
}
