// Preload: the ipcflow renderer client on ipcRenderer, and a narrow API for the
// page over contextBridge (the page never sees ipcRenderer or channel names).
import { contextBridge, ipcRenderer } from 'electron'
import { createRendererClient, isIpcError } from 'ipcflow/renderer'
import type { Channels, RunState, Token } from './channels'

const client = createRendererClient<Channels>(ipcRenderer, {
  onGap: ({ lost }) => console.warn(`[ipcflow] lost ${lost} frames`),
})

/** Across contextBridge an Error loses `code` and `details`: answer with data instead. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } }

async function settle<T>(promise: Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await promise }
  } catch (error) {
    return isIpcError(error) ? { ok: false, error: { code: error.code, message: error.message } } : { ok: false, error: { code: 'E_HANDLER', message: String(error) } }
  }
}

const api = {
  /** Tokens of every run, in order; returns the function that unsubscribes. */
  onToken: (listener: (token: Token) => void): (() => void) => client.on('agent:token', listener),
  onState: (listener: (state: RunState) => void): (() => void) => client.on('agent:state', listener),
  start: (prompt: string, tokens?: number) => settle(client.invoke('agent:start', { prompt, tokens })),
  stop: (runId: string) => settle(client.invoke('agent:stop', { runId })),
  search: (q: string) => settle(client.invokeWithOptions('notes:search', [{ q, limit: 10 }], { timeoutMs: 2000 })),
  stats: () => client.getStats(),
}

contextBridge.exposeInMainWorld('agent', api)

/** The page's view of `window.agent` (see global.d.ts). */
export type AgentApi = typeof api
