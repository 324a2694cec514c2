// Bad input gets a typed error naming the argument, and nothing is queued;
// an uncloneable payload is reported without losing the rest of its frame.
import { BatchManager, IpcError } from '../index'
import { openWindow, frames } from './helpers/window'

const target = { id: 1, send() {} }

function errorOf(fn: () => unknown): any {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

describe('constructor options', () => {
  test.each([
    [{ maxWaitMs: NaN }, 'options.maxWaitMs'],
    [{ maxWaitMs: -1 }, 'options.maxWaitMs'],
    [{ maxBatchSize: 0 }, 'options.maxBatchSize'],
    [{ maxBatchSize: 2.5 }, 'options.maxBatchSize'],
    [{ maxBatchSize: '50' }, 'options.maxBatchSize'],
    [{ maxBatchBytes: -10 }, 'options.maxBatchBytes'],
    [{ maxQueueSize: 5, maxBatchSize: 10 }, 'options.maxQueueSize'],
    [{ overflow: 'explode' }, 'options.overflow'],
    [{ enabled: 'yes' }, 'options.enabled'],
    [{ onError: 3 }, 'options.onError'],
  ])('%j is rejected naming %s', (options, argument) => {
    const error = errorOf(() => new BatchManager(options as any))
    expect(error).toBeInstanceOf(IpcError)
    expect(error.code).toBe('E_INVALID_ARGUMENT')
    expect(error.details.argument).toBe(argument)
    expect(error.message).toContain(argument)
  })

  test('a monitor without record/increment is rejected', () => {
    expect(errorOf(() => new BatchManager({}, { monitor: {} as any })).details.argument).toBe('deps.monitor')
  })
})

describe('addMessage arguments', () => {
  let batcher: BatchManager
  beforeEach(() => {
    batcher = new BatchManager({ adaptive: false, maxWaitMs: 10_000 })
  })
  afterEach(() => batcher.close())

  test.each([
    ['channel', () => batcher.addMessage(42 as any, 1, target)],
    ['channel', () => batcher.addMessage('', 1, target)],
    ['target', () => batcher.addMessage('a', 1, {} as any)],
    ['target', () => batcher.addMessage('a', 1, null as any)],
    ['options.priority', () => batcher.addMessage('a', 1, target, { priority: 'urgent' as any })],
    ['options.coalesceKey', () => batcher.addMessage('a', 1, target, { coalesceKey: 5 as any })],
    ['options', () => batcher.addMessage('a', 1, target, null as any)],
  ])('a bad %s is rejected and nothing is queued', (argument, call) => {
    const error = errorOf(call)
    expect(error).toMatchObject({ code: 'E_INVALID_ARGUMENT', details: expect.objectContaining({ argument }) })
    expect(batcher.pending()).toBe(0)
    expect(batcher.getMetrics().messagesIn).toBe(0)
  })
})

test('an uncloneable payload is reported; the other messages of its frame arrive', async () => {
  const w = await openWindow(['a'])
  const reported: IpcError[] = []
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 4, onError: (e) => reported.push(e) })
  try {
    batcher.addMessage('a', 1, w.wc)
    batcher.addMessage('a', { fn: () => 1 }, w.wc)
    batcher.addMessage('a', 3, w.wc)
    batcher.addMessage('a', 4, w.wc)
    const got = await w.waitForMessages(3)
    expect(got.messages.map((m) => m.payload)).toEqual([1, 3, 4])
    expect(got.gaps).toEqual([])
    expect(frames(w.sends).map((f) => f.seq)).toEqual([1])
    expect(reported).toHaveLength(1)
    expect(reported[0]).toMatchObject({ code: 'E_UNCLONEABLE', details: { channel: 'a', index: 1 } })
    const m = batcher.getMetrics()
    expect(m.drops.uncloneable).toBe(1)
    expect(m.messagesOut).toBe(3)
  } finally {
    await batcher.close()
    await w.close()
  }
})

test('a throwing onError or a throwing send never escapes into the caller', async () => {
  const bad = { id: 3, send() { throw new Error('boom') } }
  const batcher = new BatchManager({ adaptive: false, maxBatchSize: 1, onError: () => { throw new Error('listener bug') } })
  expect(() => batcher.addMessage('a', 1, bad)).not.toThrow()
  expect(batcher.getMetrics().drops.uncloneable).toBe(1)
  await batcher.close()
})
