'use strict'
// The main-side half of a window heartbeat: a probe that pings a webContents
// and resolves when its renderer client answers (renderer/protocol.ts, PING_CHANNEL).
const { PING_CHANNEL, PONG_CHANNEL, makePing, heartbeatId } = require('../protocol')
const { ClosedError, invalidArgument } = require('../errors')

/** A `probe` for HeartbeatMonitor: resolves when the window's renderer client answers a ping. */
function pingProbe(ipcMain, webContents) {
  if (ipcMain === null || typeof ipcMain !== 'object' || typeof ipcMain.on !== 'function') throw invalidArgument('ipcMain', 'an IpcMain', ipcMain)
  if (webContents === null || typeof webContents !== 'object' || typeof webContents.send !== 'function') {
    throw invalidArgument('webContents', 'a webContents-like object with send()', webContents)
  }
  // Only the newest ping is awaited: an older one already timed out in the
  // monitor, and keeping it would grow without bound while a window hangs.
  let waiting
  let nextId = 1
  const onPong = (event, value) => {
    if (event?.sender !== webContents || waiting === undefined) return
    if (heartbeatId(value, 'pong') !== waiting.id) return
    const { resolve } = waiting
    waiting = undefined
    resolve()
  }
  ipcMain.on(PONG_CHANNEL, onPong)
  const probe = () =>
    new Promise((resolve, reject) => {
      if (typeof webContents.isDestroyed === 'function' && webContents.isDestroyed()) {
        reject(new ClosedError('The window is destroyed', { webContentsId: webContents.id }))
        return
      }
      const id = nextId++
      waiting = { id, resolve }
      webContents.send(PING_CHANNEL, makePing(id))
    })
  probe.close = () => {
    ipcMain.removeListener(PONG_CHANNEL, onPong)
    waiting = undefined
  }
  return probe
}

module.exports = { pingProbe }
