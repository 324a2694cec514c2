// Hand-written public types of ipcflow (main process). The generated
// binding.d.ts describes the raw addon; these describe what users import.
// Types are structural: Electron's WebContents and IpcMain fit them without
// this package importing Electron (proved by __tests__/types.test.ts).

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

/** Every error ipcflow throws or reports: a stable `code`, a readable message, `details`. */
export declare class IpcError extends Error {
  constructor(code: string, message: string, details?: Record<string, unknown>)
  readonly code: string
  readonly details: Record<string, unknown>
  toJSON(): { code: string; message: string; details: Record<string, unknown> }
  /** Rebuilds the matching subclass from `{ code, message, details }`. */
  static from(value: { code?: unknown; message?: unknown; details?: unknown }): IpcError
}
export declare class ValidationError extends IpcError {}
export declare class TimeoutError extends IpcError {}
export declare class RateLimitedError extends IpcError {}
export declare class ForbiddenSenderError extends IpcError {}
export declare class NotFoundError extends IpcError {}
export declare class PayloadTooLargeError extends IpcError {}
export declare class CancelledError extends IpcError {}
export declare class HandlerError extends IpcError {}
export declare class ClosedError extends IpcError {}
export declare class InvalidArgumentError extends IpcError {}
export declare class UncloneableError extends IpcError {}
export declare class DuplicateHandlerError extends IpcError {}

/** What BatchManager sends to: Electron's `WebContents` fits. */
export interface WebContentsLike {
  readonly id: number
  send(channel: string, ...args: any[]): void
  isDestroyed?(): boolean
}

/** The part of Electron's `IpcMain` that ipcflow uses. */
export interface IpcMainLike {
  on(channel: string, listener: (event: { sender: any }, ...args: any[]) => void): unknown
  removeListener(channel: string, listener: (...args: any[]) => void): unknown
}

/** Anything with `record`/`increment` (a PerformanceMonitor) receives batch metrics. */
export interface MonitorLike {
  record(name: string, value: number): void
  increment(name: string, by?: number): void
}

/** The channel frames travel on, and the one a renderer client announces itself on. */
export declare const FRAME_CHANNEL: 'ipcflow:frame'
export declare const READY_CHANNEL: 'ipcflow:ready'
export declare const FRAME_VERSION: 1

/**
 * One batch, sent as a single structured-clone value on FRAME_CHANNEL.
 * `channels[i]` and `payloads[i]` form message i, in queue order.
 */
export interface Frame {
  ipcflow: 'frame'
  v: 1
  /** Identifies the sending BatchManager: seq restarts at 1 for each stream. */
  stream: number
  /** Per target and stream, starting at 1, +1 per frame: gaps mean lost frames. */
  seq: number
  channels: string[]
  payloads: unknown[]
}

export type Priority = 'critical' | 'normal' | 'low'
export type OverflowPolicy = 'drop-oldest' | 'drop-newest'
export type FlushReason = 'size' | 'bytes' | 'time' | 'priority' | 'manual' | 'close' | 'ready'

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
  /** Problems that did not throw into the caller (uncloneable payloads, failed sends). */
  onError?: (error: IpcError) => void
}

export interface AddMessageOptions {
  priority?: Priority
  /** The newest pending message with this key replaces older ones, at the newest position. */
  coalesceKey?: string
}

export interface Distribution {
  count: number
  min: number
  max: number
  mean: number
  p50: number
  p95: number
  p99: number
}

export interface BatchMetrics {
  messagesIn: number
  messagesOut: number
  framesOut: number
  /** 1 - framesOut / messagesOut: the share of sends batching saved. */
  reductionRatio: number
  coalesced: number
  duplicates: number
  pending: number
  targets: number
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

export declare class BatchManager {
  constructor(options?: BatchOptions, deps?: { monitor?: MonitorLike })
  /** Queues a message; returns false when it was dropped (destroyed target, full queue). */
  addMessage(channel: string, payload: unknown, target: WebContentsLike, options?: AddMessageOptions): boolean
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
