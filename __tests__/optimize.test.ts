// forceOptimization: each class gives back what it holds and says what it did;
// the exported function does all of them and adds up the totals.
import { BatchManager, HandlerRegistry, MemoryManager, PerformanceMonitor, forceOptimization } from '../index'
import { ManualClock } from './helpers/clock'

function fakeTarget(id: number) {
  return { id, sent: [] as any[], send(_channel: string, frame: any) { this.sent.push(frame) } }
}

test('each instance: flush, clear caches, clean idle tasks, reset metrics; the function totals them', async () => {
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 1000, maxWaitMs: 10_000 })
  const registry = new HandlerRegistry()
  // Idleness on a clock of its own: a stall between touch('fresh') and the clean-up must not make it idle.
  const clock = new ManualClock()
  const memory = new MemoryManager({ osPressure: false, sample: false, idleTaskMs: 10 }, { clock } as any)
  const monitor = new PerformanceMonitor({ watchdog: false })
  try {
    const target = fakeTarget(1)
    for (let i = 0; i < 7; i++) batcher.addMessage('a', i, target)
    registry.register('sq', (n: number) => ({ n: n * n, pad: 'x'.repeat(100) }), { cache: { ttlMs: 60_000, maxBytes: 1_000_000 } }) // bytes are weighed only under maxBytes
    for (let i = 0; i < 3; i++) await registry.invoke('sq', [i])
    memory.trackTask('idle')
    memory.trackTask('fresh')
    monitor.increment('calls', 3)
    monitor.record('latency', 5)
    await clock.advance(40)
    memory.touch('fresh')

    const report = forceOptimization(batcher, registry, memory, monitor)
    expect(report.reports).toEqual([
      { kind: 'BatchManager', flushedMessages: 7, stillPending: 0 },
      { kind: 'HandlerRegistry', cacheEntriesDropped: 3, cacheBytesFreed: expect.any(Number) },
      { kind: 'MemoryManager', tasksCleaned: 1, tasksActive: 1 },
      { kind: 'PerformanceMonitor', metricsReset: expect.any(Number) },
    ])
    const cache = report.reports[1]
    if (cache.kind !== 'HandlerRegistry') throw new Error('reports follow the instances')
    expect(cache.cacheBytesFreed).toBeGreaterThan(300)
    expect(report.totals).toMatchObject({ flushedMessages: 7, cacheEntriesDropped: 3, tasksCleaned: 1 })
    expect(report.totals.metricsReset).toBeGreaterThanOrEqual(2)
    expect(target.sent.flatMap((f) => f.payloads)).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect((await registry.invoke('sq', [1])).metadata).toMatchObject({ cached: false })
    expect(memory.tasks().map((t) => t.id)).toEqual(['fresh'])
    expect(monitor.getMetrics().counters.calls ?? 0).toBe(0)

    // Methods alone; a registry can shrink instead of clearing.
    expect(batcher.forceOptimization()).toEqual({ kind: 'BatchManager', flushedMessages: 0, stillPending: 0 })
    for (let i = 0; i < 4; i++) await registry.invoke('sq', [i])
    expect(registry.forceOptimization({ shrinkFraction: 0.5 })).toMatchObject({ cacheEntriesDropped: 2 })
    expect(() => registry.forceOptimization({ shrinkFraction: 2 })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => forceOptimization(batcher, {} as any)).toThrow('instances[1]')
    expect(forceOptimization().reports).toEqual([])
  } finally {
    await batcher.close()
    await registry.close()
    memory.close()
    monitor.close()
  }
})
