// The app's IPC, without Electron's runtime (only its types): a token stream
// main -> renderer through BatchManager, validated requests renderer -> main
// through HandlerRegistry. main.ts wires it to Electron; the repo's tests run it
// against the Electron stand-in.
import type { IpcMain, WebContents } from 'electron'
import { BatchManager, HandlerRegistry, IpcError, MemoryManager, PerformanceMonitor } from 'ipcflow'
import { fakeAgent, NOTES } from './agent'
import type { Channels } from './channels'

export function createIpc(options: { origins?: string[] } = {}) {
  // The page is loaded from a file: only file:// pages may call.
  const allowedOrigins = options.origins ?? ['file://']

  // Frames of up to 50 messages, none waiting more than 16 ms (one display frame).
  // holdUntilReady: messages wait until the page's renderer client announces itself.
  // One monitor for everything (latency histograms, counters, Prometheus text);
  // a memory manager that cleans up runs nobody touched for 30 s and shrinks caches under pressure.
  const monitor = new PerformanceMonitor()
  const memory = new MemoryManager({ inactiveTaskMs: 30_000 }, { monitor })
  const batcher = new BatchManager<Channels>({
    maxBatchSize: 50,
    maxWaitMs: 16,
    holdUntilReady: true,
    onError: (error: IpcError) => console.error(`[ipcflow] ${error.code}: ${error.message}`),
  }, { monitor, memory })
  const registry = new HandlerRegistry<Channels>({ defaults: { timeoutMs: 5000 }, monitor, memory })

  // Runs in flight, so 'agent:stop', a closing window and close() can abort them.
  const runs = new Map<string, { controller: AbortController; done: Promise<void> }>()
  let nextRun = 1

  async function run(runId: string, prompt: string, tokens: number, target: WebContents, signal: AbortSignal): Promise<void> {
    let seq = 0
    for await (const text of fakeAgent(prompt, tokens, signal)) {
      batcher.addMessage('agent:token', { runId, seq: seq++, text }, target)
      // Latest wins: only the newest state of a run is sent per frame.
      if (seq % 25 === 0) batcher.addMessage('agent:state', { runId, status: 'running', tokens: seq }, target, { coalesceKey: `state:${runId}` })
      if (seq % 100 === 0) memory.touch(runId) // still alive: not idle
    }
    const status = signal.aborted ? 'stopped' : 'done'
    // critical: sent at once, after the tokens already queued (order is kept).
    batcher.addMessage('agent:state', { runId, status, tokens: seq }, target, { priority: 'critical', coalesceKey: `state:${runId}` })
  }

  registry.register(
    'agent:start',
    ({ prompt, tokens = 2000 }, ctx) => {
      const sender = ctx.sender as WebContents | undefined
      if (sender === undefined) throw new IpcError('E_NO_WINDOW', 'agent:start must come from a window')
      const runId = `run-${nextRun++}`
      const controller = new AbortController()
      // A run nobody stops or touches for 30 s is cleaned up by the memory manager.
      memory.trackTask(runId, { onCleanup: () => controller.abort() })
      const done = run(runId, prompt, tokens, sender, controller.signal)
        .catch((error: unknown) => console.error(`[example] ${runId} failed:`, error))
        .finally(() => {
          runs.delete(runId)
          memory.release(runId)
        })
      runs.set(runId, { controller, done })
      return { runId }
    },
    {
      schema: {
        type: 'object',
        properties: { prompt: { type: 'string', minLength: 1, maxLength: 500 }, tokens: { type: 'integer', minimum: 1, maximum: 100000 } },
        required: ['prompt'],
        additionalProperties: false,
      },
      rateLimit: { requests: 5, windowMs: 1000, per: 'sender' },
      allowedOrigins,
    },
  )

  registry.register(
    'agent:stop',
    ({ runId }) => {
      const running = runs.get(runId)
      running?.controller.abort()
      return running !== undefined
    },
    { schema: { type: 'object', properties: { runId: { type: 'string', maxLength: 64 } }, required: ['runId'] }, allowedOrigins },
  )

  registry.register(
    'notes:search',
    async ({ q, limit = 20 }, ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 5)) // a database would take a moment
      if (ctx.signal.aborted) return []
      const needle = q.toLowerCase()
      return NOTES.filter((note) => note.title.toLowerCase().includes(needle)).slice(0, limit)
    },
    {
      schema: {
        type: 'object',
        properties: { q: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: 100 } },
        required: ['q'],
      },
      timeoutMs: 1000,
      // Answers stay fresh for 30 s; identical concurrent searches run once.
      cache: { ttlMs: 30_000 },
      allowedOrigins,
    },
  )

  return {
    monitor,
    memory,
    batcher,
    registry,
    /** Listens on ipcMain: renderer clients announcing themselves, and every registered channel. */
    attach(ipcMain: IpcMain): void {
      batcher.attach(ipcMain)
      registry.attach(ipcMain)
    },
    /** A window's page: hold messages while it reloads, stop its runs when it is gone. */
    watch(contents: WebContents): void {
      contents.on('did-start-loading', () => batcher.markNotReady(contents))
      contents.on('destroyed', () => {
        for (const { controller } of runs.values()) controller.abort()
      })
    },
    /** What batching and the registry did so far, one line. */
    summary(): string {
      const frames = batcher.getMetrics()
      const calls = registry.getMetrics()
      return (
        `${frames.messagesOut} messages in ${frames.framesOut} frames (${(frames.reductionRatio * 100).toFixed(1)}% fewer sends),` +
        ` queue wait p99 ${frames.queueWaitMs.p99.toFixed(1)} ms, drops ${frames.drops.total}; ${calls.totals.calls} requests, ${calls.totals.errors} errors`
      )
    },
    /** Stops the runs (each still sends its final state), then flushes and answers calls in flight with E_CLOSED. */
    async close(): Promise<void> {
      const running = [...runs.values()]
      for (const { controller } of running) controller.abort()
      await Promise.all(running.map(({ done }) => done))
      await Promise.all([batcher.close(), registry.close()])
      memory.close()
      monitor.close()
    },
  }
}
