// Metric values agree with what was actually sent and received.
import { BatchManager } from '../index'
import { openWindow, frames, sleep } from './helpers/window'

test('metrics account for every message: in = out + pending + coalesced + duplicates + drops', async () => {
  const w = await openWindow(['tok', 'state'])
  const monitor = { records: [] as Array<[string, number]>, counts: new Map<string, number>(),
    record(name: string, v: number) { this.records.push([name, v]) },
    increment(name: string, by = 1) { this.counts.set(name, (this.counts.get(name) ?? 0) + by) } }
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 20, maxWaitMs: 15, dedupe: true, waitSampleEvery: 1 }, { monitor })
  try {
    for (let burst = 0; burst < 10; burst++) {
      for (let i = 0; i < 13; i++) batcher.addMessage('tok', `t${burst}-${i}`, w.wc)
      batcher.addMessage('tok', `t${burst}-0`, w.wc) // duplicate within the batch, usually
      batcher.addMessage('state', { burst }, w.wc, { coalesceKey: 's' })
      batcher.addMessage('state', { burst, final: true }, w.wc, { coalesceKey: 's' })
      await sleep(25)
    }
    await sleep(40)
    const m = batcher.getMetrics()
    const sent = frames(w.sends)
    expect(m.framesOut).toBe(sent.length)
    expect(m.messagesOut).toBe(sent.reduce((n, f) => n + f.channels.length, 0))
    expect(m.messagesIn).toBe(160)
    expect(m.messagesIn).toBe(m.messagesOut + m.pending + m.coalesced + m.duplicates + m.drops.total)
    expect(m.coalesced).toBeGreaterThanOrEqual(10)
    expect(m.reductionRatio).toBeCloseTo(1 - m.framesOut / m.messagesOut)
    expect(m.batchSize.count).toBe(m.framesOut)
    expect(m.batchSize.max).toBeLessThanOrEqual(20)
    expect(m.queueWaitMs.count).toBe(m.messagesIn - m.duplicates) // every message sampled
    expect(m.queueWaitMs.p99).toBeLessThan(15 + 50)
    expect(m.flushReasons.time + m.flushReasons.size).toBe(m.framesOut)
    expect(monitor.counts.get('ipcflow.batch.frames')).toBe(m.framesOut)
    const got = await w.waitForMessages(m.messagesOut)
    expect(got.stats.frames).toBe(m.framesOut)
    batcher.resetMetrics()
    expect(batcher.getMetrics()).toMatchObject({ messagesIn: 0, framesOut: 0, coalesced: 0 })
  } finally {
    await batcher.close()
    await w.close()
  }
})
