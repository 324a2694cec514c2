'use strict'
// What travels between the renderer client and the registry (structured
// clone values only). The renderer client calls
//   ipcRenderer.invoke(channel, { ipcflow: 'invoke', v: 1, id, args })
// where `id` is a string unique per client (random client prefix + counter)
// and `args` the argument list; on abort it sends
//   ipcRenderer.send('ipcflow:cancel', id)
// Main keys in-flight requests by sender id + request id, so a renderer can
// only cancel its own. A call whose arguments are not exactly one such
// request object is a plain `ipcRenderer.invoke(channel, ...args)`: served
// the same way, just not cancellable.
const CANCEL_CHANNEL = 'ipcflow:cancel'
const REQUEST_MARK = 'invoke'
const REQUEST_VERSION = 1
const MAX_ID_LENGTH = 128

function isRequest(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  if (value.ipcflow !== REQUEST_MARK || value.v !== REQUEST_VERSION) return false
  const { id, args } = value
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || !Array.isArray(args)) return false
  return Object.keys(value).length === 4
}

/** `{ id, args }` from the raw arguments ipcMain.handle received. */
function unwrap(raw) {
  if (raw.length === 1 && isRequest(raw[0])) return { id: raw[0].id, args: raw[0].args }
  return { id: undefined, args: raw }
}

function cancelKey(senderId, id) {
  return senderId === undefined || id === undefined ? undefined : `${senderId}\u0000${id}`
}

module.exports = { CANCEL_CHANNEL, REQUEST_MARK, REQUEST_VERSION, unwrap, cancelKey, isRequest }
