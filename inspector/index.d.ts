// ipcflow/inspector: a self-contained HTML page fed by getMetrics() snapshots.
import type { BatchMetrics, RegistryMetrics } from '../index'

export interface InspectorSnapshot {
  v: 1
  /** Date.now() when taken. */
  t: number
  batch: Record<string, BatchMetrics>
  registry: Record<string, RegistryMetrics>
  process: { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number }
  /** How late the loop probe's timer fired since the previous snapshot (JS-thread stalls): worst, mean, times >= 50 ms; null with `loopProbeMs: false`. */
  loop: { maxMs: number; meanMs: number; over50ms: number } | null
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

export interface Inspector {
  snapshot(): InspectorSnapshot
  history(): InspectorSnapshot[]
  start(intervalMs?: number): void
  stop(): void
  html(): string
  writeFile(file: string): string
  connect(page: InspectorPage): () => void
  close(): void
}

export declare function createInspector(sources?: InspectorSources, options?: InspectorOptions): Inspector
export declare function renderInspector(snapshots?: InspectorSnapshot[], options?: { title?: string }): string
export declare const SNAPSHOT_VERSION: 1
