/**
 * The client half of request batching (README "Request batching"): invokes
 * on a batchable channel made within one task go out as ONE
 * `ipcRenderer.invoke(channel, BatchRequest)`, flushed from a microtask (no
 * timer clamp, no `process.nextTick`, so it works in a sandboxed preload).
 * A channel is batchable when the client was told so (`batchChannels`) or
 * after main's first envelope for it said `metadata.batched: true`.
 */
import { MAX_BATCH_CALLS, isBatchReply, isEnvelope, makeBatchRequest } from './protocol'

// What a caller in a batch gets when main's reply for it is not an envelope.
const malformedReply = (channel: string) => ({
  success: false,
  error: { code: 'E_PROTOCOL', message: `Main's reply to a request batch on '${channel}' was malformed`, details: { channel } },
  metadata: { executionTimeMs: 0 },
})

interface Invoker {
  invoke(channel: string, ...args: any[]): Promise<any>
}

interface Queued {
  id: string
  args: unknown[]
  resolve: (reply: unknown) => void
  reject: (error: unknown) => void
}

export interface RequestBatcherStats {
  /** IPC messages that carried more than one call. */
  batches: number
  /** Calls sent inside them. */
  batchedCalls: number
}

export function createRequestBatcher(ipcRenderer: Invoker, channels: readonly string[] = []) {
  const known = new Set(channels)
  const queues = new Map<string, Queued[]>()
  const stats: RequestBatcherStats = { batches: 0, batchedCalls: 0 }

  const flush = (channel: string): void => {
    const queue = queues.get(channel)
    queues.delete(channel)
    if (queue === undefined) return
    for (let i = 0; i < queue.length; i += MAX_BATCH_CALLS) send(channel, queue.slice(i, i + MAX_BATCH_CALLS))
  }

  const send = (channel: string, calls: Queued[]): void => {
    if (calls.length === 0) return
    let reply: Promise<unknown>
    try {
      if (calls.length === 1) {
        const { id, args } = calls[0]
        reply = Promise.resolve(ipcRenderer.invoke(channel, { ipcflow: 'invoke', v: 1, id, args }))
      } else {
        stats.batches++
        stats.batchedCalls += calls.length
        const request = makeBatchRequest(calls)
        reply = Promise.resolve(ipcRenderer.invoke(channel, request))
      }
    } catch (error) {
      reply = Promise.reject(error)
    }
    reply.then(
      (value) => {
        if (calls.length === 1) calls[0].resolve(value)
        else if (isBatchReply(value, calls.length)) calls.forEach((c, i) => c.resolve(isEnvelope(value.envelopes[i]) ? value.envelopes[i] : malformedReply(channel)))
        else if (isEnvelope(value)) for (const c of calls) c.resolve(value) // one refusal for all (e.g. an unknown channel)
        else for (const c of calls) c.resolve(malformedReply(channel)) // never hand one caller another's (or the whole) reply
      },
      (error) => {
        for (const c of calls) c.reject(error)
      },
    )
  }

  return {
    wants: (channel: string): boolean => known.has(channel),
    learn: (channel: string): void => {
      known.add(channel)
    },
    /** Queues one call; resolves with what main answered for it (its envelope). */
    call(channel: string, id: string, args: unknown[]): Promise<unknown> {
      return new Promise((resolve, reject) => {
        let queue = queues.get(channel)
        if (queue === undefined) {
          queue = []
          queues.set(channel, queue)
          queueMicrotask(() => flush(channel))
        }
        queue.push({ id, args, resolve, reject })
      })
    },
    /** A call given up before its flush is never sent. */
    drop(channel: string, id: string): boolean {
      const queue = queues.get(channel)
      const i = queue === undefined ? -1 : queue.findIndex((c) => c.id === id)
      if (i === -1) return false
      queue!.splice(i, 1)
      return true
    },
    stats: (): RequestBatcherStats => ({ ...stats }),
  }
}
