/**
 * The ipcflow wire protocol: every value that crosses between main and a
 * renderer, defined once. Main (lib/protocol.js) and the renderer client both
 * import this file, and it imports nothing, so a preload bundle stays small.
 *
 * main -> renderer   FRAME_CHANNEL   a Frame (a batch of messages)
 * renderer -> main   READY_CHANNEL   ReadyInfo: the client is listening
 *                    ACK_CHANNEL     (stream, seq): frames up to seq were dispatched
 *                    CANCEL_CHANNEL  (requestId): abort that request in main
 *                    invoke(channel, Request) answered with an Envelope
 *                    invoke(channel, BatchRequest) answered with a BatchReply
 * main -> renderer   STREAM_CHANNEL  StreamMessage (chunks of a stream)
 * renderer -> main   STREAM_ACK_CHANNEL (id, chunksRead)
 * main -> renderer   PING_CHANNEL    a Ping (HeartbeatMonitor's window probe)
 * renderer -> main   PONG_CHANNEL    a Pong with the same id, sent by the client's own event loop
 *
 * Every message carries PROTOCOL_VERSION; a side that meets another version
 * reports E_PROTOCOL instead of guessing at the shape.
 */

export const PROTOCOL_VERSION = 1 as const

/** Channel names starting with this are ipcflow's own; users cannot register or listen on them. */
export const RESERVED_PREFIX = 'ipcflow:' as const
export const FRAME_CHANNEL = 'ipcflow:frame' as const
export const READY_CHANNEL = 'ipcflow:ready' as const
/** Renderer -> main `(stream, seq)` once a frame that asked for it was dispatched; cumulative. */
export const ACK_CHANNEL = 'ipcflow:ack' as const
/** Renderer -> main `(requestId)`: aborts that request's `ctx.signal` in main. */
export const CANCEL_CHANNEL = 'ipcflow:cancel' as const

/** Request ids longer than this are not ipcflow requests. */
export const MAX_REQUEST_ID_LENGTH = 128

/** The codes ipcflow puts on errors; handlers may add their own `E_*` codes. */
export type IpcErrorCode =
  | 'E_VALIDATION'
  | 'E_TIMEOUT'
  | 'E_RATE_LIMITED'
  | 'E_FORBIDDEN_SENDER'
  | 'E_NOT_FOUND'
  | 'E_PAYLOAD_TOO_LARGE'
  | 'E_CANCELLED'
  | 'E_HANDLER'
  | 'E_CLOSED'
  | 'E_INVALID_ARGUMENT'
  | 'E_UNCLONEABLE'
  | 'E_DUPLICATE_HANDLER'
  | 'E_PROTOCOL'
  | 'E_DUPLICATE_TASK'
  | 'E_INTERNAL'
  | 'E_STARTUP_CYCLE'
  | 'E_MISSING_DEPENDENCY'
  | 'E_STARTUP_FAILED'

/** An error code: one of ipcflow's, or an application's own (`E_*`), kept across IPC. */
export type ErrorCode = IpcErrorCode | (string & {})

export function isReservedChannel(channel: string): boolean {
  return channel.startsWith(RESERVED_PREFIX)
}

/** One batch: `channels[i]` and `payloads[i]` form message i, in queue order. */
export interface Frame {
  ipcflow: 'frame'
  v: typeof PROTOCOL_VERSION
  /** Identifies the sending BatchManager: seq restarts at 1 for each stream. */
  stream: number
  /** Per target and stream, starting at 1, +1 per frame: gaps mean lost frames. */
  seq: number
  channels: string[]
  payloads: unknown[]
  /** Present when main asks the renderer client to acknowledge this frame (flow control). */
  ack?: true
}

export function makeFrame(stream: number, seq: number, channels: string[], payloads: unknown[], ack: boolean): Frame {
  const frame: Frame = { ipcflow: 'frame', v: PROTOCOL_VERSION, stream, seq, channels, payloads }
  if (ack) frame.ack = true
  return frame
}

export type FrameCheck =
  | { ok: true; frame: Frame }
  | { ok: false; reason: 'shape' }
  | { ok: false; reason: 'version'; version: unknown }

/** Checks a value received on FRAME_CHANNEL completely, so a bad frame dispatches nothing. */
export function checkFrame(value: unknown): FrameCheck {
  if (typeof value !== 'object' || value === null) return { ok: false, reason: 'shape' }
  const f = value as Partial<Frame>
  if (f.ipcflow !== 'frame') return { ok: false, reason: 'shape' }
  if (f.v !== PROTOCOL_VERSION) return { ok: false, reason: 'version', version: f.v }
  if (typeof f.seq !== 'number' || !Number.isSafeInteger(f.seq) || f.seq < 0) return { ok: false, reason: 'shape' }
  if (typeof f.stream !== 'number' || !Number.isSafeInteger(f.stream)) return { ok: false, reason: 'shape' }
  const { channels, payloads } = f
  if (!Array.isArray(channels) || !Array.isArray(payloads) || channels.length !== payloads.length) return { ok: false, reason: 'shape' }
  for (let i = 0; i < channels.length; i++) if (typeof channels[i] !== 'string') return { ok: false, reason: 'shape' }
  return { ok: true, frame: value as Frame }
}

/** What a renderer client sends on READY_CHANNEL. */
export interface ReadyInfo {
  v: typeof PROTOCOL_VERSION
  /** The client acknowledges frames that ask for it (flow control). */
  acks: boolean
}

export function makeReady(acks: boolean): ReadyInfo {
  return { v: PROTOCOL_VERSION, acks }
}

export type ReadyCheck = { ok: true; acks: boolean } | { ok: false; version: unknown }

/** A bare announcement (no info, or no `v`) is an older client of this version: ready, no acks unless it says so. */
export function checkReady(value: unknown): ReadyCheck {
  if (typeof value !== 'object' || value === null) return { ok: true, acks: false }
  const info = value as Partial<ReadyInfo>
  if (info.v !== undefined && info.v !== PROTOCOL_VERSION) return { ok: false, version: info.v }
  return { ok: true, acks: info.acks === true }
}

/** The single argument of `ipcRenderer.invoke(channel, request)` from a renderer client. */
export interface Request {
  ipcflow: 'invoke'
  v: typeof PROTOCOL_VERSION
  /** Unique per client (random client prefix + counter); what CANCEL_CHANNEL names. */
  id: string
  args: unknown[]
}

export function makeRequest(id: string, args: unknown[]): Request {
  return { ipcflow: 'invoke', v: PROTOCOL_VERSION, id, args }
}

export type RequestCheck =
  | { kind: 'request'; id: string; args: unknown[] }
  /** Not an ipcflow request: a plain `ipcRenderer.invoke(channel, ...args)`, served the same way, not cancellable. */
  | { kind: 'plain'; args: unknown[] }
  | { kind: 'version'; version: unknown }

/** Reads the raw argument list ipcMain.handle received. */
export function checkRequest(raw: unknown[]): RequestCheck {
  if (raw.length !== 1) return { kind: 'plain', args: raw }
  const value = raw[0]
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { kind: 'plain', args: raw }
  const r = value as Partial<Request>
  if (r.ipcflow !== 'invoke') return { kind: 'plain', args: raw }
  const { id, args } = r
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_REQUEST_ID_LENGTH || !Array.isArray(args)) {
    return { kind: 'plain', args: raw }
  }
  if (Object.keys(value).length !== 4) return { kind: 'plain', args: raw }
  if (r.v !== PROTOCOL_VERSION) return { kind: 'version', version: r.v }
  return { kind: 'request', id, args }
}

export interface SuccessEnvelope<T = unknown> {
  success: true
  data: T
  /** `cached: true` when answered from the response cache; `batched: true` on channels registered with `batch`. */
  metadata: { executionTimeMs: number; cached: boolean; batched?: true }
}

export interface ErrorEnvelope {
  success: false
  error: { code: ErrorCode; message: string; details: Record<string, unknown> }
  /** `cached: true` when a cached error was replayed (`cache.cacheErrors`). */
  metadata: { executionTimeMs: number; cached?: boolean }
}

/** Every reply of a HandlerRegistry, in process and across IPC. */
export type Envelope<T = unknown> = SuccessEnvelope<T> | ErrorEnvelope

export function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Envelope
  return typeof v.success === 'boolean' && typeof v.metadata === 'object' && v.metadata !== null
}

/** The message both sides use when the other speaks another protocol version. */
export function versionMismatch(what: string, theirs: unknown): string {
  return `${what} speaks ipcflow protocol v${String(theirs)}, this side speaks v${PROTOCOL_VERSION}: ` +
    'main and the renderer/preload bundle must use the same ipcflow version'
}

/**
 * Streams (README "Streaming"). Open: the client invokes a channel registered
 * with `registerStream` with a Request; the envelope's data is a StreamOpened
 * (or the envelope fails: validation, sender, rate limit...). Main then sends
 * StreamMessages on STREAM_CHANNEL to the requesting webContents; the client
 * acknowledges with `send(STREAM_ACK_CHANNEL, id, n)`, n = chunks consumed so
 * far (cumulative), and cancels with CANCEL_CHANNEL. A cancel may come before
 * the opening reply, even before main read the request: main answers such a
 * request E_CANCELLED, and a client that gave up sends the cancel again if a
 * late reply still says the stream opened.
 */
export const STREAM_CHANNEL = 'ipcflow:stream' as const
export const STREAM_ACK_CHANNEL = 'ipcflow:stream-ack' as const
/** Stream and batch messages carry the protocol version too. */
export const STREAM_VERSION = PROTOCOL_VERSION

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
  | { ipcflow: 'error'; id: string; error: { code: ErrorCode; message: string; details: Record<string, unknown> } }

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
export const BATCH_VERSION = PROTOCOL_VERSION
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

export function makeBatchRequest(calls: Array<{ id: string; args: unknown[] }>): BatchRequest {
  return { ipcflow: BATCH_MARK, v: BATCH_VERSION, calls: calls.map(({ id, args }) => ({ id, args })) }
}

export function makeBatchReply(envelopes: unknown[]): BatchReply {
  return { ipcflow: BATCH_MARK, v: BATCH_VERSION, envelopes }
}

/** The calls of the raw arguments ipcMain.handle received when they are one BatchRequest, else undefined. */
export function checkBatchRequest(raw: unknown[]): BatchRequest['calls'] | undefined {
  if (raw.length !== 1) return undefined
  const m = raw[0] as Partial<BatchRequest> | null
  if (m === null || typeof m !== 'object' || m.ipcflow !== BATCH_MARK || m.v !== BATCH_VERSION || !Array.isArray(m.calls)) return undefined
  const { calls } = m
  if (calls.length === 0 || calls.length > MAX_BATCH_CALLS) return undefined
  for (const c of calls) {
    if (c === null || typeof c !== 'object' || typeof c.id !== 'string' || c.id.length === 0 || c.id.length > MAX_REQUEST_ID_LENGTH || !Array.isArray(c.args)) return undefined
  }
  return calls
}

export function isBatchReply(value: unknown, calls: number): value is BatchReply {
  if (typeof value !== 'object' || value === null) return false
  const v = value as BatchReply
  return v.ipcflow === BATCH_MARK && v.v === BATCH_VERSION && Array.isArray(v.envelopes) && v.envelopes.length === calls
}

/**
 * Heartbeat (README "HeartbeatMonitor"). Main sends a Ping to a window; the
 * renderer client answers with a Pong of the same id from its event loop, so a
 * page too busy to run its tasks (a hung window) stops answering.
 */
export const PING_CHANNEL = 'ipcflow:ping' as const
export const PONG_CHANNEL = 'ipcflow:pong' as const

export interface Ping {
  ipcflow: 'ping'
  v: typeof PROTOCOL_VERSION
  id: number
}

export interface Pong {
  ipcflow: 'pong'
  v: typeof PROTOCOL_VERSION
  id: number
}

export function makePing(id: number): Ping {
  return { ipcflow: 'ping', v: PROTOCOL_VERSION, id }
}

export function makePong(id: number): Pong {
  return { ipcflow: 'pong', v: PROTOCOL_VERSION, id }
}

/** The id of a Ping (or, with `kind: 'pong'`, a Pong) of this protocol version; undefined for anything else. */
export function heartbeatId(value: unknown, kind: 'ping' | 'pong'): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const m = value as Partial<Ping>
  if ((m.ipcflow as string) !== kind || m.v !== PROTOCOL_VERSION || !Number.isSafeInteger(m.id)) return undefined
  return m.id
}
