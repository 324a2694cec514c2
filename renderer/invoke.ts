/**
 * The invoke half of the renderer client: requests to a main-side
 * HandlerRegistry, with cancellation, timeouts and typed errors.
 */
import type { createRequestBatcher } from './batch'
import { IpcError, invalidArgument } from './errors'
import { CANCEL_CHANNEL, isEnvelope, isStreamOpened, makeRequest, type Envelope } from './protocol'
import type { IpcRendererLike } from './index'

export interface InvokeOptions {
  /** Aborting rejects with E_CANCELLED and tells main, which aborts the handler's `ctx.signal`. */
  signal?: AbortSignal
  /** Gives up after this many ms: rejects with E_TIMEOUT and cancels in main. */
  timeoutMs?: number
}

function fromEnvelopeError(error: unknown, channel: string): IpcError {
  const e: { code?: unknown; message?: unknown; details?: unknown } = typeof error === 'object' && error !== null ? error : {}
  const code = typeof e.code === 'string' ? e.code : 'E_HANDLER'
  const message = typeof e.message === 'string' ? e.message : `Request on '${channel}' failed`
  const details = typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : {}
  return new IpcError(code, message, details)
}

// ipcRenderer.invoke itself rejected: no ipcflow envelope came back (no
// handler, an uncloneable argument or result, a plain ipcMain handler threw).
function fromTransportError(error: unknown, channel: string): IpcError {
  const raw = error instanceof Error ? error.message : String(error)
  const message = raw.replace(/^Error invoking remote method '[^']*': (Error: )?/, '')
  if (/No handler registered/.test(message)) return new IpcError('E_NOT_FOUND', message, { channel })
  if (/could not be cloned|Failed to serialize/i.test(message)) return new IpcError('E_UNCLONEABLE', message, { channel })
  return new IpcError('E_HANDLER', message, { channel, transport: true })
}

export function createInvoker(ipcRenderer: IpcRendererLike, batcher: ReturnType<typeof createRequestBatcher>) {
  // Request ids are unique per client: a random prefix keeps two clients in
  // one renderer (two preloads, a reload) from cancelling each other's calls.
  const clientId = Math.random().toString(36).slice(2, 10)
  let nextRequest = 1
  const pending = new Set<(error: IpcError) => void>()
  let closed = false

  const invokeWithOptions = <T = unknown>(channel: string, args: unknown[], options: InvokeOptions = {}): Promise<T> => {
    if (closed) return Promise.reject(new IpcError('E_CLOSED', 'ipcflow renderer client is disposed', { channel }))
    if (typeof channel !== 'string') return Promise.reject(invalidArgument('channel', 'a string', channel))
    if (!Array.isArray(args)) return Promise.reject(invalidArgument('args', 'an array of arguments', args))
    const { signal, timeoutMs } = options ?? {}
    if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0)) {
      return Promise.reject(invalidArgument('options.timeoutMs', 'a positive number', timeoutMs))
    }
    if (signal?.aborted) return Promise.reject(new IpcError('E_CANCELLED', `Request on '${channel}' was cancelled before it was sent`, { channel }))
    const id = `${clientId}.${nextRequest++}`
    return new Promise<T>((resolve, reject) => {
      let settled = false
      let timer: ReturnType<typeof setTimeout> | undefined
      const cleanup = (): void => {
        settled = true
        if (timer !== undefined) clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        pending.delete(giveUp)
      }
      // Local give-up: reject now, and tell main so the handler can stop.
      const giveUp = (error: IpcError): void => {
        if (settled) return
        cleanup()
        try {
          if (!batcher.drop(channel, id)) ipcRenderer.send(CANCEL_CHANNEL, id)
        } catch {
          // nothing more to do: the caller already has its answer
        }
        reject(error)
      }
      const onAbort = (): void => giveUp(new IpcError('E_CANCELLED', `Request on '${channel}' was cancelled`, { channel }))
      signal?.addEventListener('abort', onAbort, { once: true })
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => giveUp(new IpcError('E_TIMEOUT', `No answer on '${channel}' within ${timeoutMs} ms`, { channel, timeoutMs })), timeoutMs)
      }
      pending.add(giveUp)
      let reply: Promise<unknown>
      try {
        reply = batcher.wants(channel) ? batcher.call(channel, id, args) : Promise.resolve(ipcRenderer.invoke(channel, makeRequest(id, args)))
      } catch (error) {
        cleanup()
        reject(fromTransportError(error, channel))
        return
      }
      // Main opened a stream for this id (a stream channel called through invoke): nothing here
      // reads it, so cancel it, or main keeps it paused until the window goes.
      const opened = (value: unknown): boolean => {
        if (!isEnvelope(value) || !value.success || !isStreamOpened(value.data)) return false
        try {
          ipcRenderer.send(CANCEL_CHANNEL, id)
        } catch {
          // the page is going away: main cancels on navigation or destroy
        }
        return true
      }
      reply.then(
        (value) => {
          if (settled) return void opened(value) // given up before the reply: cancel again if it opened a stream
          cleanup()
          if (opened(value)) reject(new IpcError('E_INVALID_ARGUMENT', `'${channel}' is a stream channel: read it with client.stream`, { argument: 'channel', channel }))
          else if (!isEnvelope(value)) resolve(value as T) // a plain ipcMain.handle handler
          else if (value.success) {
            if ((value.metadata as { batched?: unknown }).batched === true && !batcher.wants(channel)) batcher.learn(channel)
            resolve((value as Envelope<T> & { success: true }).data)
          }
          else reject(fromEnvelopeError(value.error, channel))
        },
        (error) => {
          if (settled) return
          cleanup()
          reject(fromTransportError(error, channel))
        },
      )
    })
  }

  const invoke = <T = unknown>(channel: string, ...args: unknown[]): Promise<T> => invokeWithOptions<T>(channel, args)

  const close = (): void => {
    closed = true
    for (const giveUp of [...pending]) giveUp(new IpcError('E_CLOSED', 'ipcflow renderer client was disposed', {}))
  }

  return { invoke, invokeWithOptions, close }
}
