// ipcflow/inspector: a self-contained HTML page fed by getMetrics() snapshots.
import type { BatchMetrics, RegistryMetrics } from '../index'

/** How late the loop probe's timer fired since the previous snapshot (JS-thread stalls): worst, mean, times >= 50 ms. */
export interface LoopFigures {
  maxMs: number
  meanMs: number
  over50ms: number
}

/** `Loop` is `null` for an inspector created with `loopProbeMs: false`. */
export interface InspectorSnapshot<Loop extends LoopFigures | null = LoopFigures> {
  v: 1
  /** Date.now() when taken. */
  t: number
  batch: Record<string, BatchMetrics>
  registry: Record<string, RegistryMetrics>
  process: { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number }
  /** The loop probe's figures; null with `loopProbeMs: false`. */
  loop: Loop
  /** `memory.getStats()` when a memory source was given. */
  memory?: unknown
  /** `monitor.getMetrics()` when a monitor was given. */
  monitor?: unknown
}

export interface InspectorSources {
  batchers?: Record<string, { getMetrics(): BatchMetrics }> | Array<{ getMetrics(): BatchMetrics }>
  registries?: Record<string, { getMetrics(): RegistryMetrics }> | Array<{ getMetrics(): RegistryMetrics }>
  memory?: { getStats(): unknown }
  monitor?: { getMetrics(): unknown }
}

export interface InspectorOptions {
  /** Page title. Default 'ipcflow inspector'. */
  title?: string
  /** Snapshots kept. Default 300. */
  historySize?: number
  /** The loop probe's period in ms (each tick wakes the JS thread), or false for none. Default 10. */
  loopProbeMs?: number | false
}

/** What `connect` needs: Electron's WebContents fits. */
export interface InspectorPage {
  executeJavaScript(code: string): Promise<unknown>
  isDestroyed?(): boolean
}

export interface Inspector<Loop extends LoopFigures | null = LoopFigures> {
  snapshot(): InspectorSnapshot<Loop>
  history(): InspectorSnapshot<Loop>[]
  start(intervalMs?: number): void
  stop(): void
  html(): string
  writeFile(file: string): string
  connect(page: InspectorPage): () => void
  close(): void
}

export declare function createInspector(sources: InspectorSources | undefined, options: InspectorOptions & { loopProbeMs: false }): Inspector<null>
export declare function createInspector(sources?: InspectorSources, options?: InspectorOptions & { loopProbeMs?: number }): Inspector
export declare function createInspector(sources?: InspectorSources, options?: InspectorOptions): Inspector<LoopFigures | null>
export declare function renderInspector(snapshots?: InspectorSnapshot<LoopFigures | null>[], options?: { title?: string }): string
export declare const SNAPSHOT_VERSION: 1
