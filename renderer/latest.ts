/**
 * Renderer-side pacing for busy channels (README "Latest-wins and per-frame
 * listeners"):
 * - `onLatest`: at most one (async) listener call at a time per subscription;
 *   messages that arrive meanwhile collapse to the newest, which runs next.
 * - `onBatch`: every message of one frame for a channel as one array, so a
 *   page re-renders once per frame rather than once per message. A direct
 *   (unbatched) send arrives as an array of one.
 * No Node or Electron imports, like the rest of the client.
 */
import type { IpcRendererLike } from './index'

export type LatestListener<T = unknown> = (payload: T) => unknown
export type BatchListener<T = unknown> = (payloads: T[]) => void
type Report = (error: unknown, channel: string) => void

/**
 * Runs `listener` for `payload` unless a call is running; then keeps only
 * the newest payload and runs it when the running call settles.
 */
export function createLatestRunner(channel: string, listener: LatestListener, report: Report) {
  let running = false
  let waiting = false
  let next: unknown
  let stopped = false

  const run = (payload: unknown): void => {
    running = true
    let result: unknown
    try {
      result = listener(payload)
    } catch (error) {
      report(error, channel)
    }
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      Promise.resolve(result).then(settle, (error) => {
        report(error, channel)
        settle()
      })
    } else {
      settle()
    }
  }

  const settle = (): void => {
    running = false
    if (!waiting || stopped) return
    waiting = false
    const payload = next
    next = undefined
    run(payload)
  }

  return {
    push(payload: unknown): void {
      if (stopped) return
      if (running) {
        waiting = true
        next = payload
      } else {
        run(payload)
      }
    },
    /** Drops the waiting payload; a running call finishes on its own. */
    stop(): void {
      stopped = true
      waiting = false
      next = undefined
    },
  }
}

/** Per-frame grouping for `onBatch`, with its own subscriptions for direct sends. */
export function createBatchDispatch(ipcRenderer: IpcRendererLike, report: Report) {
  // Copy-on-write arrays, as in the client's own listener table.
  const listeners = new Map<string, BatchListener[]>()
  const direct = new Map<string, (event: unknown, payload?: unknown) => void>()

  const deliver = (channel: string, payloads: unknown[]): void => {
    const list = listeners.get(channel)
    if (list === undefined) return
    for (let i = 0; i < list.length; i++) {
      try {
        list[i](payloads)
      } catch (error) {
        report(error, channel)
      }
    }
  }

  const remove = (channel: string, listener: BatchListener): void => {
    const list = listeners.get(channel)
    if (list === undefined) return
    const next = list.filter((l) => l !== listener)
    if (next.length > 0) {
      listeners.set(channel, next)
      return
    }
    listeners.delete(channel)
    const forward = direct.get(channel)
    if (forward !== undefined) {
      direct.delete(channel)
      ipcRenderer.removeListener(channel, forward)
    }
  }

  return {
    add(channel: string, listener: BatchListener): () => void {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener])
      if (!direct.has(channel)) {
        const forward = (_event: unknown, payload?: unknown): void => deliver(channel, [payload])
        direct.set(channel, forward)
        ipcRenderer.on(channel, forward)
      }
      let subscribed = true
      return () => {
        if (!subscribed) return
        subscribed = false
        remove(channel, listener)
      }
    },
    /** Called once per accepted frame, after its per-message dispatch. */
    frame(channels: string[], payloads: unknown[]): void {
      if (listeners.size === 0) return
      const groups = new Map<string, unknown[]>()
      for (let i = 0; i < channels.length; i++) {
        if (!listeners.has(channels[i])) continue
        const group = groups.get(channels[i])
        if (group === undefined) groups.set(channels[i], [payloads[i]])
        else group.push(payloads[i])
      }
      for (const [channel, group] of groups) deliver(channel, group)
    },
    close(): void {
      for (const [channel, forward] of direct) ipcRenderer.removeListener(channel, forward)
      direct.clear()
      listeners.clear()
    },
  }
}
