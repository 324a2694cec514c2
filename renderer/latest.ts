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
import { ListenerTable } from './listeners'

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

/** Per-frame grouping for `onBatch`, on its own listener table (and so its own direct subscriptions). */
export function createBatchDispatch(ipcRenderer: IpcRendererLike, report: Report) {
  const listeners: ListenerTable<unknown[]> = new ListenerTable<unknown[]>(ipcRenderer, report, (channel, payload) => listeners.deliver(channel, [payload]))

  return {
    add: (channel: string, listener: BatchListener): (() => void) => listeners.add(channel, listener),
    /** Called once per accepted frame, after its per-message dispatch. */
    frame(channels: string[], payloads: unknown[]): void {
      if (listeners.isEmpty) return
      const groups = new Map<string, unknown[]>()
      for (let i = 0; i < channels.length; i++) {
        if (!listeners.has(channels[i])) continue
        const group = groups.get(channels[i])
        if (group === undefined) groups.set(channels[i], [payloads[i]])
        else group.push(payloads[i])
      }
      for (const [channel, group] of groups) listeners.deliver(channel, group)
    },
    close: (): void => listeners.clear(),
  }
}
