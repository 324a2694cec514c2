/**
 * The wire of streams and request batches (README "Streaming", "Request
 * batching"), in one place for the renderer client and main
 * (lib/registry/stream.js and batching.js require the compiled file).
 *
 * Streams.
 * Open: the client calls `ipcRenderer.invoke(channel, { ipcflow: 'invoke', v: 1, id, args })`
 * on a channel registered with `registerStream`; the envelope's data is a
 * StreamOpened (or the envelope fails: validation, sender, rate limit...).
 * Main then sends StreamMessages on STREAM_CHANNEL to the requesting
 * webContents; the client acknowledges with `send(STREAM_ACK_CHANNEL, id, n)`,
 * n = chunks consumed so far (cumulative), and cancels with the request
 * cancel channel (`send('ipcflow:cancel', id)`).
 */
export const STREAM_CHANNEL = 'ipcflow:stream' as const
export const STREAM_ACK_CHANNEL = 'ipcflow:stream-ack' as const
export const STREAM_VERSION = 1 as const

export interface StreamOpened {
  ipcflow: 'stream'
  v: 1
  /** Chunks main sends ahead of the acknowledged ones. */
  highWaterMark: number
  chunkSize: number
}

export type StreamMessage =
  | { ipcflow: 'chunk'; id: string; index: number; items: unknown[]; itemsSoFar: number; total?: number }
  | { ipcflow: 'end'; id: string; itemsSoFar: number; total?: number }
  | { ipcflow: 'error'; id: string; error: { code: string; message: string; details: Record<string, unknown> } }

export function isStreamOpened(value: unknown): value is StreamOpened {
  if (typeof value !== 'object' || value === null) return false
  const v = value as StreamOpened
  return v.ipcflow === 'stream' && v.v === STREAM_VERSION && Number.isInteger(v.highWaterMark) && v.highWaterMark > 0
}

/** How many consumed chunks the client lets pass before acknowledging: half the window, so main never starves. */
export function ackEvery(highWaterMark: number): number {
  return Math.max(1, Math.floor(highWaterMark / 2))
}

/**
 * Request batches. Calls a page makes to one batchable channel within one
 * task travel as ONE `ipcRenderer.invoke(channel, BatchRequest)`; main
 * serves each call through the registry's pipeline and answers with ONE
 * BatchReply whose `envelopes[i]` answers `calls[i]`. Each call keeps its own
 * id for `ipcflow:cancel`. Envelopes of batchable channels carry
 * `metadata.batched: true`, which is how a client learns to batch a channel.
 */
export const BATCH_MARK = 'batch' as const
export const BATCH_VERSION = 1 as const
/** Calls per BatchRequest; a larger tick is split into several messages. */
export const MAX_BATCH_CALLS = 1000

export interface BatchRequest {
  ipcflow: 'batch'
  v: 1
  calls: Array<{ id: string; args: unknown[] }>
}

export interface BatchReply {
  ipcflow: 'batch'
  v: 1
  envelopes: unknown[]
}

export function isBatchReply(value: unknown, calls: number): value is BatchReply {
  if (typeof value !== 'object' || value === null) return false
  const v = value as BatchReply
  return v.ipcflow === BATCH_MARK && v.v === BATCH_VERSION && Array.isArray(v.envelopes) && v.envelopes.length === calls
}
