'use strict'
/**
 * Electron stand-in for tests, benchmarks and the demo (no Electron binary here).
 * The renderer runs in a real child process (fork, serialization 'advanced') or
 * a worker thread, so every message crosses V8's structured clone, as in Electron.
 *
 *   const { createWindow, IpcMain } = require('./test/standin')
 *   const ipcMain = new IpcMain()               // shared: attach listeners before windows start
 *   const win = await createWindow({ renderer: require.resolve('./renderers/probe.js'), ipcMain,
 *                                    kind: 'process' | 'worker', rendererOptions, url })
 *   win.webContents.send('ch', payload)           // Electron's WebContents shapes
 *   await win.waitForReport('kind', (data) => ..) // reports: renderer called report(kind, data)
 *   await win.request('dump')                     // answered by the renderer script's onRequest
 *   await win.close()
 *
 * A renderer script exports `async (ipcRenderer, report, options) => ({ onRequest(kind, data) {} })`;
 * onRequest may instead be exported as `module.exports.onRequest`. The window is "up" once that
 * function's promise settled, so start long-running work without awaiting it.
 * Messages sent before the script subscribed are lost, as on a real page.
 *
 * Wire protocol (structured clone both ways):
 *   main -> renderer: {t:'init', renderer, options} {t:'msg', channel, args}
 *                     {t:'invoke-reply', id, result | error} {t:'request', id, kind, data}
 *   renderer -> main: {t:'up', error?} {t:'send', channel, args} {t:'invoke', id, channel, args}
 *                     {t:'report', kind, data} {t:'reply', id, result | error}
 */
const { fork } = require('child_process')
const { Worker } = require('worker_threads')
const { EventEmitter } = require('events')
const path = require('path')
const v8 = require('v8')

const RUNTIME = path.join(__dirname, 'renderer-runtime.js')
let nextWebContentsId = 1

/** Electron's IpcMain: EventEmitter for `send`, plus a handler table for `invoke`. */
class IpcMain extends EventEmitter {
  constructor() {
    super()
    this._handlers = new Map()
  }

  handle(channel, handler) {
    if (this._handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    if (typeof handler !== 'function') throw new Error(`Expected handler to be a function, but found type '${typeof handler}'`)
    this._handlers.set(channel, handler)
  }

  handleOnce(channel, handler) {
    this.handle(channel, (event, ...args) => {
      this.removeHandler(channel)
      return handler(event, ...args)
    })
  }

  removeHandler(channel) {
    this._handlers.delete(channel)
  }

  /** What Electron does when a renderer invokes `channel`, without a renderer (for raw wire values). */
  async invokeHandler(channel, event, ...args) {
    const handler = this._handlers.get(channel)
    if (handler === undefined) throw new Error(`No handler registered for '${channel}'`)
    return handler(event, ...args)
  }
}

/** Starts one renderer; `host.post` serializes synchronously and throws on uncloneable values. */
function spawn(kind, execArgv) {
  let child, worker
  if (kind === 'worker') worker = new Worker(RUNTIME)
  else if (kind === 'process') child = fork(RUNTIME, [], { serialization: 'advanced', execArgv })
  else throw new Error(`unknown kind '${kind}'`)
  const emitter = child || worker
  const host = {
    pid: child ? child.pid : process.pid,
    alive: true,
    exited: new Promise((resolve) => emitter.once('exit', (code) => { host.alive = false; resolve(code) })),
    post: child ? (m) => child.send(m) : (m) => worker.postMessage(m),
    kill: () => (child ? child.kill() : void worker.terminate()),
    on: (fn) => emitter.on('message', fn),
  }
  // Async send errors (channel closed during a crash) are not the caller's business.
  if (child) child.on('error', () => {})
  else worker.on('error', () => {})
  return host
}

function originOf(url) {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(url)
  return m ? m[1] : 'null'
}

class WebContents extends EventEmitter {
  constructor(win) {
    super()
    Object.defineProperty(this, 'id', { value: nextWebContentsId++, enumerable: true })
    Object.defineProperty(this, '_win', { value: win })
    this._destroyed = false
  }

  send(channel, ...args) {
    if (this._destroyed) throw new Error('Object has been destroyed')
    if (typeof channel !== 'string') throw new Error('Missing required channel argument')
    this._win._post({ t: 'msg', channel, args })
  }

  isDestroyed() {
    return this._destroyed
  }

  destroy() {
    this._win._destroy()
  }

  /** Kills the renderer without destroying the webContents (emits 'render-process-gone'). */
  forcefullyCrashRenderer() {
    if (this._win._host) this._win._host.kill()
  }

  /** Restarts the renderer script in a fresh child; resolves when it is up again. */
  reload() {
    if (this._destroyed) throw new Error('Object has been destroyed')
    this.emit('did-start-navigation', { url: this._win.url, isMainFrame: true, isSameDocument: false })
    return this._win._start()
  }
}

class Window {
  constructor(opts) {
    this.kind = opts.kind || 'process'
    this.rendererPath = opts.renderer
    this.rendererOptions = opts.rendererOptions
    this.url = opts.url || 'app://main/index.html'
    this.origin = opts.origin || originOf(this.url)
    this.execArgv = opts.execArgv || []
    this.startTimeoutMs = opts.startTimeoutMs || 15000
    this.ipcMain = opts.ipcMain || new IpcMain()
    this.webContents = new WebContents(this)
    this.reports = []
    // Listener errors in main are collected here (Electron would crash the main process).
    this.errors = []
    this._waiters = new Set()
    this._requests = new Map()
    this._nextRequest = 1
    this._generation = 0
    this._host = null
    this.close = this.close.bind(this)
  }

  _post(msg) {
    const host = this._host
    if (!host || !host.alive) {
      // A crashed renderer drops messages, but an uncloneable one still throws.
      try { v8.serialize(msg) } catch (err) { throw new Error('Failed to serialize arguments', { cause: err }) }
      return
    }
    try {
      host.post(msg) // serializes once, synchronously; throws on uncloneable values
    } catch (err) {
      throw new Error('Failed to serialize arguments', { cause: err })
    }
  }

  _start() {
    if (this._host) {
      this._host.kill()
      this._failRequests(new Error('renderer reloaded'))
    }
    const generation = ++this._generation
    const host = spawn(this.kind, this.execArgv)
    this._host = host
    const up = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`renderer did not start within ${this.startTimeoutMs} ms`)), this.startTimeoutMs)
      this._onUp = (m) => {
        clearTimeout(timer)
        if (m.error) reject(Object.assign(new Error(`renderer script failed: ${m.error.message}`), { stack: m.error.stack }))
        else resolve()
      }
      host.exited.then((code) => {
        clearTimeout(timer)
        reject(new Error(`renderer exited (${code}) before it was up`))
      })
    })
    host.on((m) => { if (generation === this._generation) this._receive(m, host) })
    host.exited.then((code) => {
      if (generation !== this._generation) return
      this._failRequests(new Error(`renderer exited (${code})`))
      if (!this.webContents._destroyed) this.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: code })
    })
    host.post({ t: 'init', renderer: this.rendererPath, options: this.rendererOptions })
    return up.then(() => { this.webContents.emit('did-finish-load') })
  }

  _event(host) {
    const webContents = this.webContents
    return {
      sender: webContents,
      senderFrame: { url: this.url, origin: this.origin, processId: host.pid, routingId: 1 },
      processId: host.pid,
      frameId: 1,
      type: 'frame',
      ports: [],
      returnValue: undefined,
      reply: (channel, ...args) => webContents.send(channel, ...args),
    }
  }

  _receive(m, host) {
    switch (m.t) {
      case 'up': return this._onUp(m)
      case 'send': {
        const event = this._event(host)
        try {
          this.webContents.emit('ipc-message', event, m.channel, ...m.args)
          this.ipcMain.emit(m.channel, event, ...m.args)
        } catch (err) {
          this.errors.push(err)
          console.error(`[standin] ipcMain listener for '${m.channel}' threw:`, err)
        }
        return
      }
      case 'invoke': return void this._invoke(m, host)
      case 'report': return this._report(m.kind, m.data)
      case 'reply': {
        const pending = this._requests.get(m.id)
        if (!pending) return
        this._requests.delete(m.id)
        clearTimeout(pending.timer)
        if (m.error) pending.reject(Object.assign(new Error(m.error.message), { stack: m.error.stack }))
        else pending.resolve(m.result)
      }
    }
  }

  async _invoke(m, host) {
    // Electron replies with `error.toString()`; the renderer wraps it in "Error invoking remote method".
    let reply
    const handler = this.ipcMain._handlers.get(m.channel)
    if (!handler) reply = { error: `Error: No handler registered for '${m.channel}'` }
    else {
      try {
        reply = { result: await handler(this._event(host), ...m.args) }
      } catch (err) {
        reply = { error: String(err) }
      }
    }
    if (!host.alive) return
    try {
      host.post({ t: 'invoke-reply', id: m.id, ...reply })
    } catch (err) {
      host.post({ t: 'invoke-reply', id: m.id, error: 'Error: An object could not be cloned.' })
    }
  }

  _report(kind, data) {
    this.reports.push({ kind, data })
    for (const w of this._waiters) {
      if (w.kind === kind && w.predicate(data)) w.done(null, data)
    }
  }

  /** Resolves with the data of the first report (past or future) of `kind` matching `predicate`. */
  waitForReport(kind, predicate = () => true, timeoutMs = 5000) {
    const seen = this.reports.find((r) => r.kind === kind && predicate(r.data))
    if (seen) return Promise.resolve(seen.data)
    return new Promise((resolve, reject) => {
      const w = {
        kind,
        predicate,
        done: (err, data) => {
          clearTimeout(w.timer)
          this._waiters.delete(w)
          err ? reject(err) : resolve(data)
        },
      }
      w.timer = setTimeout(() => {
        const kinds = this.reports.map((r) => r.kind).join(', ') || 'none'
        w.done(new Error(`no '${kind}' report within ${timeoutMs} ms (reports: ${kinds})`))
      }, timeoutMs)
      this._waiters.add(w)
    })
  }

  clearReports() {
    this.reports.length = 0
  }

  /** Asks the renderer script's onRequest(kind, data); resolves with its answer. */
  request(kind, data, timeoutMs = 5000) {
    if (!this._host || !this._host.alive) return Promise.reject(new Error('renderer is not running'))
    const id = this._nextRequest++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._requests.delete(id)
        reject(new Error(`request '${kind}' got no answer within ${timeoutMs} ms`))
      }, timeoutMs)
      this._requests.set(id, { resolve, reject, timer })
      try {
        this._host.post({ t: 'request', id, kind, data })
      } catch (err) {
        this._requests.delete(id)
        clearTimeout(timer)
        reject(err)
      }
    })
  }

  _failRequests(err) {
    for (const p of this._requests.values()) {
      clearTimeout(p.timer)
      p.reject(err)
    }
    this._requests.clear()
  }

  _destroy() {
    const wc = this.webContents
    if (wc._destroyed) return
    wc._destroyed = true
    this._generation++ // ignore whatever the dying renderer still says
    if (this._host) this._host.kill()
    this._failRequests(new Error('webContents destroyed'))
    for (const w of this._waiters) w.done(new Error('webContents destroyed'))
    wc.emit('destroyed')
  }

  /** Kills the renderer; resolves once it is gone. */
  async close() {
    this._destroy()
    if (this._host) await this._host.exited
  }
}

/** Starts a window whose renderer runs `renderer` (an absolute path); resolves once it is up. */
async function createWindow(opts) {
  if (!opts || typeof opts.renderer !== 'string' || !path.isAbsolute(opts.renderer)) {
    throw new TypeError('createWindow: `renderer` must be an absolute path')
  }
  const win = new Window(opts)
  try {
    await win._start()
  } catch (err) {
    await win.close()
    throw err
  }
  return win
}

/** Builds renderer/dist when it is missing or older than renderer/index.ts (for direct `npx jest`). */
function ensureRendererBuilt() {
  const fs = require('fs')
  const root = path.join(__dirname, '..', '..')
  const src = path.join(root, 'renderer', 'index.ts')
  const out = path.join(root, 'renderer', 'dist', 'index.js')
  const mtime = (f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0)
  if (mtime(out) >= mtime(src)) return
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] })
  require('child_process').execFileSync(process.execPath, [tsc, '-p', path.join(root, 'renderer', 'tsconfig.json')], { stdio: 'inherit' })
}

module.exports = { createWindow, IpcMain, ensureRendererBuilt }
