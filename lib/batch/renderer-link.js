'use strict'
// BatchManager.attach(ipcMain): listens for renderer clients announcing
// themselves (READY_CHANNEL) and acknowledging frames (ACK_CHANNEL), and hands
// each to the owner. Listeners never throw into ipcMain's emit.
const { READY_CHANNEL, ACK_CHANNEL } = require('../protocol')
const { invalidArgument } = require('../errors')

class RendererLink {
  /** `owner`: { ready(sender, info), ack(sender, stream, seq), report(error) } */
  constructor(owner) {
    this.owner = owner
    this.ipcMain = undefined
    this.onReady = (event, info) => {
      try {
        if (event && event.sender && typeof event.sender.send === 'function') owner.ready(event.sender, info)
      } catch (error) {
        owner.report(error)
      }
    }
    this.onAck = (event, stream, seq) => {
      try {
        if (event && event.sender) owner.ack(event.sender, stream, seq)
      } catch (error) {
        owner.report(error)
      }
    }
  }

  attach(ipcMain) {
    if (ipcMain === null || typeof ipcMain !== 'object' || typeof ipcMain.on !== 'function' || typeof ipcMain.removeListener !== 'function') {
      throw invalidArgument('ipcMain', 'an object with on() and removeListener()', ipcMain)
    }
    this.detach()
    this.ipcMain = ipcMain
    ipcMain.on(READY_CHANNEL, this.onReady)
    ipcMain.on(ACK_CHANNEL, this.onAck)
  }

  detach() {
    if (this.ipcMain === undefined) return
    this.ipcMain.removeListener(READY_CHANNEL, this.onReady)
    this.ipcMain.removeListener(ACK_CHANNEL, this.onAck)
    this.ipcMain = undefined
  }
}

module.exports = { RendererLink }
