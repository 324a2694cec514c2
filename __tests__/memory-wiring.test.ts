// A MemoryManager passed to BatchManager and HandlerRegistry: critical pressure
// flushes what the batcher holds and halves the registry's response caches;
// close() unsubscribes both.
import { BatchManager, HandlerRegistry, MemoryManager, PerformanceMonitor } from '../index'

const MB = 1024 * 1024

test('critical pressure flushes pending batches and halves response caches; close() unsubscribes', async () => {
  const memory = new MemoryManager({ osPressure: false, warningBytes: 100 * MB, criticalBytes: 200 * MB, sampleIntervalMs: 60_000 } as any)
  const monitor = new PerformanceMonitor({ watchdog: false } as any)
  const sent: unknown[][] = []
  const target = { id: 77, send: (_c: string, frame: any) => void sent.push(frame.payloads) }
  const batcher = new BatchManager({ adaptive: false, maxWaitMs: 60_000 }, { monitor, memory })
  const registry = new HandlerRegistry({ memory })
  registry.register('get', (id: number) => ({ id }), { cache: { ttlMs: 60_000 } })
  for (let i = 0; i < 40; i++) await registry.invoke('get', [i])
  expect(registry.getCacheStats().get.entries).toBe(40)
  for (let i = 0; i < 5; i++) batcher.addMessage('a', i, target)
  expect(sent).toEqual([])

  memory.sample({ rssBytes: 150 * MB }) // warning: nothing is dropped or sent early
  expect(sent).toEqual([])
  expect(registry.getCacheStats().get.entries).toBe(40)
  memory.sample({ rssBytes: 300 * MB }) // critical
  expect(sent).toEqual([[0, 1, 2, 3, 4]])
  expect(registry.getCacheStats().get.entries).toBe(20)
  expect(monitor.getMetrics().gauges['ipcflow.batch.pending']).toBe(0)

  await batcher.close()
  await registry.close()
  memory.sample({ rssBytes: 50 * MB })
  expect(() => memory.sample({ rssBytes: 300 * MB })).not.toThrow() // nobody left subscribed to fail
  memory.close()
  monitor.close()
})

test('a memory that is not a MemoryManager is refused, naming the argument', () => {
  expect(() => new BatchManager({}, { memory: {} as any })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', details: expect.objectContaining({ argument: 'deps.memory' }) }))
  expect(() => new HandlerRegistry({ memory: 5 as any })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', details: expect.objectContaining({ argument: 'options.memory' }) }))
})
