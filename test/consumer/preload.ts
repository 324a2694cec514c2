// Preload: the renderer client on Electron's ipcRenderer, and a narrow API over contextBridge.
import { contextBridge, ipcRenderer } from 'electron'
import { createRendererClient, isIpcError, type RendererClient, type RendererClientStats } from 'ipcflow/renderer'
import type { Channels, Hit, Token } from './channels'
import { check, type Equal } from './assert'

const client: RendererClient<Channels> = createRendererClient<Channels>(ipcRenderer, {
  onGap: ({ lost }) => console.warn(`lost ${lost} frames`),
})

const api = {
  onToken: (listener: (token: Token) => void): (() => void) => client.on('agent:token', listener),
  onDone: (listener: (reason: 'stop' | 'length') => void) => client.on('agent:done', (done) => listener(done.reason)),
  search: (q: string): Promise<Hit[]> => client.invoke('db:search', { q }),
  version: (): Promise<string> => client.invoke('app:version'),
  add: (a: number, b: number, signal?: AbortSignal): Promise<number> => client.invokeWithOptions('math:add', [a, b], { signal, timeoutMs: 1000 }),
  stats: (): RendererClientStats => client.getStats(),
}

client.on('agent:done', (done) => check<Equal<typeof done, { reason: 'stop' | 'length' }>>(true))
const version = client.invoke('app:version')
check<Equal<typeof version, Promise<string>>>(true)

// @ts-expect-error a listener of the wrong payload type
client.on('agent:token', (token: string) => token)
// @ts-expect-error a request channel has no messages
client.on('db:search', () => undefined)
// @ts-expect-error wrong arguments
void client.invoke('db:search', 'x')
// @ts-expect-error unknown channel
void client.invoke('db:serch', { q: 'x' })

// Typed streams: chunks carry the channel's items.
async function tail(): Promise<string[]> {
  const lines: string[] = []
  for await (const chunk of client.stream('logs:tail', [{ level: 'warn' }])) {
    check<Equal<typeof chunk.items, Array<{ at: number; line: string }>>>(true)
    lines.push(...chunk.items.map((item) => item.line))
  }
  return lines
}
void tail
// @ts-expect-error a request channel is not a stream
void client.stream('db:search', [{ q: 'x' }])
// @ts-expect-error wrong stream arguments
void client.stream('logs:tail', [{ level: 'debug' }])

// Untyped clients keep working.
const untyped = createRendererClient(ipcRenderer, { announceReady: false })
untyped.on<number>('count', (n) => n.toFixed(0))
void untyped.invoke<string>('anything', 1, 2).catch((e: unknown) => (isIpcError(e) ? e.code : String(e)))

contextBridge.exposeInMainWorld('app', api)
export type PreloadApi = typeof api
