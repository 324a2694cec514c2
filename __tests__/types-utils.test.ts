// Type test for the utilities: ts-jest type-checks this file, so a declaration
// that stops fitting Electron's types or stops narrowing fails here.
import type { IpcMain, IpcRenderer, WebContents } from 'electron'
import { pingProbe, forceOptimization, BatchManager, HeartbeatMonitor, type OptimizationReport } from '../index'
import { createRendererClient } from '../renderer'

interface Channels {
  'doc:state': { message: { rev: number } }
  'log:line': { message: string }
}

function typeOnly() {
  // pingProbe takes Electron's own objects.
  const probe = pingProbe(null as unknown as IpcMain, null as unknown as WebContents)
  const heartbeat = new HeartbeatMonitor({ probe, intervalMs: 1000 })
  heartbeat.on('status', (status, previous) => {
    const s: 'healthy' | 'stale' | 'dead' = status
    return [s, previous]
  })
  heartbeat.on('reconnecting', ({ attempt, delayMs }) => attempt + delayMs)

  // Typed channels reach onLatest and onBatch.
  const client = createRendererClient<Channels>(null as unknown as IpcRenderer)
  client.onLatest('doc:state', async (state) => state.rev.toFixed())
  client.onBatch('log:line', (lines) => lines.map((l) => l.toUpperCase()))
  // @ts-expect-error a 'doc:state' payload is not a string
  client.onLatest('doc:state', (state: string) => state)

  // Reports narrow by kind; a generic BatchManager has the method too.
  const report: OptimizationReport = new BatchManager<Channels>().forceOptimization()
  if (report.kind === 'BatchManager') return report.flushedMessages + forceOptimization().totals.cacheBytesFreed
  return 0
}

test('the utilities type-check against Electron and typed channels', () => {
  expect(typeof typeOnly).toBe('function')
})
