'use strict'
// ipcflow/inspector: a self-contained HTML page (inspector/page.html: no CDN, no
// framework) drawing getMetrics() snapshots of BatchManagers, HandlerRegistries
// and the process, live in a BrowserWindow or from a file in any browser.
const fs = require('fs')
const path = require('path')
const { performance } = require('perf_hooks')
const { invalidArgument } = require('../lib/errors')

const TEMPLATE = path.join(__dirname, 'page.html')
const DATA_MARK = '<!--ipcflow-data-->'
const SNAPSHOT_VERSION = 1

// `{ name: instance }` or an array (named by position).
const named = (value) => (Array.isArray(value) ? value.map((v, i) => [String(i + 1), v]) : Object.entries(value ?? {}))

// JSON inside <script>: '<' escaped so no payload can close the tag.
const scriptJson = (value) => JSON.stringify(value).replace(/</g, '\\u003c')

/** The page, with `snapshots` (oldest first) embedded; it also accepts live ones (`window.ipcflowInspector.push`). */
function renderInspector(snapshots = [], options = {}) {
  const page = fs.readFileSync(TEMPLATE, 'utf8')
  const data = { title: options.title ?? 'ipcflow inspector', snapshots }
  return page.replace(DATA_MARK, `<script id="ipcflow-data" type="application/json">${scriptJson(data)}</script>`)
}

// How late a timer fires: what the JS thread spent blocked. (perf_hooks' monitorEventLoopDelay
// reads libuv's cached loop time and under-reports a block.) Each tick wakes the JS thread: the
// cost is in README "Live inspector".
function stallProbe(intervalMs) {
  let last = performance.now()
  let window = { max: 0, sum: 0, ticks: 0, over50: 0 }
  const tick = setInterval(() => {
    const now = performance.now()
    const late = Math.max(0, now - last - intervalMs)
    last = now
    window.max = Math.max(window.max, late)
    window.sum += late
    window.ticks++
    if (late >= 50) window.over50++
  }, intervalMs)
  if (typeof tick.unref === 'function') tick.unref()
  return {
    take() {
      const w = window
      window = { max: 0, sum: 0, ticks: 0, over50: 0 }
      return { maxMs: w.max, meanMs: w.ticks > 0 ? w.sum / w.ticks : 0, over50ms: w.over50 }
    },
    stop: () => clearInterval(tick),
  }
}

function createInspector(sources = {}, options = {}) {
  const historySize = options.historySize ?? 300
  const loopProbeMs = options.loopProbeMs ?? 10
  if (loopProbeMs !== false && !(typeof loopProbeMs === 'number' && loopProbeMs >= 1 && loopProbeMs <= 60_000)) {
    throw invalidArgument('options.loopProbeMs', 'a number of ms in [1, 60000] or false', loopProbeMs)
  }
  const history = []
  const targets = new Set()
  const stalls = loopProbeMs === false ? undefined : stallProbe(loopProbeMs)
  let timer

  const snapshot = () => {
    const s = { v: SNAPSHOT_VERSION, t: Date.now(), batch: {}, registry: {} }
    for (const [name, batcher] of named(sources.batchers)) s.batch[name] = batcher.getMetrics()
    s.cache = {}
    for (const [name, registry] of named(sources.registries)) {
      s.registry[name] = registry.getMetrics()
      if (typeof registry.getCacheStats === 'function') s.cache[name] = registry.getCacheStats()
    }
    const m = process.memoryUsage()
    s.process = { rssBytes: m.rss, heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external }
    s.loop = stalls === undefined ? null : stalls.take()
    if (sources.memory && typeof sources.memory.getStats === 'function') s.memory = sources.memory.getStats()
    if (sources.monitor && typeof sources.monitor.getMetrics === 'function') s.monitor = sources.monitor.getMetrics()
    history.push(s)
    if (history.length > historySize) history.shift()
    for (const contents of targets) push(contents, s)
    return s
  }

  const push = (contents, s) => {
    if (typeof contents.isDestroyed === 'function' && contents.isDestroyed()) return void targets.delete(contents)
    const code = `window.ipcflowInspector && window.ipcflowInspector.push(${JSON.stringify(s)})`
    Promise.resolve()
      .then(() => contents.executeJavaScript(code))
      .catch(() => {}) // a page still loading or gone: the next snapshot tries again
  }

  return {
    /** Takes a snapshot now (also sent to connected pages). */
    snapshot,
    /** Snapshots kept, oldest first (up to `historySize`, default 300). */
    history: () => history.slice(),
    /** Snapshots every `intervalMs` (default 1000) without keeping the process alive. */
    start(intervalMs = 1000) {
      if (timer === undefined) timer = setInterval(snapshot, intervalMs)
      if (typeof timer.unref === 'function') timer.unref()
    },
    stop() {
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
    },
    /** The page with the history so far. */
    html: () => renderInspector(history, options),
    /** Writes `html()` to `file`; returns `file` (for `win.loadFile`). */
    writeFile(file) {
      fs.writeFileSync(file, renderInspector(history, options))
      return file
    },
    /** Sends every later snapshot to a page showing the inspector (a BrowserWindow's webContents). */
    connect(contents) {
      targets.add(contents)
      return () => targets.delete(contents)
    },
    close() {
      this.stop()
      stalls?.stop()
      targets.clear()
    },
  }
}

module.exports = { createInspector, renderInspector, SNAPSHOT_VERSION }
