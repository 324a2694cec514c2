// Type test: ts-jest type-checks this file. Electron's IpcMain must fit what
// HandlerRegistry.attach takes; the renderer client's invoke types must accept
// Electron's IpcRenderer; envelopes narrow on `success`.
import type { IpcMain, IpcRenderer } from 'electron'
import type { Envelope, HandlerContext, IpcMainHandleLike } from '../index'
import { HandlerRegistry, CANCEL_CHANNEL } from '../index'
import { createRendererClient, CANCEL_CHANNEL as RENDERER_CANCEL, type IpcError, type RendererClient } from '../renderer'

const ipcMain: IpcMainHandleLike = null as unknown as IpcMain
const client = (ipc: IpcRenderer): RendererClient => createRendererClient(ipc)

function narrow(e: Envelope<number>): number | string {
  return e.success ? e.data + 1 : e.error.code
}

test('types line up with Electron and between main and renderer', async () => {
  const r = new HandlerRegistry({ defaults: { timeoutMs: 1000 } })
  r.register('typed', async (q: { q: string }, ctx: HandlerContext) => (ctx.signal.aborted ? 0 : q.q.length), {
    rateLimit: [{ requests: 1, windowMs: 1000, per: 'sender' }],
    allowSender: (ctx) => ctx.origin === 'app://main',
  })
  const envelope = await r.invoke<number>('typed', [{ q: 'abc' }], { senderId: 1, origin: 'app://main' })
  expect(narrow(envelope)).toBe(4)
  const mainCancel: typeof RENDERER_CANCEL = CANCEL_CHANNEL
  expect(mainCancel).toBe('ipcflow:cancel')
  const onError = (e: IpcError) => e.code
  expect([ipcMain, client, onError]).toHaveLength(3)
  await r.close()
})
