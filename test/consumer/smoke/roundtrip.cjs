'use strict'
// One message main -> renderer through BatchManager and one request renderer -> main
// through HandlerRegistry, over the Electron stand-in (a forked renderer process).
// `ipcflow` is whichever copy the caller imported; the stand-in comes from the repo.
const path = require('path')

module.exports = async function roundtrip(ipcflow, standinPath) {
  const { createWindow, IpcMain } = require(standinPath)
  const { BatchManager, HandlerRegistry } = ipcflow
  const ipcMain = new IpcMain()
  const batcher = new BatchManager({ holdUntilReady: true })
  batcher.attach(ipcMain)
  const registry = new HandlerRegistry()
  registry.register('smoke:add', (n) => n.a + n.b, {
    schema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
  })
  registry.attach(ipcMain)
  const win = await createWindow({ renderer: path.join(__dirname, 'renderer.cjs'), ipcMain })
  try {
    batcher.addMessage('smoke:token', { text: 'hello', n: 1 }, win.webContents)
    batcher.addMessage('smoke:token', { text: 'world', n: 2 }, win.webContents)
    const second = await win.waitForReport('token', (t) => t.n === 2, 10000)
    const tokens = win.reports.filter((r) => r.kind === 'token').map((r) => r.data.text)
    const sum = await win.request('invoke', { channel: 'smoke:add', args: [{ a: 2, b: 3 }] })
    const invalid = await win.request('invoke', { channel: 'smoke:add', args: [{ a: 'x' }] })
    return { tokens, last: second.text, sum, invalid, framesOut: batcher.getMetrics().framesOut }
  } finally {
    await batcher.close()
    await registry.close()
    await win.close()
  }
}
