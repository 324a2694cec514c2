'use strict'
// Runs inside the stand-in's renderer (a forked child or a worker thread):
// builds an ipcRenderer with Electron's renderer shapes, loads the renderer
// script and talks to the main side. Protocol: see the top of index.js.
const { EventEmitter } = require('events')
const { isMainThread, parentPort } = require('worker_threads')

const post = isMainThread ? (m) => process.send(m) : (m) => parentPort.postMessage(m)
const port = isMainThread ? process : parentPort

const errorData = (err) => ({ message: String(err && err.message !== undefined ? err.message : err), stack: err && err.stack })

function report(kind, data) {
  try {
    post({ t: 'report', kind, data })
  } catch (err) {
    post({ t: 'report', kind: 'report-error', data: { kind, ...errorData(err) } })
  }
}

// A renderer page survives its own uncaught errors; tell main instead of dying.
process.on('uncaughtException', (err) => report('uncaught', errorData(err)))
process.on('unhandledRejection', (err) => report('unhandledrejection', errorData(err)))
// The main side went away (killed jest, crashed): do not linger.
if (isMainThread) process.on('disconnect', () => process.exit(0))

class IpcRenderer extends EventEmitter {
  constructor() {
    super()
    this._nextInvoke = 1
    this._invokes = new Map()
  }

  send(channel, ...args) {
    this._post({ t: 'send', channel, args })
  }

  invoke(channel, ...args) {
    const id = this._nextInvoke++
    return new Promise((resolve, reject) => {
      this._invokes.set(id, { channel, resolve, reject })
      try {
        this._post({ t: 'invoke', id, channel, args })
      } catch (err) {
        this._invokes.delete(id)
        reject(err)
      }
    })
  }

  _post(msg) {
    if (typeof msg.channel !== 'string') throw new Error('Missing required channel argument')
    try {
      post(msg)
    } catch (err) {
      throw new Error('An object could not be cloned.', { cause: err }) // Electron's wording
    }
  }

  _reply(m) {
    const pending = this._invokes.get(m.id)
    if (!pending) return
    this._invokes.delete(m.id)
    if ('error' in m) pending.reject(new Error(`Error invoking remote method '${pending.channel}': ${m.error}`))
    else pending.resolve(m.result)
  }
}

const ipcRenderer = new IpcRenderer()
const event = { sender: ipcRenderer, senderId: 0, ports: [] }
let onRequest

function deliver(channel, args) {
  if (channel === 'error' && ipcRenderer.listenerCount('error') === 0) return // EventEmitter would throw
  try {
    ipcRenderer.emit(channel, event, ...args)
  } catch (err) {
    report('uncaught', errorData(err))
  }
}

async function start(m) {
  try {
    const mod = require(m.renderer)
    const main = typeof mod === 'function' ? mod : mod.default
    if (typeof main !== 'function') throw new Error(`${m.renderer} exports no function`)
    const result = await main(ipcRenderer, report, m.options)
    onRequest = (result && result.onRequest) || mod.onRequest
    post({ t: 'up' })
  } catch (err) {
    post({ t: 'up', error: errorData(err) })
  }
}

async function answer(m) {
  try {
    if (typeof onRequest !== 'function') throw new Error('the renderer script has no onRequest handler')
    const result = await onRequest(m.kind, m.data)
    try {
      post({ t: 'reply', id: m.id, result })
    } catch (err) {
      post({ t: 'reply', id: m.id, error: errorData(err) })
    }
  } catch (err) {
    post({ t: 'reply', id: m.id, error: errorData(err) })
  }
}

port.on('message', (m) => {
  switch (m.t) {
    case 'msg': return deliver(m.channel, m.args)
    case 'invoke-reply': return ipcRenderer._reply(m)
    case 'request': return void answer(m)
    case 'init': return void start(m)
  }
})
