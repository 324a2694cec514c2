/**
 * ipcflow renderer client: unpacks the frames BatchManager sends and dispatches
 * each message, in order, to per-channel listeners. Plain TypeScript: no Node
 * or Electron imports, so it runs in a preload, a renderer or a test.
 *
 * Preload with contextIsolation (the default):
 *
 *   const { contextBridge, ipcRenderer } = require('electron')
 *   const { createRendererClient } = require('ipcflow/renderer')
 *   const client = createRendererClient(ipcRenderer)
 *   contextBridge.exposeInMainWorld('ipcflow', { on: client.on, getStats: client.getStats })
 *   // page: const stop = window.ipcflow.on('agent:token', (t) => ...); later stop()
 *
 * Busy channels: `client.onLatest(channel, async (state) => ...)` (one call at a
 * time, newest wins) and `client.onBatch(channel, (payloads) => ...)` (one call
 * per frame); see renderer/latest.ts. The client also answers main's
 * HeartbeatMonitor pings (`answerPings`).
 *
 * Requests to a main-side HandlerRegistry:
 *
 *   const hits = await client.invoke('db:search', { q: 'x' })          // resolves with `data`
 *   await client.invokeWithOptions('db:search', [{ q: 'x' }], { signal, timeoutMs: 5000 })
 *   // failures reject with an IpcError: err.code === 'E_VALIDATION', err.details.errors ...
 *
 * Options travel in a separate call rather than as a trailing `{ signal }`
 * argument: a payload object that happens to look like options would be
 * misread. Across contextBridge, custom Error properties (`code`, `details`)
 * and AbortSignals are lost: in the preload, expose a wrapper that returns
 * `{ ok, data } | { ok: false, error: { code, message, details } }` and takes
 * an id to cancel by, and rebuild the IpcError page-side.
 *
 * - Every function is a closure that never uses `this`, because contextBridge
 *   proxies functions and calls them detached.
 * - Unsubscribe with the function `on` returns: a page function crossing the
 *   bridge twice is not guaranteed to arrive as the same proxy, so `off` may
 *   not find it from the page side.
 * - Payloads are copied again when they cross the bridge, which supports fewer
 *   types than IPC's structured clone (e.g. no Map/Set).
 * - A sandboxed preload cannot `require` npm packages: bundle this file into it.
 */
import { createStreamer, type StreamChunk, type StreamOptions } from './stream'
import { IpcError, invalidArgument } from './errors'
import { createInvoker, type InvokeOptions } from './invoke'

export { IpcError, isIpcError } from './errors'
export type { InvokeOptions } from './invoke'
import { createRequestBatcher } from './batch'
import { createBatchDispatch, createLatestRunner, type BatchListener, type LatestListener } from './latest'
import { ListenerTable } from './listeners'

export type { BatchListener, LatestListener } from './latest'

export type { StreamChunk, StreamOptions } from './stream'
export { STREAM_CHANNEL, STREAM_ACK_CHANNEL } from './protocol'

import {
  ACK_CHANNEL,
  CANCEL_CHANNEL,
  FRAME_CHANNEL,
  PING_CHANNEL,
  PONG_CHANNEL,
  READY_CHANNEL,
  checkFrame,
  heartbeatId,
  makePong,
  isReservedChannel,
  makeReady,
  versionMismatch,
} from './protocol'
import type { ArgsOf, ChannelMap, ItemOf, MessageChannel, MessageOf, RequestChannel, ResultOf, StreamChannel, UntypedChannel, UntypedChannels } from './channels'

// Typed channels (channels.ts), also re-exported by the main package's index.d.ts.
export type * from './channels'

export { ACK_CHANNEL, CANCEL_CHANNEL, FRAME_CHANNEL, PING_CHANNEL, PONG_CHANNEL, PROTOCOL_VERSION, READY_CHANNEL } from './protocol'
export type { Envelope, ErrorCode, ErrorEnvelope, Frame, IpcErrorCode, SuccessEnvelope } from './protocol'



/** The part of Electron's `IpcRenderer` the client uses (Electron's type fits). */
export interface IpcRendererLike {
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
  send(channel: string, ...args: unknown[]): void
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
}

export interface GapInfo {
  /** The seq that should have arrived. */
  expected: number
  received: number
  /** Frames missing between them. */
  lost: number
}

export interface RendererClientOptions {
  /** Send READY_CHANNEL once subscribed, so main releases held messages. Default true. */
  announceReady?: boolean
  onGap?: (info: GapInfo) => void
  /** A listener (or onGap) threw; the other messages still go out. Default: console.error. */
  onListenerError?: (error: unknown, channel: string) => void
  /**
   * A frame from a main process speaking another ipcflow protocol version arrived (E_PROTOCOL);
   * it is counted and not dispatched. Default: console.error, once per client.
   */
  onProtocolError?: (error: IpcError) => void
  /** Batchable channels to coalesce from the first call (others are learnt from main's replies). */
  batchChannels?: string[]
  /** Answer main's HeartbeatMonitor pings (PING_CHANNEL), so main can tell a hung window. Default true. */
  answerPings?: boolean
}

export interface RendererClientStats {
  /** Frames accepted and dispatched. */
  frames: number
  /** Messages dispatched, from frames and direct (unbatched) sends. */
  messages: number
  gaps: number
  lostFrames: number
  /** Values on FRAME_CHANNEL that are not a frame. */
  malformed: number
  /** Frames of another protocol version (main and this bundle run different ipcflow versions). */
  versionMismatches: number
  /** Frames whose seq was not newer than the last one. */
  duplicates: number
  /** Request batches sent (IPC messages carrying more than one call) and the calls in them. */
  requestBatches: number
  batchedCalls: number
}

export type Listener<T = unknown> = (payload: T) => void

/** `C`: the app's channel map (see channels.ts); without one, channels are strings and payloads `unknown`. */
export interface RendererClient<C extends ChannelMap<C> = UntypedChannels> {
  /** Subscribes to batched and direct messages of `channel`; returns an unsubscribe function. */
  /** Throws an IpcError: E_INVALID_ARGUMENT for a bad or reserved channel or listener, E_CLOSED once disposed. */
  on<K extends MessageChannel<C>>(channel: K, listener: Listener<MessageOf<C, K>>): () => void
  on<T = unknown>(channel: UntypedChannel<C>, listener: Listener<T>): () => void
  off<K extends MessageChannel<C>>(channel: K, listener: Listener<MessageOf<C, K>>): void
  off<T = unknown>(channel: UntypedChannel<C>, listener: Listener<T>): void
  /**
   * Like `on`, but at most one call of `listener` runs at a time (it may return a promise); messages
   * arriving meanwhile collapse to the newest, which runs next. Throws and rejections go to onListenerError.
   */
  onLatest<K extends MessageChannel<C>>(channel: K, listener: LatestListener<MessageOf<C, K>>): () => void
  onLatest<T = unknown>(channel: UntypedChannel<C>, listener: LatestListener<T>): () => void
  /** All messages of one frame for `channel` as one array (a direct send arrives as an array of one). */
  onBatch<K extends MessageChannel<C>>(channel: K, listener: BatchListener<MessageOf<C, K>>): () => void
  onBatch<T = unknown>(channel: UntypedChannel<C>, listener: BatchListener<T>): () => void
  getStats(): RendererClientStats
  /** Calls a HandlerRegistry channel; resolves with `data`, rejects with an IpcError. */
  invoke<K extends RequestChannel<C>>(channel: K, ...args: ArgsOf<C, K>): Promise<ResultOf<C, K>>
  invoke<T = unknown>(channel: UntypedChannel<C>, ...args: unknown[]): Promise<T>
  /** `invoke` with a signal and/or a timeout; `args` is the argument list. */
  invokeWithOptions<K extends RequestChannel<C>>(channel: K, args: ArgsOf<C, K>, options?: InvokeOptions): Promise<ResultOf<C, K>>
  invokeWithOptions<T = unknown>(channel: UntypedChannel<C>, args: unknown[], options?: InvokeOptions): Promise<T>
  /** Opens a `registerStream` channel; `for await` its chunks, `break` or abort to cancel (README "Streaming"). */
  stream<K extends StreamChannel<C>>(channel: K, args: ArgsOf<C, K>, options?: StreamOptions): AsyncIterable<StreamChunk<ItemOf<C, K>>>
  stream<T = unknown>(channel: UntypedChannel<C>, args: unknown[], options?: StreamOptions): AsyncIterable<StreamChunk<T>>
  /** Removes every ipcRenderer listener and rejects pending requests (E_CLOSED); the client is unusable afterwards. */
  dispose(): void
}


const defaultListenerError = (error: unknown, channel: string): void => {
  console.error(`[ipcflow] a listener for '${channel}' threw:`, error)
}

// One line per client is enough to say the bundles disagree; every frame would flood the console.
const onceToConsole = (): ((error: IpcError) => void) => {
  let said = false
  return (error) => {
    if (said) return
    said = true
    console.error(`[ipcflow] ${error.message}`)
  }
}


/** Frames lost between two received ones beyond which the later one counts as malformed. */
const MAX_SEQ_JUMP = 2 ** 32

export function createRendererClient<C extends ChannelMap<C> = UntypedChannels>(ipcRenderer: IpcRendererLike, options: RendererClientOptions = {}): RendererClient<C> {
  const i = ipcRenderer as Partial<IpcRendererLike> | null
  if (i === null || typeof i !== 'object' || typeof i.on !== 'function' || typeof i.removeListener !== 'function' || typeof i.send !== 'function' || typeof i.invoke !== 'function') {
    throw invalidArgument('ipcRenderer', 'an object with on(), removeListener(), send() and invoke()', ipcRenderer)
  }
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options)
  const onListenerError = options.onListenerError ?? defaultListenerError
  const onGap = options.onGap
  const onProtocolError = options.onProtocolError ?? onceToConsole()
  const stats: Omit<RendererClientStats, 'requestBatches' | 'batchedCalls'> = { frames: 0, messages: 0, gaps: 0, lostFrames: 0, malformed: 0, versionMismatches: 0, duplicates: 0 }
  // Last seq per stream (one stream per main-side BatchManager).
  const lastSeqs = new Map<number, number>()
  let disposed = false
  const batcher = createRequestBatcher(ipcRenderer, options.batchChannels)
  const invoker = createInvoker(ipcRenderer, batcher)
  const streamer = createStreamer(ipcRenderer, CANCEL_CHANNEL, (code, message, details) => new IpcError(code, message, details), () => {
    stats.malformed++
  })

  const report = (error: unknown, channel: string): void => {
    try {
      onListenerError(error, channel)
    } catch {
      // An error reporter that throws must not stop dispatch either.
    }
  }

  // Messages of frames and direct sends alike (the table forwards direct sends here).
  const dispatch = (channel: string, payload: unknown): void => {
    stats.messages++
    listeners.deliver(channel, payload)
  }
  const listeners = new ListenerTable<unknown>(ipcRenderer, report, dispatch)
  const batches = createBatchDispatch(ipcRenderer, report)

  const onFrame = (_event: unknown, value?: unknown): void => {
    let checked: ReturnType<typeof checkFrame>
    try {
      checked = checkFrame(value)
    } catch {
      // a getter or Proxy trap threw (only possible in process: IPC delivers clones)
      stats.malformed++
      return
    }
    if (!checked.ok) {
      if (checked.reason === 'shape') stats.malformed++
      else versionMismatched(checked.version)
      return
    }
    const frame = checked.frame
    const { seq, stream } = frame
    const lastSeq = lastSeqs.get(stream)
    if (lastSeq !== undefined) {
      if (seq <= lastSeq) {
        stats.duplicates++
        if (frame.ack === true) acknowledge(stream, seq)
        return
      }
      // Main numbers frames one by one: a jump this large is a corrupt frame, and
      // taking it as the new baseline would drop every real frame after it as a duplicate.
      if (seq - lastSeq > MAX_SEQ_JUMP) {
        stats.malformed++
        return
      }
      if (seq > lastSeq + 1) {
        const info: GapInfo = { expected: lastSeq + 1, received: seq, lost: seq - lastSeq - 1 }
        stats.gaps++
        stats.lostFrames += info.lost
        if (onGap) {
          try {
            onGap(info)
          } catch (error) {
            report(error, FRAME_CHANNEL)
          }
        }
      }
    }
    // The first frame seen is the baseline: a late or reloaded renderer is not a gap.
    lastSeqs.set(stream, seq)
    stats.frames++
    const { channels, payloads } = frame
    for (let i = 0; i < channels.length; i++) dispatch(channels[i], payloads[i])
    batches.frame(channels, payloads)
    if (frame.ack === true) acknowledge(stream, seq)
  }

  const versionMismatched = (version: unknown): void => {
    stats.versionMismatches++
    const error = new IpcError('E_PROTOCOL', versionMismatch('The main process', version), { received: String(version) })
    try {
      onProtocolError(error)
    } catch {
      // a reporter that throws must not break the frame listener
    }
  }

  const acknowledge = (stream: number, seq: number): void => {
    try {
      ipcRenderer.send(ACK_CHANNEL, stream, seq)
    } catch (error) {
      report(error, ACK_CHANNEL)
    }
  }

  const checkSubscription = (channel: string, listener: unknown): void => {
    if (disposed) throw new IpcError('E_CLOSED', 'ipcflow renderer client is disposed', { channel })
    if (typeof channel !== 'string' || channel.length === 0) {
      throw invalidArgument('channel', 'a non-empty string', channel)
    }
    if (typeof listener !== 'function') throw invalidArgument('listener', 'a function', listener)
    if (isReservedChannel(channel)) throw invalidArgument('channel', 'a name outside the reserved ipcflow: prefix', channel)
  }

  const onLatest = <T = unknown>(channel: string, listener: LatestListener<T>): (() => void) => {
    checkSubscription(channel, listener)
    const runner = createLatestRunner(channel, listener as LatestListener, report)
    const stop = on(channel, runner.push)
    return () => {
      runner.stop()
      stop()
    }
  }

  const onBatch = <T = unknown>(channel: string, listener: BatchListener<T>): (() => void) => {
    checkSubscription(channel, listener)
    return batches.add(channel, listener as BatchListener)
  }

  const on = <T = unknown>(channel: string, listener: Listener<T>): (() => void) => {
    checkSubscription(channel, listener)
    return listeners.add(channel, listener as Listener)
  }

  const off = <T = unknown>(channel: string, listener: Listener<T>): void => {
    listeners.remove(channel, listener as Listener)
  }

  const getStats = (): RendererClientStats => {
    const b = batcher.stats()
    return { ...stats, requestBatches: b.batches, batchedCalls: b.batchedCalls }
  }

  const dispose = (): void => {
    if (disposed) return
    disposed = true
    ipcRenderer.removeListener(FRAME_CHANNEL, onFrame)
    if (answerPings) ipcRenderer.removeListener(PING_CHANNEL, onPing)
    listeners.clear()
    batches.close()
    invoker.close()
    streamer.close()
  }

  // Answered from this page's event loop: a page too busy to run tasks stays silent.
  const onPing = (_event: unknown, value?: unknown): void => {
    const id = heartbeatId(value, 'ping')
    if (id === undefined) return
    try {
      ipcRenderer.send(PONG_CHANNEL, makePong(id))
    } catch (error) {
      report(error, PONG_CHANNEL)
    }
  }
  const answerPings = options.answerPings ?? true

  ipcRenderer.on(FRAME_CHANNEL, onFrame)
  if (answerPings) ipcRenderer.on(PING_CHANNEL, onPing)
  // `acks: true` tells main this client acknowledges frames that ask for it.
  if (options.announceReady ?? true) ipcRenderer.send(READY_CHANNEL, makeReady(true))

  const { invoke, invokeWithOptions } = invoker
  const { stream } = streamer
  return Object.freeze({ on, off, onLatest, onBatch, invoke, invokeWithOptions, stream, getStats, dispose })
}
