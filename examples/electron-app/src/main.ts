// Main process: a token stream main -> renderer through BatchManager, and
// validated requests renderer -> main through HandlerRegistry.
import { app, BrowserWindow, ipcMain, type WebContents } from 'electron'
import path from 'node:path'
import { BatchManager, HandlerRegistry, IpcError } from 'ipcflow'
import { createInspector } from 'ipcflow/inspector'
import { fakeAgent, NOTES } from './agent'
import type { Channels } from './channels'

// Frames of up to 50 messages, none waiting more than 16 ms (one display frame).
// holdUntilReady: messages wait until the page's renderer client announces itself.
const batcher = new BatchManager<Channels>({
  maxBatchSize: 50,
  maxWaitMs: 16,
  holdUntilReady: true,
  onError: (error: IpcError) => console.error(`[ipcflow] ${error.code}: ${error.message}`),
})
const registry = new HandlerRegistry<Channels>({ defaults: { timeoutMs: 5000 } })

// Runs in flight, so 'agent:stop' and a closing window can abort them.
const runs = new Map<string, AbortController>()
let nextRun = 1

registry.register(
  'agent:start',
  ({ prompt, tokens = 2000 }, ctx) => {
    const sender = ctx.sender as WebContents | undefined
    if (sender === undefined) throw new IpcError('E_NO_WINDOW', 'agent:start must come from a window')
    const runId = `run-${nextRun++}`
    const controller = new AbortController()
    runs.set(runId, controller)
    void run(runId, prompt, tokens, sender, controller.signal).finally(() => runs.delete(runId))
    return { runId }
  },
  {
    schema: {
      type: 'object',
      properties: { prompt: { type: 'string', minLength: 1, maxLength: 500 }, tokens: { type: 'integer', minimum: 1, maximum: 100000 } },
      required: ['prompt'],
      additionalProperties: false,
    },
    rateLimit: { requests: 5, windowMs: 1000, per: 'sender' },
    allowedOrigins: ['file://'],
  },
)

registry.register(
  'agent:stop',
  ({ runId }) => {
    const controller = runs.get(runId)
    controller?.abort()
    return controller !== undefined
  },
  { schema: { type: 'object', properties: { runId: { type: 'string', maxLength: 64 } }, required: ['runId'] }, allowedOrigins: ['file://'] },
)

registry.register(
  'notes:search',
  async ({ q, limit = 20 }, ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 5)) // a database would take a moment
    if (ctx.signal.aborted) return []
    const needle = q.toLowerCase()
    return NOTES.filter((note) => note.title.toLowerCase().includes(needle)).slice(0, limit)
  },
  {
    schema: {
      type: 'object',
      properties: { q: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: 100 } },
      required: ['q'],
    },
    timeoutMs: 1000,
    allowedOrigins: ['file://'],
  },
)

async function run(runId: string, prompt: string, tokens: number, target: WebContents, signal: AbortSignal): Promise<void> {
  let seq = 0
  for await (const text of fakeAgent(prompt, tokens, signal)) {
    batcher.addMessage('agent:token', { runId, seq: seq++, text }, target)
    // Latest wins: only the newest state of a run is sent per frame.
    if (seq % 25 === 0) batcher.addMessage('agent:state', { runId, status: 'running', tokens: seq }, target, { coalesceKey: `state:${runId}` })
  }
  const status = signal.aborted ? 'stopped' : 'done'
  // critical: sent at once, after the tokens already queued (order is kept).
  batcher.addMessage('agent:state', { runId, status, tokens: seq }, target, { priority: 'critical', coalesceKey: `state:${runId}` })
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 900,
    height: 700,
    webPreferences: {
      preload: path.join(__dirname, 'preload.js'),
      contextIsolation: true,
      nodeIntegration: false,
      // The preload requires 'ipcflow/renderer' from node_modules, which a sandboxed preload cannot;
      // bundle the preload (esbuild, Vite) to keep the sandbox on in a real app.
      sandbox: false,
    },
  })
  const contents = win.webContents
  // A reload: hold messages until the new page's client announces itself again.
  contents.on('did-start-loading', () => batcher.markNotReady(contents))
  contents.on('destroyed', () => {
    for (const controller of runs.values()) controller.abort()
  })
  void win.loadFile(path.join(__dirname, '..', 'index.html'))
}

// IPCFLOW_INSPECTOR=1 opens the live inspector in a second window.
async function openInspector(): Promise<void> {
  const inspector = createInspector({ batchers: { agent: batcher }, registries: { main: registry } })
  inspector.start(1000)
  const win = new BrowserWindow({ width: 1300, height: 900, title: 'ipcflow inspector' })
  await win.loadFile(inspector.writeFile(path.join(app.getPath('temp'), 'ipcflow-inspector.html')))
  const disconnect = inspector.connect(win.webContents)
  win.on('closed', () => {
    disconnect()
    inspector.close()
  })
}

app.whenReady().then(() => {
  batcher.attach(ipcMain) // renderer clients announce themselves; their window is then marked ready
  registry.attach(ipcMain) // ipcMain.handle for every registered channel
  createWindow()
  if (process.env.IPCFLOW_INSPECTOR === '1') void openInspector()
  // What batching and the registry did, every 5 s.
  setInterval(() => {
    const frames = batcher.getMetrics()
    const calls = registry.getMetrics()
    console.log(
      `[ipcflow] ${frames.messagesOut} messages in ${frames.framesOut} frames (${(frames.reductionRatio * 100).toFixed(1)}% fewer sends),` +
        ` queue wait p99 ${frames.queueWaitMs.p99.toFixed(1)} ms, drops ${frames.drops.total};` +
        ` ${calls.totals.calls} requests, ${calls.totals.errors} errors`,
    )
  }, 5000).unref()
})

app.on('window-all-closed', () => app.quit())
app.on('will-quit', () => {
  void batcher.close() // flushes what is pending
  void registry.close() // answers calls in flight with E_CLOSED
})
