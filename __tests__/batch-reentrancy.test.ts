// Regression: send() and onError may re-enter the manager while a frame is
// being sent. A frame sent from inside another used to take the same seq, and
// the renderer client drops the second as a replay: messages were lost.
import { BatchManager } from '../index'

function recorder(id: number, onSend?: (frame: any) => void) {
  return {
    id,
    frames: [] as any[],
    send(_c: string, frame: any) {
      structuredClone(frame.payloads) // throws for an uncloneable payload, as Electron's send does
      this.frames.push(frame)
      onSend?.(frame)
    },
  }
}

test('reentrant-onError-add-takes-next-seq: a critical message added from onError leaves after the frame, with the next seq', async () => {
  let batcher: any
  const target = recorder(1)
  batcher = new BatchManager({ adaptive: false, onError: () => batcher.addMessage('err', 'notice', target, { priority: 'critical' }) })
  batcher.addMessage('a', 1, target)
  batcher.addMessage('a', () => {}, target) // uncloneable: reported through onError mid-send
  batcher.addMessage('a', 3, target)
  batcher.flush()
  expect(target.frames.map((f) => [f.seq, f.payloads])).toEqual([[1, [1, 3]], [2, ['notice']]])
  await batcher.close()
})

test('reentrant-send-never-reuses-seq: a send() that adds critical messages or flushes gets consecutive seqs and ends', async () => {
  let depth = 0
  let batcher: any
  const target = recorder(2, () => {
    if (depth++ < 3) {
      batcher.addMessage('x', `inner${depth}`, target, { priority: 'critical' })
      batcher.flush(target) // nothing left to flush now: must not loop
    }
  })
  batcher = new BatchManager({ adaptive: false })
  batcher.addMessage('x', 'outer', target)
  batcher.flush()
  expect(target.frames.map((f) => f.seq)).toEqual([1, 2, 3, 4])
  expect(target.frames.flatMap((f) => f.payloads)).toEqual(['outer', 'inner1', 'inner2', 'inner3'])
  await batcher.close()
})

test('reentrant-close-sends-everything: close() from inside send() still delivers what was queued meanwhile', async () => {
  let batcher: any
  let closing: Promise<void> | undefined
  const target = recorder(3, (frame) => {
    if (frame.seq === 1) {
      batcher.addMessage('x', 'during', target)
      closing = batcher.close()
    }
  })
  batcher = new BatchManager({ adaptive: false })
  batcher.addMessage('x', 'first', target)
  batcher.flush()
  await closing
  expect(target.frames.map((f) => [f.seq, f.payloads])).toEqual([[1, ['first']], [2, ['during']]])
  expect(batcher.pending()).toBe(0)
})

test('reentrant-size-flush-in-order: messages added from send() on a full batch keep their order across frames', async () => {
  let added = 0
  let batcher: any
  const target = recorder(4, () => {
    if (added < 20) for (let i = 0; i < 3; i++) batcher.addMessage('x', 100 + added++, target)
  })
  batcher = new BatchManager({ adaptive: false, maxBatchSize: 2 })
  batcher.addMessage('x', 0, target)
  batcher.addMessage('x', 1, target) // fills the batch: the size flush re-enters
  batcher.flush()
  await batcher.close()
  const seqs = target.frames.map((f) => f.seq)
  expect(seqs).toEqual(seqs.map((_, i) => i + 1))
  expect(target.frames.every((f) => f.payloads.length <= 2)).toBe(true)
  expect(target.frames.flatMap((f) => f.payloads)).toEqual([0, 1, ...Array.from({ length: added }, (_, i) => 100 + i)])
})

test('reentrant-size-flush-within-frame-budget-returns: a send() that fills a batch under maxFramesPerSecond defers it to the timer instead of spinning', async () => {
  // This used to loop forever synchronously: the re-flush asked for from inside
  // send() was deferred by the frame budget and retried at once, again and again.
  let batcher: any
  const target = recorder(5, (frame) => {
    if (frame.seq === 1) batcher.addMessage('x', 'inner', target)
  })
  batcher = new BatchManager({ adaptive: false, maxBatchSize: 1, maxWaitMs: 1, maxFramesPerSecond: 500 })
  batcher.addMessage('x', 'outer', target)
  expect(target.frames.map((f) => f.payloads)).toEqual([['outer']])
  expect(batcher.pending()).toBe(1)
  // The budget's (native) timer sends it: awaited, however late a loaded machine runs it.
  for (const end = Date.now() + 30_000; target.frames.length < 2 && Date.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 2))
  await new Promise((resolve) => setTimeout(resolve, 20)) // and nothing after it
  expect(target.frames.map((f) => [f.seq, f.payloads])).toEqual([[1, ['outer']], [2, ['inner']]])
  await batcher.close()
})

test('reentrant-add-to-an-emptied-target-during-close: close() sends what a send() adds to a target it already emptied', async () => {
  let batcher: any
  const first = recorder(6)
  const second = recorder(7, () => {
    if (first.frames.length === 1) batcher.addMessage('x', 'late', first)
  })
  batcher = new BatchManager({ adaptive: false, maxWaitMs: 1000 })
  batcher.addMessage('x', 'a', first)
  batcher.addMessage('x', 'b', second)
  await batcher.close()
  expect(first.frames.map((f) => f.payloads)).toEqual([['a'], ['late']])
  expect(batcher.getMetrics()).toMatchObject({ pending: 0, messagesIn: 3, messagesOut: 3, drops: { total: 0 } })
})

test('draining a queue frame by frame keeps the coalesce keys of what is left', async () => {
  let batcher: any
  const target = recorder(8, () => {
    if (target.frames.length === 5) batcher.markNotReady(target) // stops the drain after 50 messages
  })
  batcher = new BatchManager({ adaptive: false, maxBatchSize: 10, holdUntilReady: true })
  for (let i = 0; i < 100; i++) batcher.addMessage('x', i, target)
  batcher.addMessage('x', 'old', target, { coalesceKey: 'k' })
  for (let i = 100; i < 200; i++) batcher.addMessage('x', i, target)
  batcher.markReady(target)
  expect(target.frames).toHaveLength(5)
  batcher.addMessage('x', 'new', target, { coalesceKey: 'k' }) // replaces 'old', still queued
  batcher.markReady(target)
  const payloads = target.frames.flatMap((f) => f.payloads)
  expect(payloads).toEqual([...Array.from({ length: 200 }, (_, i) => i), 'new'])
  expect(batcher.getMetrics()).toMatchObject({ coalesced: 1, pending: 0 })
  await batcher.close()
})

test('draining 200,000 queued messages in frames of 10 sends every one, in order', async () => {
  // Each frame used to copy the rest of the queue: quadratic, seconds of a blocked main thread.
  const target = recorder(9)
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 10, holdUntilReady: true, maxQueueSize: 1_000_000 })
  for (let i = 0; i < 200_000; i++) batcher.addMessage('x', i, target)
  batcher.markReady(target)
  expect(target.frames).toHaveLength(20_000)
  expect(target.frames.every((f, i) => f.payloads[0] === i * 10 && f.payloads.length === 10)).toBe(true)
  await batcher.close()
})

test('reentrant-add-during-bytes-flush-keeps-call-order: the message that forced a bytes flush goes before what send() adds meanwhile', async () => {
  let batcher: any
  const target = recorder(10, (frame) => {
    if (frame.seq === 1) batcher.addMessage('x', 'added-in-send', target)
  })
  batcher = new BatchManager({ adaptive: false, maxBatchBytes: 40, maxWaitMs: 1000 })
  batcher.addMessage('x', 'aaaaaaaaaa', target)
  batcher.addMessage('x', 'bbbbbbbbbb', target)
  batcher.addMessage('x', 'cccccccccc', target) // over 40 bytes: a and b leave first
  await batcher.close()
  expect(target.frames.flatMap((f) => f.payloads)).toEqual(['aaaaaaaaaa', 'bbbbbbbbbb', 'cccccccccc', 'added-in-send'])
  expect(target.frames[0].payloads).toEqual(['aaaaaaaaaa', 'bbbbbbbbbb'])
  expect(batcher.getMetrics().flushReasons.bytes).toBe(1)
  expect(batcher.getMetrics().frameBytes.count).toBe(2) // both frames' sizes are known
})

test('reentrant-add-during-a-plain-send: what send() adds while an idle message is being sent leaves right after it', async () => {
  const got: unknown[] = []
  let batcher: any
  let reentered = false
  const target = {
    id: 5,
    send(channel: string, value: any) {
      // Adds before this message counts as sent, as a wrapper around send() might.
      if (!reentered) {
        reentered = true
        batcher.addMessage('x', 'inner', target)
      }
      got.push(...(channel === 'ipcflow:frame' ? value.payloads : [value]))
    },
  }
  batcher = new BatchManager({ maxWaitMs: 60_000 })
  batcher.addMessage('x', 'outer', target) // the target is idle: a plain send, which re-enters
  expect(got).toEqual(['outer', 'inner']) // in order, and not left for the timer
  expect(batcher.pending()).toBe(0)
  await batcher.close()
})
