// Metric values agree with what was actually sent and received.
// The manager runs on a clock of its own (helpers/clock.ts): its bursts, deadlines and queue
// waits are exact; the renderer process that receives the frames keeps real time.
import { BatchManager } from '../index'
import { openWindow, frames } from './helpers/window'
import { ManualClock } from './helpers/clock'

test('metrics account for every message: in = out + pending + coalesced + duplicates + drops', async () => {
  const w = await openWindow(['tok', 'state'])
  const monitor = { records: [] as Array<[string, number]>, counts: new Map<string, number>(),
    record(name: string, v: number) { this.records.push([name, v]) },
    increment(name: string, by = 1) { this.counts.set(name, (this.counts.get(name) ?? 0) + by) } }
  const clock = new ManualClock()
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 20, maxWaitMs: 15, dedupe: true, waitSampleEvery: 1 }, { monitor, clock } as any)
  try {
    for (let burst = 0; burst < 10; burst++) {
      for (let i = 0; i < 13; i++) batcher.addMessage('tok', `t${burst}-${i}`, w.wc)
      batcher.addMessage('tok', `t${burst}-0`, w.wc) // duplicate within the batch
      batcher.addMessage('state', { burst }, w.wc, { coalesceKey: 's' })
      batcher.addMessage('state', { burst, final: true }, w.wc, { coalesceKey: 's' })
      await clock.advance(25)
    }
    await clock.advance(40)
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

test('a frame whose send fails is not counted as sent: framesOut, messagesOut and batchSize count what left', async () => {
  let failNext = false
  const sent: unknown[] = []
  const target = {
    id: 1,
    send(_channel: string, frame: unknown) {
      if (failNext) {
        failNext = false
        throw new Error('An object could not be cloned.')
      }
      sent.push(frame)
    },
    isDestroyed: () => false,
  }
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 3, maxWaitMs: 1000 })
  for (let i = 0; i < 3; i++) batcher.addMessage('a', i, target) // a full frame: sent
  failNext = true
  for (let i = 3; i < 6; i++) batcher.addMessage('a', i, target) // a full frame: send throws, every payload clones
  const m = batcher.getMetrics()
  expect(sent).toHaveLength(1)
  expect(m).toMatchObject({ messagesIn: 6, framesOut: 1, messagesOut: 3, batchSize: { count: 1 }, drops: { uncloneable: 3 } })
  expect(m.messagesIn).toBe(m.messagesOut + m.pending + m.drops.total)
  await batcher.close()
})
