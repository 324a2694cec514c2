'use strict'
// A renderer that uses ipcRenderer directly (no ipcflow client): records every
// message on `options.channels` and lets main drive it through requests:
//   request('dump') -> [{ channel, args }]   request('clear')
//   request('send', { channel, args, uncloneable? }) -> { ok } or { ok: false, message }
//     (uncloneable: true appends a function, which cannot cross IPC)
//   request('invoke', { channel, args })     -> { ok, value } or { ok: false, message }
module.exports = async (ipcRenderer, report, options = {}) => {
  let received = []
  for (const channel of options.channels || []) {
    ipcRenderer.on(channel, (event, ...args) => {
      received.push({ channel, args })
      if (options.reportEach) report('message', { channel, args })
    })
  }
  return {
    async onRequest(kind, data) {
      switch (kind) {
        case 'dump': return received
        case 'clear': received = []; return true
        case 'send':
          try {
            ipcRenderer.send(data.channel, ...data.args, ...(data.uncloneable ? [() => {}] : []))
            return { ok: true }
          } catch (err) {
            return { ok: false, message: err.message }
          }
        case 'invoke':
          try {
            return { ok: true, value: await ipcRenderer.invoke(data.channel, ...data.args) }
          } catch (err) {
            return { ok: false, message: err.message }
          }
        default: throw new Error(`unknown request '${kind}'`)
      }
    },
  }
}
