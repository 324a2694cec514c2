// Main process of a consumer app, type-checked strictly against Electron's own
// types (never run). @ts-expect-error lines prove typed channels refuse mistakes.
import { app, BrowserWindow, ipcMain, type IpcMainEvent, type WebContents } from 'electron'
import {
  BatchManager,
  HandlerRegistry,
  IpcError,
  ValidationError,
  type BatchMetrics,
  type Envelope,
  type HandlerContext,
  type InvokeContext,
  type RegistryMetrics,
} from 'ipcflow'
import { createInspector, renderInspector, type InspectorSnapshot } from 'ipcflow/inspector'
import type { Channels, Hit, Token } from './channels'
import { check, type Equal } from './assert'

const registry = new HandlerRegistry<Channels>({ defaults: { timeoutMs: 2000 } })
registry.registerStream(
  'logs:tail',
  async function* (filter, ctx) {
    check<Equal<typeof filter, { level: 'info' | 'warn' }>>(true)
    ctx.setTotal(2)
    yield { at: 1, line: `${filter.level}: one` }
    yield { at: 2, line: `${filter.level}: two` }
  },
  { chunkSize: 100, highWaterMark: 4 },
)
// @ts-expect-error a stream yields the channel's items
registry.registerStream('logs:tail', function* () {
  yield 'not an item'
})
registry.register(
  'db:search',
  async (query, ctx) => {
    check<Equal<typeof query, { q: string; limit?: number }>>(true)
    check<Equal<typeof ctx, HandlerContext>>(true)
    const q: string = query.q
    const signal: AbortSignal = ctx.signal
    return signal.aborted ? [] : [{ id: 1, title: q }]
  },
  { schema: { type: 'object', properties: { q: { type: 'string' }, limit: { type: 'integer' } }, required: ['q'] } },
)
registry.register('app:version', () => app.getVersion())
registry.register('math:add', (a, b, ctx: HandlerContext) => (ctx.channel === 'math:add' ? a + b : 0))
// @ts-expect-error a channel that is not in the map
registry.register('db:serch', () => [])
// @ts-expect-error the handler returns the wrong type
registry.register('app:version', () => 42)
// @ts-expect-error a message channel is not a request channel
registry.register('agent:token', () => undefined)
// @ts-expect-error the handler's argument type disagrees with the map
registry.register('math:add', (a: string) => Number(a))
registry.attach(ipcMain)

const batcher = new BatchManager<Channels>({ holdUntilReady: true, maxBatchSize: 50, onError: (e: IpcError) => console.error(e.code) })
batcher.attach(ipcMain)

ipcMain.on('app:reloading', (event: IpcMainEvent) => batcher.markNotReady(event.sender))

async function stream(contents: WebContents, tokens: Token[]): Promise<Hit[]> {
  for (const token of tokens) batcher.addMessage('agent:token', token, contents)
  batcher.addMessage('agent:done', { reason: 'stop' }, contents, { priority: 'critical' })
  // @ts-expect-error the payload does not match the channel's message
  batcher.addMessage('agent:token', { seq: '1' }, contents)
  // @ts-expect-error a request channel carries no messages
  batcher.addMessage('db:search', { q: 'x' }, contents)
  batcher.flush(contents)
  batcher.markReady(contents)
  const pending: number = batcher.pending(contents)

  const ctx: InvokeContext = { senderId: contents.id, sender: contents, origin: 'app://main' }
  const envelope: Envelope<Hit[]> = await registry.invoke('db:search', [{ q: 'x', limit: 5 }], ctx)
  const sum = await registry.invoke('math:add', [1, 2])
  check<Equal<typeof sum, Envelope<number>>>(true)
  const n: number = sum.success ? sum.data : pending
  // @ts-expect-error the arguments do not match the channel
  await registry.invoke('math:add', ['1', 2])
  if (!envelope.success) throw new ValidationError(envelope.error.message, { code: envelope.error.code, n })
  return envelope.data
}

// Untyped use keeps working: any channel, `unknown` payloads, explicit result types.
const untyped = new HandlerRegistry()
untyped.register('anything', (a: number, b: number) => a + b)
const untypedBatcher = new BatchManager()
async function untypedUse(contents: WebContents): Promise<number> {
  untypedBatcher.addMessage('whatever', new Map([['k', 1]]), contents)
  const envelope = await untyped.invoke<number>('anything', [1, 2])
  return envelope.success ? envelope.data : -1
}

app.whenReady().then(async () => {
  const win = new BrowserWindow({ webPreferences: { preload: `${__dirname}/preload.js`, contextIsolation: true, sandbox: false } })
  await win.loadFile('index.html')
  const hits = await stream(win.webContents, [{ seq: 1, text: 'hello' }])
  const metrics: BatchMetrics = batcher.getMetrics()
  const calls: RegistryMetrics = registry.getMetrics()
  console.log(hits.length, metrics.framesOut, calls.totals.calls, await untypedUse(win.webContents))
  const inspector = createInspector({ batchers: { agent: batcher, plain: untypedBatcher }, registries: [registry, untyped] })
  inspector.start(1000)
  const inspectorWindow = new BrowserWindow({ width: 1300, height: 900 })
  await inspectorWindow.loadFile(inspector.writeFile(`${app.getPath('temp')}/ipcflow-inspector.html`))
  const disconnect: () => void = inspector.connect(inspectorWindow.webContents)
  const last: InspectorSnapshot = inspector.snapshot()
  console.log(last.batch['agent']?.framesOut, last.loop.maxMs)
  const unprobed = createInspector({ batchers: { agent: batcher } }, { loopProbeMs: false })
  const noLoop: null = unprobed.snapshot().loop
  const coarse: number = createInspector({}, { loopProbeMs: 50 }).snapshot().loop.maxMs
  // @ts-expect-error: with a probe (the default), a snapshot's loop is never null
  const neverNull: null = createInspector({}).snapshot().loop
  console.log(noLoop, coarse, neverNull, renderInspector([...unprobed.history(), last]).length)
  app.on('before-quit', () => {
    disconnect()
    inspector.close()
    void Promise.all([batcher.close(), registry.close()])
  })
})
