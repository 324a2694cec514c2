'use strict'
// The one reply shape (Envelope in renderer/protocol.ts) and the mapping from whatever a handler
// threw to `{ code, message, details }` that survives structured clone.
const { IpcError, describe } = require('../../errors')

// Codes a handler may set on its own errors and have kept: ours and the
// app's, all `E_` + upper case. Node's `ENOENT` / `ERR_*` are not ours:
// they become E_HANDLER with the original code in details.cause.
const KEPT_CODE = /^E_[A-Z0-9_]{1,60}$/

function ok(data, start) {
  return { success: true, data, metadata: { executionTimeMs: performance.now() - start, cached: false } }
}

function fail(error, start) {
  return {
    success: false,
    error: { code: error.code, message: error.message, details: error.details },
    metadata: { executionTimeMs: performance.now() - start },
  }
}

/** Turns anything thrown by a handler into an IpcError-shaped `{ code, message, details }`. */
function fromThrown(thrown, channel) {
  try {
    return readThrown(thrown, channel)
  } catch {
    // a Proxy or getter on the thrown value threw in turn
    return new IpcError('E_HANDLER', `Handler for '${channel}' threw a value that could not be read`, { channel })
  }
}

function readThrown(thrown, channel) {
  // Duck-typed, not instanceof: errors from other realms (vm, jest) count too.
  const isErrorLike = thrown !== null && typeof thrown === 'object' && typeof thrown.message === 'string'
  if (!isErrorLike) {
    const message = typeof thrown === 'string' ? thrown : `Handler for '${channel}' threw a non-Error value (${describe(thrown)})`
    return new IpcError('E_HANDLER', message, { channel })
  }
  const code = ownString(thrown, 'code')
  if (code !== undefined && KEPT_CODE.test(code)) {
    return new IpcError(code, thrown.message, cloneableDetails(thrown.details))
  }
  const details = { channel }
  if (code !== undefined) details.cause = { code }
  return new IpcError('E_HANDLER', thrown.message, details)
}

function ownString(object, key) {
  try {
    const d = Object.getOwnPropertyDescriptor(object, key)
    return d !== undefined && typeof d.value === 'string' ? d.value : undefined
  } catch {
    return undefined // a Proxy can throw from a trap
  }
}

// Only on the error path: details that structured clone rejects would turn
// the whole reply into Electron's generic "could not be cloned".
function cloneableDetails(details) {
  if (details === null || typeof details !== 'object') return {}
  try {
    return structuredClone(details)
  } catch {
    return { detailsDropped: 'the error details could not be cloned' }
  }
}

module.exports = { ok, fail, fromThrown }
