// Hand-written public types of ipcflow (main process). The generated
// binding.d.ts describes the raw addon; these describe what users import.
// Types are structural: Electron's WebContents and IpcMain fit them without
// this package importing Electron (proved by __tests__/types.test.ts).

import type { BindingDistribution, BindingFlushReason, BindingValidationIssue } from './binding'
import type { Envelope, ErrorCode } from './renderer/dist/protocol'
import type { ArgsOf, ChannelMap, ItemOf, MessageChannel, MessageOf, RequestChannel, ResultOf, StreamChannel, UntypedChannel, UntypedChannels } from './renderer/dist/channels'

// The wire protocol (frames, requests, envelopes, error codes) is defined once,
// in renderer/protocol.ts, which main and the renderer client both use.
export type { Envelope, ErrorCode, ErrorEnvelope, Frame, IpcErrorCode, SuccessEnvelope } from './renderer/dist/protocol'

/** Every error ipcflow throws or reports: a stable `code`, a readable message, `details`. */
export declare class IpcError extends Error {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>)
  readonly code: ErrorCode
  readonly details: Record<string, unknown>
  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> }
  /** Rebuilds the matching subclass from `{ code, message, details }`. */
  static from(value: { code?: unknown; message?: unknown; details?: unknown }): IpcError
}
export declare class ValidationError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
export declare class TimeoutError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
export declare class RateLimitedError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
export declare class ForbiddenSenderError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
export declare class NotFoundError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
export declare class PayloadTooLargeError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
export declare class CancelledError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
export declare class HandlerError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
export declare class ClosedError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
export declare class InvalidArgumentError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
export declare class UncloneableError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
export declare class DuplicateHandlerError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
/** E_PROTOCOL: main and a renderer client run different ipcflow protocol versions. */
export declare class ProtocolError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
/** E_INTERNAL: a bug in ipcflow (a native panic or a broken invariant); please report it. */
export declare class InternalError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}

/** What BatchManager sends to: Electron's `WebContents` fits. */
export interface WebContentsLike {
  readonly id: number
  send(channel: string, ...args: unknown[]): void
  isDestroyed?(): boolean
}

/** What ipcMain's listeners receive first: Electron's `IpcMainEvent` fits. */
export interface IpcMainEventLike {
  readonly sender: WebContentsLike
}

/** What ipcMain's `handle` listeners receive first: Electron's `IpcMainInvokeEvent` fits. */
export interface IpcMainInvokeEventLike extends IpcMainEventLike {
  readonly senderFrame?: { readonly origin?: string; readonly url?: string } | null
}

/** The part of Electron's `IpcMain` that ipcflow uses. */
export interface IpcMainLike {
  on(channel: string, listener: (event: IpcMainEventLike, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: IpcMainEventLike, ...args: unknown[]) => void): unknown
}

/** Anything with `record`/`increment` (a PerformanceMonitor) receives batch metrics. */
export interface MonitorLike {
  record(name: string, value: number): void
  increment(name: string, by?: number): void
}

// FRAME_CHANNEL (main -> renderer frames), READY_CHANNEL (a renderer client announces itself), ACK_CHANNEL
// (renderer -> main `(stream, seq)`, flow control), CANCEL_CHANNEL (renderer -> main `(requestId)`) and
// PROTOCOL_VERSION, from the one protocol module.
export { ACK_CHANNEL, CANCEL_CHANNEL, FRAME_CHANNEL, PROTOCOL_VERSION, READY_CHANNEL } from './renderer/dist/protocol'

export type Priority = 'critical' | 'normal' | 'low'
export type OverflowPolicy = 'drop-oldest' | 'drop-newest'
/** Why a frame left: 'size' | 'bytes' | 'time' | 'priority' | 'manual' | 'close' | 'ready' (defined natively). */
export type FlushReason = Lowercase<keyof typeof BindingFlushReason>

export interface BatchOptions {
  /** Messages per frame; a full batch is sent at once. Default 50. */
  maxBatchSize?: number
  /** The longest a message waits, counted from the first message of its batch. Default 16. */
  maxWaitMs?: number
  /** How long a batch of only `low` messages may wait. Default 4 x maxWaitMs. */
  lowPriorityWaitMs?: number
  /** Estimated bytes per frame; Infinity (default) turns byte counting off. */
  maxBatchBytes?: number
  /** Messages one target may hold (e.g. while not ready). Default 10,000. */
  maxQueueSize?: number
  /** What a full queue drops. Default 'drop-oldest'. */
  overflow?: OverflowPolicy
  /** false: every message is sent directly with `send(channel, payload)`. Default true. */
  enabled?: boolean
  /** New targets hold messages until `markReady(target)`. Default false. */
  holdUntilReady?: boolean
  /** Suppress exact duplicates (same channel, equal payload) within a batch. Default false. */
  dedupe?: boolean
  /** Queue wait is sampled on 1 message in N. Default 8. */
  waitSampleEvery?: number
  /**
   * Unacknowledged frames a renderer client may have before its target pauses (messages then
   * queue, bounded by maxQueueSize). Applies to clients that announced acks through `attach(ipcMain)`.
   * Default 16; 0 turns flow control off.
   */
  maxFramesInFlight?: number
  /**
   * Adaptive batching: a message to a target that has been quiet (no message to it) for `idleMs` leaves at once, as a plain
   * `send(channel, payload)` (flush reason 'idle'); messages that follow within the window batch as usual. Default true.
   */
  adaptive?: boolean
  /** How long a target must have been quiet (no message to it) for its next message to leave at once. Default maxWaitMs. */
  idleMs?: number
  /**
   * Frame budget per target under load: size and time flushes wait so that a target receives at most this many
   * frames a second (frames then grow past maxBatchSize, bounded by maxQueueSize); critical messages, flush()
   * and close() are not held. Default 0 (no budget); 60 matches a renderer's frame rate.
   */
  maxFramesPerSecond?: number
  /** Problems that did not throw into the caller (uncloneable payloads, failed sends). */
  onError?: (error: IpcError) => void
}

export interface AddMessageOptions {
  priority?: Priority
  /** The newest pending message with this key replaces older ones, at the newest position. */
  coalesceKey?: string
}

/** count, min, max, mean, p50, p95, p99 of a native histogram. */
export type Distribution = BindingDistribution

export interface BatchMetrics {
  messagesIn: number
  messagesOut: number
  framesOut: number
  /** 1 - framesOut / messagesOut: the share of sends batching saved. */
  reductionRatio: number
  coalesced: number
  duplicates: number
  /**
   * Times the native timer woke the main thread to send due batches. With `adaptive`, a batch due before the
   * producer's next turn leaves at the end of the current one instead (flush reason `time`), without a wake.
   */
  timerWakes: number
  pending: number
  targets: number
  /** Times a target paused because its renderer fell maxFramesInFlight frames behind. */
  pauses: number
  pausedTargets: number
  flushReasons: Record<FlushReason, number>
  drops: { overflow: number; destroyed: number; uncloneable: number; total: number }
  batchSize: Distribution
  /** Sampled per-message wait between addMessage and send, ms. */
  queueWaitMs: Distribution
  /** Wait of the oldest message of each frame, ms (exact). */
  batchAgeMs: Distribution
  /** Estimated frame bytes (only with maxBatchBytes). */
  frameBytes: Distribution
}

/**
 * Time and timers a component uses instead of performance.now() and the native timer (`deps.clock`), so a
 * test's fake timers drive it whatever the machine's load. `now()` is in ms on performance.now()'s scale.
 * Timers on a clock are the clock's own: unlike the native timer's, they may keep the process alive.
 */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export declare class BatchManager<C extends ChannelMap<C> = UntypedChannels> {
  /** With `memory`, critical memory pressure flushes what is pending (and reports it as the gauge `ipcflow.batch.pending`). */
  constructor(options?: BatchOptions, deps?: { monitor?: MonitorLike; memory?: MemoryLike; clock?: Clock })
  /** Queues a message; returns false when it was dropped (destroyed target, full queue). */
  addMessage<K extends MessageChannel<C> | UntypedChannel<C>>(channel: K, payload: MessagePayload<C, K>, target: WebContentsLike, options?: AddMessageOptions): boolean
  /** Sends what is pending now, for one target or all. */
  flush(target?: WebContentsLike): void
  /** Releases messages held for a target (see `holdUntilReady`). */
  markReady(target: WebContentsLike): void
  /** Marks a target as not ready again (e.g. its page is reloading). */
  markNotReady(target: WebContentsLike): void
  /** Listens for renderer clients announcing themselves and marks their sender ready. */
  attach(ipcMain: IpcMainLike): void
  detach(): void
  /** Messages waiting, for one target or all. */
  pending(target?: WebContentsLike): number
  getMetrics(): BatchMetrics
  resetMetrics(): void
  readonly closed: boolean
  /** Flushes everything, stops the native timer; later addMessage throws E_CLOSED. */
  close(): Promise<void>
}

// HandlerRegistry

/** The part of Electron's `IpcMain` HandlerRegistry uses: `handle` for requests, `on` for cancels. */
export interface IpcMainHandleLike extends IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown): void
  removeHandler(channel: string): void
}

/** A JSON Schema (draft 2020-12), e.g. from `z.toJSONSchema(zodSchema)`. */
export type JsonSchema = Record<string, unknown> | boolean

export interface RateLimit {
  /** Requests allowed per window. */
  requests: number
  windowMs: number
  /** One budget for the channel (default), or one per sender (webContents id). */
  per?: 'channel' | 'sender'
}

/** Who is calling, as given to `invoke`; from ipcMain it is read off the event. */
export interface InvokeContext {
  senderId?: number
  /** `event.senderFrame.origin`, e.g. 'app://main' or 'https://app.example'. */
  origin?: string
  url?: string
  /** Aborting answers E_CANCELLED and aborts the handler's `ctx.signal`. */
  signal?: AbortSignal
  sender?: WebContentsLike
}

/** The last argument of every handler (and the argument of `allowSender`). */
export interface HandlerContext {
  readonly channel: string
  /** Aborted on timeout (reason: TimeoutError), renderer cancel (CancelledError) or `close()` (ClosedError). */
  readonly signal: AbortSignal
  readonly senderId?: number
  readonly origin?: string
  readonly url?: string
  /** The calling webContents (from ipcMain only). */
  readonly sender?: WebContentsLike
}

/**
 * Called as `handler(...args, ctx)`; may return a value or a Promise. Parameters are `any` on
 * purpose: a handler declares the types its schema guarantees (`(query: Query, ctx) => ...`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (...args: any[]) => unknown

export interface HandlerOptions {
  /** Validates the first (and only) argument; pointers in errors are relative to it. */
  schema?: JsonSchema
  /** Validates the whole argument list as an array (pointers start with /0, /1...). Not with `schema`. */
  argsSchema?: JsonSchema
  /** E_TIMEOUT after this many ms; `ctx.signal` is aborted, a late result is discarded and counted. */
  timeoutMs?: number
  /** One limit, or a channel limit and a sender limit. E_RATE_LIMITED carries `details.retryAfterMs`. */
  rateLimit?: RateLimit | RateLimit[]
  /** Exact origins allowed to call ('https://app.example', 'app://main', 'file://'). */
  allowedOrigins?: string[]
  /** Must return exactly `true` (synchronously) for the call to run; a throw refuses. */
  allowSender?: (ctx: HandlerContext) => boolean
  /** Estimated size cap over all arguments (E_PAYLOAD_TOO_LARGE). Default 1 MiB; Infinity turns it off. */
  maxBytes?: number
  /** Nesting cap within one argument (E_PAYLOAD_TOO_LARGE). Default 64; Infinity turns it off. */
  maxDepth?: number
  /** Response cache (README "Response cache"), after the sender check, validation and rate limit. */
  cache?: CacheOptions
  /**
   * Request batching (README "Request batching"): the handler is called as `handler(keys, ctxs)` with one
   * key per call (each call takes exactly one argument) and returns an array of the same length and order.
   */
  batch?: RequestBatchOptions
}

export interface RequestBatchOptions {
  /** Distinct keys per handler call; more calls start another batch at once (default 100). */
  maxSize?: number
  /** The window from a batch's first call, ms; 0 (default) = until the next macrotask. */
  delayMs?: number
}

export interface RequestBatchMetrics {
  batches: number
  calls: number
  /** Calls that shared an identical key already in their batch. */
  deduplicated: number
  /** Keys per handler call. */
  sizes: Distribution
  /** From a call's arrival to its batch's start, ms. */
  waitMs: Distribution
}

export interface CacheOptions {
  /** Time to live of an entry, ms (Infinity: until evicted or invalidated). */
  ttlMs: number
  /** Entry cap (default 1000 when neither cap is given). */
  maxEntries?: number
  /** Cap on the estimated bytes of keys and values. */
  maxBytes?: number
  /** Also replay handler errors (never E_TIMEOUT, E_CANCELLED, E_CLOSED, E_INTERNAL). Default false. */
  cacheErrors?: boolean
  /** A custom key instead of the canonical arguments; `undefined` serves the call uncached. */
  key?: (args: unknown[], ctx: HandlerContext) => string | undefined
}

export interface StreamOptions extends Omit<HandlerOptions, 'cache'> {
  /** Items per chunk (default 64). */
  chunkSize?: number
  /** Chunks sent ahead of the renderer's acknowledgements; the producer is not resumed past it (default 4). */
  highWaterMark?: number
  /** A chunk is sent early once its items' estimated size reaches this (default 256 KiB). */
  maxChunkBytes?: number
}

/** The `ctx` a stream producer receives: a HandlerContext plus `setTotal`. */
export interface StreamContext extends HandlerContext {
  /** The expected number of items: chunks then carry `total` and `percentage`. */
  setTotal(total: number): void
}

export interface StreamMetrics {
  opened: number
  completed: number
  cancelled: number
  failed: number
  open: number
  chunks: number
  items: number
  /** Estimated bytes of the items sent. */
  bytes: number
  /** Time producers spent paused by backpressure. */
  pausedMs: number
  durationMs: Distribution
}

export interface CacheStats {
  hits: number
  misses: number
  entries: number
  /** Estimated bytes (0 unless `maxBytes` is set). */
  bytes: number
  /** Removed to stay within maxEntries / maxBytes. */
  evictions: number
  /** Removed because their TTL passed. */
  expirations: number
  /** hits / (hits + misses), 0 before any lookup. */
  hitRate: number
}

/** What BatchManager and HandlerRegistry take as `memory`: a MemoryManager fits. */
export interface MemoryLike {
  onPressure(fn: (level: PressureLevel) => void): () => void
}

export interface RegistryOptions {
  monitor?: MonitorLike
  /** Critical memory pressure halves every response cache (`shrinkCaches(0.5)`). */
  memory?: MemoryLike
  defaults?: { maxBytes?: number; maxDepth?: number; timeoutMs?: number }
}

/** One failing field: `details.errors[i]` of an E_VALIDATION error. */
export type ValidationIssue = BindingValidationIssue

export interface ChannelMetrics {
  calls: number
  ok: number
  errors: number
  errorsByCode: Record<string, number>
  /** Results or errors that came after the call was answered (timeout, cancel, close). */
  lateResults: number
  inFlight: number
  /** Calls that reached their handler, ms. */
  latencyMs: Distribution
  /** Channels registered with registerStream. */
  stream?: StreamMetrics
  /** Channels registered with `batch`. */
  batch?: RequestBatchMetrics
}

export interface RegistryMetrics {
  channels: Record<string, ChannelMetrics>
  /** All channels plus calls that reached none (E_NOT_FOUND, E_CLOSED, bad arguments). */
  totals: Omit<ChannelMetrics, 'latencyMs'>
}

export declare class HandlerRegistry<C extends ChannelMap<C> = UntypedChannels> {
  constructor(options?: RegistryOptions)
  /** Throws E_DUPLICATE_HANDLER for a channel already registered, E_INVALID_ARGUMENT for bad options or schemas. */
  register<K extends RequestChannel<C>>(channel: K, handler: TypedHandler<C, K>, options?: HandlerOptions): void
  register(channel: UntypedChannel<C>, handler: Handler, options?: HandlerOptions): void
  /** `handler(...args, ctx)` returns an async or sync iterable (or a promise of one), read by `client.stream` in a renderer. */
  registerStream<K extends StreamChannel<C>>(channel: K, handler: TypedStreamHandler<C, K>, options?: StreamOptions): void
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  registerStream(channel: UntypedChannel<C>, handler: (...args: any[]) => Producer<unknown>, options?: StreamOptions): void
  /** Removes the channel (and its ipcMain handler); calls in flight still answer. */
  unregister(channel: string): boolean
  has(channel: string): boolean
  channels(): string[]
  /** `ipcMain.handle` for every channel, now and registered later; listens on CANCEL_CHANNEL. */
  attach(ipcMain: IpcMainHandleLike): void
  detach(): void
  /** The same pipeline without Electron; always resolves with an envelope. */
  invoke<K extends RequestChannel<C>>(channel: K, args: ArgsOf<C, K>, ctx?: InvokeContext): Promise<Envelope<ResultOf<C, K>>>
  invoke<T = unknown>(channel: UntypedChannel<C>, args: unknown[], ctx?: InvokeContext): Promise<Envelope<T>>
  getMetrics(): RegistryMetrics
  resetMetrics(): void
  /** Drops `channel`'s cached answers: all, or the one for `args` (the argument list, as given to invoke). Returns how many. */
  invalidate(channel: string, args?: unknown[]): number
  /** Drops the cached answers of every channel whose name starts with `prefix`. */
  invalidatePrefix(prefix: string): number
  clearCache(): number
  /** Per cached channel. */
  getCacheStats(): Record<string, CacheStats>
  /** Drops the oldest `fraction` (0 < fraction <= 1) of every cache (memory pressure). Returns how many. */
  shrinkCaches(fraction: number): number
  readonly closed: boolean
  /** Detaches and answers calls in flight with E_CLOSED (aborting their signals). */
  close(): Promise<void>
}

// Typed channels (renderer/channels.ts): `new HandlerRegistry<Channels>()`, `new BatchManager<Channels>()`.

export type * from './renderer/dist/channels'

/** What a stream handler returns: an async or sync iterable of items, or a promise of one. */
export type Producer<T> = AsyncIterable<T> | Iterable<T> | Promise<AsyncIterable<T> | Iterable<T>>

/** A producer of stream channel K: its declared arguments, then the stream context; yields the channel's items. */
export type TypedStreamHandler<C, K extends keyof C> = (...args: [...ArgsOf<C, K>, StreamContext]) => Producer<ItemOf<C, K>>

/** A handler of request channel K: its declared arguments, then the context; returns its result (or a Promise of it). */
export type TypedHandler<C, K extends keyof C> = (...args: [...ArgsOf<C, K>, HandlerContext]) => ResultOf<C, K> | PromiseLike<ResultOf<C, K>>

/** The payload `addMessage` takes on channel K: the declared message, or `unknown` without a map. */
export type MessagePayload<C, K> = K extends keyof C ? MessageOf<C, K> : unknown

// ---------------------------------------------------------------------------
// PerformanceMonitor (README, PerformanceMonitor)

/** Label values of one series; numbers and booleans are turned into strings. */
export type MetricLabels = Record<string, string | number | boolean>

/** One histogram's figures, in the unit values were recorded in (ms for latencies). */
export type HistogramSummary = import('./binding').BindingSummary

export interface StallEvent {
  /** How long the JS thread did not turn its event loop. */
  durationMs: number
  /** Wall-clock ms since the Unix epoch at which the stall began. */
  startedAt: number
}

export interface StallMetrics {
  count: number
  /** Stalls the native thread noticed (and logged) while they were still happening. */
  noticed: number
  durationMs: HistogramSummary
  /** What the watchdog itself did since it started. */
  watchdog: WatchdogActivity
}

/**
 * The watchdog's own cost. An idle loop that waits for events in libuv (Node, worker threads, on Linux) costs
 * almost no `wakes` and no `pings`: the thread sleeps until the loop wakes (`parks`). Elsewhere, and in
 * Electron's main process, whose loop runs between Chromium tasks, an idle loop costs one ping per half threshold.
 */
export interface WatchdogActivity {
  /** Times the watchdog thread woke up. */
  wakes: number
  /** Times it pinged the JS thread, each a wake of that thread. */
  pings: number
  /** Times it saw the loop waiting for events and slept until the loop woke. */
  parks: number
}

/** `getMetrics()`: plain and JSON-serialisable, keyed by `name` or `name{label="value",...}`. */
export interface MonitorMetrics {
  counters: Record<string, number>
  gauges: Record<string, number>
  histograms: Record<string, HistogramSummary>
  /** null when the watchdog is off. */
  stalls: StallMetrics | null
  uptimeMs: number
}

export type InsightLevel = 'info' | 'warning' | 'critical'

export interface Insight {
  id: string
  level: InsightLevel
  message: string
  value: number
  threshold: number
  recommendation: string
}

/** Emitted when a rule changes level; `level: 'ok'` when it stops firing. */
export interface AlertEvent {
  id: string
  level: InsightLevel | 'ok'
  previous: InsightLevel | 'ok'
  message: string
  value?: number
  threshold?: number
  recommendation?: string
}

export interface InsightThresholds {
  /** A channel's p95 latency (ms) that warns. Default 100. */
  p95WarningMs?: number
  /** A channel's p95 latency (ms) that is critical. Default 500. */
  p95CriticalMs?: number
  /** Values a histogram needs before latency and batch rules judge it. Default 20. */
  minSamples?: number
  /** Cache hit rate below which a warning fires. Default 0.5. */
  cacheHitRate?: number
  /** Lookups before the cache rule judges. Default 100. */
  minCacheLookups?: number
  /** Mean batch size, as a share of the largest, that reads as "always full". Default 0.9. */
  batchFullShare?: number
  /** A stall at least this long (ms) is critical. Default 1000. */
  stallCriticalMs?: number
}

export interface MonitorOptions {
  /** The JS-thread stall watchdog; on by default with thresholdMs 100 (>= 10). `false` turns it off. */
  watchdog?: false | { thresholdMs?: number }
  /** Prometheus bucket bounds for histograms without their own (see `describe`). */
  buckets?: number[]
  /** Percentiles in `getMetrics()` over the last windowMs (>= 10) only; Prometheus stays cumulative. */
  windowMs?: number
  insights?: InsightThresholds
  /** How often rules are evaluated for 'alert' events (ms, >= 10). Default 10,000; false: only on getInsights(). */
  insightIntervalMs?: number | false
  /** Shorthand for `setLogger(logger, { level: logLevel })` (process-wide, per JS environment). */
  logger?: Logger | null
  logLevel?: LogLevel
}

export interface CounterHandle {
  increment(n?: number): void
}
export interface HistogramHandle {
  record(value: number): void
}
export interface GaugeHandle {
  set(value: number): void
}

export declare class PerformanceMonitor implements MonitorLike {
  constructor(options?: MonitorOptions)
  increment(name: string, n?: number, labels?: MetricLabels): void
  gauge(name: string, value: number, labels?: MetricLabels): void
  record(name: string, value: number, labels?: MetricLabels): void
  /** Hot-path handle: `record(v)` queues the value (two array stores); it crosses to Rust with the next batch or read. */
  histogram(name: string, labels?: MetricLabels): HistogramHandle
  counter(name: string, labels?: MetricLabels): CounterHandle
  gaugeHandle(name: string, labels?: MetricLabels): GaugeHandle
  /** Prometheus help text; bucket bounds for histograms of this name created afterwards. */
  describe(name: string, options?: { help?: string; buckets?: number[] }): void
  getMetrics(): MonitorMetrics
  reset(): void
  /** Prometheus text exposition format 0.0.4. */
  toPrometheus(): string
  getInsights(): Insight[]
  close(): void
  readonly closed: boolean
  /** Listener throws and rejections are contained and counted here. */
  readonly listenerErrors: number
  on(event: 'stall', listener: (stall: StallEvent) => void): this
  on(event: 'alert', listener: (alert: AlertEvent) => void): this
  once(event: 'stall', listener: (stall: StallEvent) => void): this
  once(event: 'alert', listener: (alert: AlertEvent) => void): this
  off(event: 'stall' | 'alert', listener: (...args: any[]) => void): this
}

// ---------------------------------------------------------------------------
// MemoryManager (README, MemoryManager)

export type PressureLevel = 'normal' | 'warning' | 'critical'
export type MemoryTrend = 'unknown' | 'growing' | 'stable' | 'shrinking'

export interface MemoryOptions {
  /** A task not touched for this long is cleaned by a native timer (ms, >= 10). Default 30,000. */
  inactiveTaskMs?: number
  /** `forceCleanup()` and critical pressure clean tasks idle at least this long (ms, >= 10). Default min(5,000, inactiveTaskMs). */
  idleTaskMs?: number
  /** How often RSS, CPU and the JS heap are sampled (ms, >= 10). Default 1,000. */
  sampleIntervalMs?: number
  /** Samples kept for the trend (10..100,000). Default 120. */
  windowSamples?: number
  /** What the thresholds (and the trend) watch. Default 'rss'. */
  pressureOn?: 'rss' | 'heap'
  /** Default: 50% of total memory on RSS, 70% of V8's heap_size_limit on heap. */
  warningBytes?: number
  /** Default: 75% of total memory on RSS, 85% of V8's heap_size_limit on heap. */
  criticalBytes?: number
  /** A level clears only below threshold * (1 - hysteresis). Default 0.1. */
  hysteresis?: number
  /** When the fitted slope reads as growth (README, MemoryManager, Trend). */
  trend?: { minBytesPerHour?: number; minRelativePerHour?: number; minR2?: number }
  /** Linux PSI: `some avg10` (%) that raises warning (default 10), `full avg10` that raises critical (default 10); false ignores it. */
  osPressure?: false | { warningSome?: number; criticalFull?: number }
  /** false: no native sampling (samples only from `sample()`); idle cleanup still runs. */
  sample?: boolean
}

export interface TaskCleanupInfo {
  id: string | number
  meta: unknown
  reason: 'released' | 'idle' | 'pressure' | 'forced'
}

export interface TaskOptions {
  onCleanup?: (info: TaskCleanupInfo) => void | Promise<void>
  meta?: unknown
}

export interface TaskInfo {
  id: string | number
  meta: unknown
  createdAt: number
  lastTouchedAt: number
  idleMs: number
}

export interface MemoryStats {
  rssBytes: number
  heapUsedBytes: number
  externalBytes: number
  arrayBuffersBytes: number
  trend: MemoryTrend
  growthBytesPerHour: number
  r2: number
  pressure: PressureLevel
  tasks: { active: number; cleaned: number; cleanupErrors: number }
  samples: number
  /** Wall-clock ms of the last sample; null before the first. */
  sampledAt: number | null
  /** Process CPU as a percentage of one core over each interval, across the window. */
  cpu: { avgPercent: number; peakPercent: number }
  /** Linux PSI of the last sample, when available. */
  osPressure: { someAvg10: number; fullAvg10: number } | null
  /** Tick gaps read as system suspends (left out of the trend). */
  suspends: number
}

/** Anything that accepts gauges (a PerformanceMonitor). */
export interface GaugeMonitorLike {
  gauge(name: string, value: number): void
  increment(name: string, by?: number): void
}

export declare class MemoryManager {
  constructor(options?: MemoryOptions, deps?: { monitor?: GaugeMonitorLike; clock?: Clock })
  /** Throws E_DUPLICATE_TASK when the id is tracked already. */
  trackTask(id: string | number, options?: TaskOptions): void
  touch(id: string | number): boolean
  release(id: string | number): boolean
  getTask(id: string | number): TaskInfo | undefined
  tasks(): TaskInfo[]
  /** `fn(level, stats)` on every pressure change (shrink on 'critical'); returns an unsubscribe. */
  onPressure(fn: (level: PressureLevel, stats: MemoryStats) => void | Promise<void>): () => void
  forceCleanup(): { cleaned: Array<string | number>; active: number }
  /** Test hook: feeds one sample now; fields left out are read from this process. */
  sample(values?: { rssBytes?: number; heapUsedBytes?: number; externalBytes?: number; arrayBuffersBytes?: number }): MemoryStats
  getStats(): MemoryStats
  close(): void
  readonly closed: boolean
  readonly listenerErrors: number
  on(event: 'pressure', listener: (level: PressureLevel, stats: MemoryStats) => void): this
  once(event: 'pressure', listener: (level: PressureLevel, stats: MemoryStats) => void): this
  off(event: 'pressure', listener: (...args: any[]) => void): this
}

// ---------------------------------------------------------------------------
// Logging (README, Logging)

export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace'

export interface LogRecord {
  level: Exclude<LogLevel, 'off'>
  /** Where it comes from: `ipcflow::watchdog`, `ipcflow::memory`, `ipcflow::insights`, ... */
  target: string
  message: string
  fields: Record<string, string>
  /** Wall-clock ms at delivery on the JS thread. */
  time: number
  /** Native records this logger missed (queue of 1,024 full) before this one. */
  droppedBefore: number
}

export type Logger = (record: LogRecord) => void

/** Sets the logger of this JS environment (null removes it); level defaults to 'warn'. */
export declare function setLogger(logger: Logger | null, options?: { level?: LogLevel }): void
/** Changes the level at run time; with no logger set, logs to stderr. */
export declare function setLogLevel(level: LogLevel): void
export declare function getLogLevel(): LogLevel
export declare function getLogStats(): { delivered: number; dropped: number; loggerErrors: number }
/** What DEBUG_IPC=1 does at load (jest sandboxes process.env): debug level, to stderr unless a logger is set. */
export declare function enableDebugLogging(on?: boolean): void

export interface DebouncerOptions {
  /** Delay per priority, ms (0 to a day). `normal` 300 and `critical` 50 by default; other keys add priorities. */
  delays?: { normal?: number; critical?: number; [priority: string]: number | undefined }
  /** The longest a steady stream of calls can postpone a key (lodash's maxWait). Default Infinity. */
  maxWaitMs?: number
  /** Run the first call of a burst at once. Default false. */
  leading?: boolean
  /** Run the latest call once the burst pauses (after a leading run, only if called again). Default true. */
  trailing?: boolean
  /** A fn threw or rejected (counted in getStats().errors either way). */
  onError?: (error: unknown, key: unknown) => void
}

export interface DebouncerStats {
  runs: number
  errors: number
  cancelled: number
  /** Keys whose call is still to run. */
  pending: number
}

/**
 * Per-key debounce on the batch clock's native timer. The timer does not keep the process alive:
 * flush() before exiting if pending calls must run.
 */
export declare class Debouncer {
  constructor(options?: DebouncerOptions, deps?: { clock?: Clock })
  /** Runs the latest `fn` for `key` once calls pause for the priority's delay (a burst keeps its most urgent delay). */
  debounce(key: unknown, fn: () => unknown, priority?: 'normal' | 'critical' | (string & {})): void
  /** Drops `key`'s pending call; true if there was one. */
  cancel(key: unknown): boolean
  /** Runs pending calls now (one key or all); returns how many ran. */
  flush(key?: unknown): number
  /** The keys whose call is still to run. */
  pending(): unknown[]
  getStats(): DebouncerStats
  /** Drops every pending call and stops the timer; debounce() then throws E_CLOSED. */
  close(): void
}

/** E_STARTUP_CYCLE: startup components depend on each other in a cycle; `details.cycle` is `['a', 'b', 'a']`. */
export declare class StartupCycleError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
/** E_MISSING_DEPENDENCY: `details.component` depends on `details.dependency`, which was never added. */
export declare class MissingDependencyError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}
/** E_STARTUP_FAILED: `details.component` failed or timed out (`cause`); `details.report` says what ran. */
export declare class StartupError extends IpcError {
  constructor(message: string, details?: Record<string, unknown>)
}

export interface StartupSequencerOptions {
  /** Components starting at once. Default 4. */
  concurrency?: number
  /** Default per-component timeout, ms (Infinity: none). Default 30000. */
  timeoutMs?: number
}

export interface StartupComponent<T = unknown> {
  /** Returns the component's value (what get() resolves with); `signal` aborts at the timeout. */
  start(context: { signal: AbortSignal }): T | Promise<T>
  dependsOn?: string[]
  /** Overrides the sequencer's timeoutMs for this component. */
  timeoutMs?: number
  /** Start on first get() rather than in start(). Default false. */
  lazy?: boolean
}

export type StartupStatus = 'pending' | 'lazy' | 'starting' | 'started' | 'failed' | 'skipped'

export interface StartupReportEntry {
  name: string
  status: StartupStatus
  dependsOn: string[]
  /** ms since the sequencer's first start() or get(). */
  startMs?: number
  endMs?: number
  durationMs?: number
  error?: { code: string; message: string }
}

export interface StartupReport {
  /** No component failed or was skipped. */
  ok: boolean
  /** When the last component ended, ms since the first start. */
  totalMs: number
  /** From a root to the component that ended last, following the dependency each one waited for. */
  criticalPath: string[]
  components: StartupReportEntry[]
}

export declare class StartupSequencer {
  constructor(options?: StartupSequencerOptions)
  add<T>(name: string, component: StartupComponent<T>): this
  /** Starts the non-lazy components in dependency order; rejects with StartupCycleError, MissingDependencyError or StartupError. */
  start(): Promise<StartupReport>
  /** The component's value, starting it and its dependencies first if needed (lazy components start here). */
  get<T = unknown>(name: string): Promise<T>
  getReport(): StartupReport
}

export type OptimizationReport =
  | { kind: 'BatchManager'; flushedMessages: number; /** Held by targets paused by flow control. */ stillPending: number }
  | { kind: 'HandlerRegistry'; cacheEntriesDropped: number; cacheBytesFreed: number }
  | { kind: 'MemoryManager'; tasksCleaned: number; tasksActive: number }
  | { kind: 'PerformanceMonitor'; metricsReset: number }

export interface Optimizable {
  forceOptimization(): OptimizationReport
}

export interface ForceOptimizationResult {
  reports: OptimizationReport[]
  totals: { flushedMessages: number; cacheEntriesDropped: number; cacheBytesFreed: number; tasksCleaned: number; metricsReset: number }
  durationMs: number
}

/** Calls forceOptimization() of each instance (BatchManager, HandlerRegistry, MemoryManager, PerformanceMonitor). */
export declare function forceOptimization(...instances: Optimizable[]): ForceOptimizationResult

// Merged into the classes above (same type parameters), so each keeps its own declaration block.
export interface BatchManager<C extends ChannelMap<C> = UntypedChannels> {
  /** Sends every queued message now (paused targets keep theirs). */
  forceOptimization(): Extract<OptimizationReport, { kind: 'BatchManager' }>
}
export interface HandlerRegistry<C extends ChannelMap<C> = UntypedChannels> {
  /** Clears every response cache, or drops the oldest `shrinkFraction` (0 < f <= 1) of each. */
  forceOptimization(options?: { shrinkFraction?: number }): Extract<OptimizationReport, { kind: 'HandlerRegistry' }>
}
export interface MemoryManager {
  /** Cleans idle tasks now (as forceCleanup()). */
  forceOptimization(): Extract<OptimizationReport, { kind: 'MemoryManager' }>
}
export interface PerformanceMonitor {
  /** Zeroes counters, gauges and histograms (as reset()); handles stay valid. */
  forceOptimization(): Extract<OptimizationReport, { kind: 'PerformanceMonitor' }>
}

/** main -> renderer: a HeartbeatMonitor ping (answered by the renderer client). */
export declare const PING_CHANNEL: 'ipcflow:ping'
/** renderer -> main: the answer to a ping. */
export declare const PONG_CHANNEL: 'ipcflow:pong'

export type HeartbeatStatus = 'healthy' | 'stale' | 'dead'

export interface HeartbeatOptions {
  /** Resolves when the source answers; a rejection, a throw or no answer within timeoutMs is a miss. */
  probe: () => unknown
  /** Time between a probe's outcome and the next probe, ms. Default 1000. */
  intervalMs?: number
  /** How long a probe may take, ms. Default intervalMs. */
  timeoutMs?: number
  /** Consecutive misses before 'stale'. Default 1. */
  staleAfter?: number
  /** Consecutive misses before 'dead' (>= staleAfter). Default 3. */
  deadAfter?: number
  /** Called when dead, until the source answers again or maxReconnectAttempts is reached. */
  reconnect?: (info: { attempt: number }) => unknown
  /** Default 5; afterwards 'gave-up' fires once and probing goes on. */
  maxReconnectAttempts?: number
  /** Delay before attempt n: min(maxMs, initialMs * factor^(n-1)), minus up to `jitter` of it at random. Defaults 500, 30000, 2, 0.5. */
  backoff?: { initialMs?: number; maxMs?: number; factor?: number; jitter?: number }
}

export interface HeartbeatStats {
  status: HeartbeatStatus
  probes: number
  failures: number
  consecutiveMisses: number
  lastRttMs: number | undefined
  /** Attempts since the source last answered. */
  reconnectAttempts: number
  /** reconnect() calls that resolved. */
  reconnects: number
  gaveUp: boolean
  lastError: { code: string; message: string } | undefined
}

/**
 * Watches a source through `probe()`. Events: 'status' (status, previous, info), 'healthy' | 'stale' | 'dead'
 * (info), 'reconnecting' ({ attempt, delayMs }), 'reconnected' ({ attempt }), 'reconnect-failed'
 * ({ attempt, error }), 'gave-up' ({ attempts }). Its timers do not keep the process alive.
 */
export declare class HeartbeatMonitor {
  constructor(options: HeartbeatOptions, deps?: { clock?: Clock })
  readonly status: HeartbeatStatus
  getStats(): HeartbeatStats
  /** Stops probing and reconnecting; a probe with close() (pingProbe) is closed too. */
  close(): void
  on(event: 'status', listener: (status: HeartbeatStatus, previous: HeartbeatStatus, info: Record<string, unknown>) => void): this
  on(event: HeartbeatStatus, listener: (info: Record<string, unknown>) => void): this
  on(event: 'reconnecting', listener: (info: { attempt: number; delayMs: number }) => void): this
  on(event: 'reconnected', listener: (info: { attempt: number }) => void): this
  on(event: 'reconnect-failed', listener: (info: { attempt: number; error: unknown }) => void): this
  on(event: 'gave-up', listener: (info: { attempts: number }) => void): this
  once(event: string, listener: (...args: any[]) => void): this
  off(event: string, listener: (...args: any[]) => void): this
}

/** A probe that pings `webContents` and resolves when its renderer client answers (a hung page does not). */
export declare function pingProbe(ipcMain: IpcMainLike, webContents: WebContentsLike): (() => Promise<void>) & { close(): void }
