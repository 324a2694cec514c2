/**
 * `client.stream(channel, args, { signal })`: an AsyncIterable of the chunks
 * a main-side `registerStream` handler produces (wire: ./protocol.ts).
 * Chunks wait in a local queue until the loop reads them; reading is what
 * acknowledges them, so a page that stops reading stops main's producer.
 * `break`, `return()`, an aborted signal or `dispose()` cancel in main, at any
 * moment: given up before main's opening reply, the loop delivers nothing and the
 * cancel is sent again when that reply lands (main may have read it first).
 */
import { STREAM_CHANNEL, STREAM_ACK_CHANNEL, isStreamOpened, ackEvery, type StreamMessage } from './protocol'

export interface StreamChunk<T = unknown> {
  index: number
  items: T[]
  itemsSoFar: number
  /** When the producer called `ctx.setTotal(n)`. */
  total?: number
  /** itemsSoFar / total * 100, when total is known. */
  percentage?: number
}

export interface StreamOptions {
  /** Aborting ends the loop with E_CANCELLED and stops the producer in main. */
  signal?: AbortSignal
}

interface Transport {
  on(channel: string, listener: (event: unknown, ...args: any[]) => void): unknown
  removeListener(channel: string, listener: (event: unknown, ...args: any[]) => void): unknown
  send(channel: string, ...args: any[]): void
  invoke(channel: string, ...args: any[]): Promise<any>
}

type MakeError = (code: string, message: string, details: Record<string, unknown>) => Error

interface Local {
  queue: StreamChunk[]
  wake: (() => void) | undefined
  ended: boolean
  error: Error | undefined
  consumed: number
  acked: number
  every: number
  stop?: (error: Error) => void
}

export function createStreamer(ipcRenderer: Transport, cancelChannel: string, makeError: MakeError, malformed: () => void = () => {}) {
  const clientId = Math.random().toString(36).slice(2, 10)
  let next = 1
  const open = new Map<string, Local>()
  let listening = false
  let closed = false

  const onMessage = (_event: unknown, m?: StreamMessage): void => {
    if (typeof m !== 'object' || m === null || typeof m.id !== 'string') return malformed()
    const s = open.get(m.id)
    if (s === undefined) return
    if (m.ipcflow === 'chunk') {
      // A chunk the consumer could not use is counted, never handed over.
      if (!Array.isArray(m.items) || typeof m.index !== 'number' || typeof m.itemsSoFar !== 'number') return malformed()
      const chunk: StreamChunk = { index: m.index, items: m.items, itemsSoFar: m.itemsSoFar }
      if (typeof m.total === 'number') {
        chunk.total = m.total
        chunk.percentage = m.total > 0 ? (m.itemsSoFar / m.total) * 100 : 100
      }
      s.queue.push(chunk)
    } else if (m.ipcflow === 'end') {
      s.ended = true
    } else if (m.ipcflow === 'error') {
      const e: { code?: unknown; message?: unknown; details?: unknown } = typeof m.error === 'object' && m.error !== null ? m.error : {}
      const message = typeof e.message === 'string' ? e.message : 'The stream failed'
      s.error = makeError(typeof e.code === 'string' ? e.code : 'E_HANDLER', message, typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : {})
    } else return malformed()
    const wake = s.wake
    s.wake = undefined
    wake?.()
  }

  const stream = <T = unknown>(channel: string, args: unknown[], options: StreamOptions = {}): AsyncIterable<StreamChunk<T>> => {
    if (typeof channel !== 'string') throw makeError('E_INVALID_ARGUMENT', 'channel must be a string', { argument: 'channel' })
    if (!Array.isArray(args)) throw makeError('E_INVALID_ARGUMENT', 'args must be an array', { argument: 'args' })
    const signal = options?.signal
    let started = false
    return {
      [Symbol.asyncIterator]: (): AsyncIterator<StreamChunk<T>> => {
        if (started) throw makeError('E_INVALID_ARGUMENT', 'a stream can be iterated once', { channel })
        started = true
        return iterate<T>(channel, args, signal)
      },
    }
  }

  function iterate<T>(channel: string, args: unknown[], signal: AbortSignal | undefined): AsyncIterator<StreamChunk<T>> {
    const id = `${clientId}.s${next++}`
    const s: Local = { queue: [], wake: undefined, ended: false, error: undefined, consumed: 0, acked: 0, every: 1 }
    let finished = false
    let cancelled = false // a cancel went to main: a late opening reply gets another
    let returned = false // return() was called: every next() is done
    const sendCancel = (): void => {
      try {
        ipcRenderer.send(cancelChannel, id)
      } catch {
        // the page is going away: main cancels on navigation or destroy
      }
    }
    // `cancel`: given up here (break, return(), abort, dispose): nothing more reaches the
    // loop, and main is told unless it already ended the stream.
    const finish = (cancel: boolean): void => {
      if (finished) return
      finished = true
      open.delete(id)
      signal?.removeEventListener('abort', onAbort)
      if (!cancel) return
      s.queue.length = 0
      if (s.ended || s.error !== undefined) return
      cancelled = true
      sendCancel()
    }
    // `cancel` false: main ended it (a refusal, a transport failure).
    const fail = (error: Error, cancel = true): void => {
      finish(cancel)
      if (s.error === undefined || cancel) s.error = error
      const wake = s.wake
      s.wake = undefined
      wake?.()
    }
    s.stop = fail
    const onAbort = (): void => fail(makeError('E_CANCELLED', `Stream on '${channel}' was cancelled`, { channel }))
    if (closed) s.error = makeError('E_CLOSED', 'ipcflow renderer client is disposed', { channel })
    else if (signal?.aborted) s.error = makeError('E_CANCELLED', `Stream on '${channel}' was cancelled before it was opened`, { channel })
    else {
      if (!listening) {
        listening = true
        ipcRenderer.on(STREAM_CHANNEL, onMessage)
      }
      open.set(id, s)
      signal?.addEventListener('abort', onAbort, { once: true })
      let reply: Promise<unknown>
      try {
        reply = Promise.resolve(ipcRenderer.invoke(channel, { ipcflow: 'invoke', v: 1, id, args }))
      } catch (error) {
        reply = Promise.reject(error)
      }
      reply.then(
        (envelope: any) => {
          if (envelope?.success === true && isStreamOpened(envelope.data)) {
            // Opened after the loop gave up: main read the request after the cancel, or not yet the cancel.
            if (cancelled) return sendCancel()
            s.every = ackEvery(envelope.data.highWaterMark)
            return
          }
          // A refusal ended it in main; a success this client cannot read (another version, not a stream) is cancelled.
          const e = envelope?.success === false ? envelope.error ?? {} : { code: 'E_NOT_FOUND', message: `'${channel}' is not a stream channel` }
          fail(makeError(typeof e.code === 'string' ? e.code : 'E_HANDLER', String(e.message), { channel, ...(e.details ?? {}) }), envelope?.success === true)
        },
        (error: unknown) => fail(makeError('E_HANDLER', error instanceof Error ? error.message : String(error), { channel, transport: true }), false),
      )
    }

    const pull = async (): Promise<IteratorResult<StreamChunk<T>>> => {
      for (;;) {
        if (returned) return { done: true, value: undefined }
        const chunk = s.queue.shift()
        if (chunk !== undefined) {
          s.consumed++
          if (s.consumed - s.acked >= s.every && !finished) {
            s.acked = s.consumed
            try {
              ipcRenderer.send(STREAM_ACK_CHANNEL, id, s.consumed)
            } catch {
              // main cancels a stream whose page is gone
            }
          }
          return { done: false, value: chunk as StreamChunk<T> }
        }
        if (s.error !== undefined) {
          finish(false)
          throw s.error
        }
        if (s.ended) {
          finish(false)
          return { done: true, value: undefined }
        }
        await new Promise<void>((resolve) => {
          s.wake = resolve
        })
      }
    }
    return {
      next: pull,
      // `break` in for-await: cancel in main unless it already ended.
      return: async (): Promise<IteratorResult<StreamChunk<T>>> => {
        returned = true
        finish(true)
        const wake = s.wake // a next() still waiting ends too
        s.wake = undefined
        wake?.()
        return { done: true, value: undefined }
      },
    }
  }

  const close = (): void => {
    closed = true
    for (const s of [...open.values()]) s.stop?.(makeError('E_CLOSED', 'ipcflow renderer client was disposed', {}))
    if (listening) ipcRenderer.removeListener(STREAM_CHANNEL, onMessage)
  }

  return { stream, close }
}
