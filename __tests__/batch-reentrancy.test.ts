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
