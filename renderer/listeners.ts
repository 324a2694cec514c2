/**
 * The client's listener table, shared by `on` (renderer/index.ts) and
 * `onBatch` (renderer/latest.ts): listeners per channel, and one ipcRenderer
 * subscription per channel for direct (unbatched) sends, added with the
 * channel's first listener and removed with its last.
 * No Node or Electron imports, like the rest of the client.
 */
import type { IpcRendererLike } from './index'

type Report = (error: unknown, channel: string) => void
type Forward = (event: unknown, payload?: unknown) => void

/** `A`: what one delivery hands each listener (a payload for `on`, an array of them for `onBatch`). */
export class ListenerTable<A> {
  // Arrays replaced on change (copy-on-write): a delivery iterates a snapshot,
  // so listeners added or removed meanwhile do not disturb it, and the hot loop allocates nothing.
  private readonly lists = new Map<string, Array<(arg: A) => void>>()
  private readonly direct = new Map<string, Forward>()

  /**
   * `report` gets a listener's throw (it must not throw itself); `onDirect` is what a direct
   * send of `payload` on `channel` becomes, usually a `deliver` of this table.
   */
  constructor(
    private readonly ipcRenderer: Pick<IpcRendererLike, 'on' | 'removeListener'>,
    private readonly report: Report,
    private readonly onDirect: (channel: string, payload: unknown) => void,
  ) {}

  /** Hands `arg` to every listener of `channel` in subscription order; a throw is reported and the rest still run. */
  deliver(channel: string, arg: A): void {
    const list = this.lists.get(channel)
    if (list === undefined) return
    for (let i = 0; i < list.length; i++) {
      try {
        list[i](arg)
      } catch (error) {
        this.report(error, channel)
      }
    }
  }

  has(channel: string): boolean {
    return this.lists.has(channel)
  }

  get isEmpty(): boolean {
    return this.lists.size === 0
  }

  /** Adds `listener` (again, if already there); the returned function removes this subscription, once. */
  add(channel: string, listener: (arg: A) => void): () => void {
    this.lists.set(channel, [...(this.lists.get(channel) ?? []), listener])
    if (!this.direct.has(channel)) {
      const onDirect = this.onDirect
      const forward: Forward = (_event, payload) => onDirect(channel, payload)
      this.direct.set(channel, forward)
      this.ipcRenderer.on(channel, forward)
    }
    let subscribed = true
    return () => {
      if (!subscribed) return
      subscribed = false
      this.remove(channel, listener)
    }
  }

  /** Removes one subscription of `listener` (the earliest); the last one out drops the direct subscription. */
  remove(channel: string, listener: (arg: A) => void): void {
    const list = this.lists.get(channel)
    if (list === undefined) return
    const i = list.indexOf(listener)
    if (i === -1) return
    if (list.length > 1) {
      this.lists.set(channel, list.slice(0, i).concat(list.slice(i + 1)))
      return
    }
    this.lists.delete(channel)
    const forward = this.direct.get(channel)
    if (forward !== undefined) {
      this.direct.delete(channel)
      this.ipcRenderer.removeListener(channel, forward)
    }
  }

  /** Drops every listener and direct subscription (dispose). */
  clear(): void {
    for (const [channel, forward] of this.direct) this.ipcRenderer.removeListener(channel, forward)
    this.direct.clear()
    this.lists.clear()
  }
}
