// A PerformanceMonitor passed as-is to BatchManager and HandlerRegistry
// receives their metrics, through the stand-in (a real renderer process).
import { BatchManager, PerformanceMonitor } from '../index'
import { openWindow, frames } from './helpers/window'
import { useRegistryFixtures } from './helpers/registry'
import { ManualClock } from './helpers/clock'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { IpcMain } = require('../test/standin')

const { registry, open } = useRegistryFixtures()

test('BatchManager reports batch sizes and frames into the monitor', async () => {
  const monitor = new PerformanceMonitor({ watchdog: false })
  const w = await openWindow(['tok'])
  // On a clock of its own: a loaded machine preempting the loop below for 5 ms (idleMs) made the
  // target look idle again, so a second message left as a plain send.
  const clock = new ManualClock()
  const batcher = new BatchManager({ maxBatchSize: 10, maxWaitMs: 5 }, { monitor, clock } as any)
  try {
    for (let i = 0; i < 35; i++) batcher.addMessage('tok', i, w.wc)
    await clock.advance(40)
    // Frames, and the first message as a plain send (the target was idle): a frame of one.
    const sent = w.sends.filter(([channel]) => channel === 'ipcflow:frame' || channel === 'tok')
    expect(frames(w.sends).length).toBe(sent.length - 1)
    const m = monitor.getMetrics()
    expect(m.counters['ipcflow.batch.frames']).toBe(sent.length)
    expect(m.histograms['ipcflow.batch.size']).toMatchObject({ count: sent.length, max: 10, sum: 35 })
    expect(monitor.toPrometheus()).toContain(`ipcflow_batch_frames_total ${sent.length}\n`)
  } finally {
    batcher.close()
    monitor.close()
    await w.close()
  }
})

test('HandlerRegistry reports calls, errors and per-channel latency into the monitor', async () => {
  const monitor = new PerformanceMonitor({ watchdog: false })
  const ipcMain = new IpcMain()
  const r = registry({ monitor })
  r.register('add', (a: number, b: number) => a + b)
  r.register('fails', () => {
    throw new Error('no')
  })
  r.attach(ipcMain)
  const win = await open(ipcMain)
  for (let i = 0; i < 5; i++) await win.request('invoke', { channel: 'add', args: [i, 1] })
  await win.request('invoke', { channel: 'fails', args: [] })
  const m = monitor.getMetrics()
  expect(m.counters['ipcflow.invoke.calls']).toBe(6)
  expect(m.counters['ipcflow.invoke.errors.E_HANDLER']).toBe(1)
  expect(m.histograms.add.count).toBe(5)
  monitor.close()
})
