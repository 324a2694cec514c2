// Request batching (README "Request batching"): DataLoader's contract in
// process, and one IPC message per renderer tick through the stand-in.
// A batch's window and a handler's wait are setTimeouts: the cases that depend
// on them run on jest's fake time (helpers/clock.ts), so "within the window"
// is exact however loaded the machine; a renderer process keeps real time.
import { setTimeout as realSleep } from 'timers/promises'
import { useRegistryFixtures, sleep } from './helpers/registry'
import { advance, fakeTime } from './helpers/clock'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { IpcMain } = require('../test/standin')

const { registry, open } = useRegistryFixtures()
afterEach(() => {
  jest.clearAllTimers()
  jest.useRealTimers()
})

function batchHandler<T>(fn: (keys: any[]) => T) {
  const batches: any[][] = []
  const handler = (keys: any[]) => {
    batches.push(keys)
    return fn(keys)
  }
  return { handler, batches }
}

const many = (r: any, channel: string, keys: unknown[], ctx?: any) => Promise.all(keys.map((k) => r.invoke(channel, [k], ctx)))

test('calls within the window reach the handler once as keys; later calls start a new batch', async () => {
  fakeTime()
  const r = registry()
  const { handler, batches } = batchHandler((keys) => keys.map((k) => k * 10))
  r.register('b', handler, { batch: { delayMs: 20 } })
  const first = many(r, 'b', [1, 2, 3])
  await advance(5)
  const second = many(r, 'b', [4]) // 5 ms into the window
  await advance(14)
  expect(batches).toEqual([]) // the window counts from the first call: open until 20 ms
  await advance(1)
  expect((await first).map((e: any) => e.data)).toEqual([10, 20, 30])
  expect((await second).map((e: any) => e.data)).toEqual([40])
  expect(batches).toEqual([[1, 2, 3, 4]])
  const later = many(r, 'b', [5])
  await advance(20)
  const third = await later
  expect(third[0]).toMatchObject({ success: true, data: 50, metadata: { batched: true } })
  expect(batches).toHaveLength(2)
})

test('maxSize splits; a batch never mixes channels; identical keys are run once', async () => {
  const r = registry()
  const a = batchHandler((keys) => keys.map((k) => `a${k}`))
  const b = batchHandler((keys) => keys.map((k) => `b${k}`))
  r.register('a', a.handler, { batch: { maxSize: 10 } })
  r.register('b', b.handler, { batch: { maxSize: 10 } })
  const [ra, rb, dup] = await Promise.all([
    many(r, 'a', Array.from({ length: 25 }, (_, i) => i)),
    many(r, 'b', [1, 2]),
    many(r, 'b', [{ x: 1, y: 2 }, { y: 2, x: 1 }]),
  ])
  expect(a.batches.map((k) => k.length)).toEqual([10, 10, 5])
  expect(ra.every((e: any, i: number) => e.data === `a${i}`)).toBe(true)
  expect(b.batches).toEqual([[1, 2, { x: 1, y: 2 }]])
  expect(rb.map((e: any) => e.data)).toEqual(['b1', 'b2'])
  expect(dup.map((e: any) => e.data)).toEqual(['b[object Object]', 'b[object Object]'])
  expect(r.getMetrics().channels.b.batch).toMatchObject({ batches: 1, calls: 4, deduplicated: 1 })
  expect(r.getMetrics().channels.a.batch).toMatchObject({ batches: 3, calls: 25, sizes: { count: 3, max: 10, min: 5 }, waitMs: { count: 25 } })
})

test('an Error at position i fails only call i, keeping its code', async () => {
  const r = registry()
  r.register('b', (keys: number[]) => keys.map((k) => (k === 2 ? Object.assign(new Error('no 2'), { code: 'E_NO_TWO' }) : k)), { batch: {} })
  const out = await many(r, 'b', [1, 2, 3])
  expect(out[0]).toMatchObject({ success: true, data: 1 })
  expect(out[1]).toMatchObject({ success: false, error: { code: 'E_NO_TWO', message: 'no 2' } })
  expect(out[2]).toMatchObject({ success: true, data: 3 })
  expect(r.getMetrics().channels.b).toMatchObject({ calls: 3, ok: 2, errors: 1 })
})

test('a result of the wrong length fails the batch with E_HANDLER; a throw fails that batch only', async () => {
  const r = registry()
  let broken = true
  r.register('short', (keys: number[]) => keys.slice(1), { batch: {} })
  r.register('throws', async (keys: number[]) => {
    if (broken) throw new Error('backend down')
    return keys
  }, { batch: {} })
  const short = await many(r, 'short', [1, 2, 3])
  expect(short.every((e: any) => !e.success && e.error.code === 'E_HANDLER' && /lengths differ/.test(e.error.message))).toBe(true)
  const thrown = await many(r, 'throws', [1, 2])
  expect(thrown.every((e: any) => !e.success && e.error.message === 'backend down')).toBe(true)
  broken = false
  expect((await many(r, 'throws', [7])).map((e: any) => e.data)).toEqual([7])
})

test('a call cancelled before its batch starts is removed; after, only its result is discarded', async () => {
  fakeTime()
  const r = registry()
  const { handler, batches } = batchHandler(async (keys) => {
    await sleep(30)
    return keys
  })
  r.register('b', handler, { batch: { delayMs: 10 } })
  const early = new AbortController()
  const late = new AbortController()
  const calls = [
    r.invoke('b', [1], { signal: early.signal }),
    r.invoke('b', [2], { signal: late.signal }),
    r.invoke('b', [3]),
  ]
  early.abort()
  await advance(20) // the batch has started (at 10 ms), its handler waits until 40 ms
  expect(batches).toEqual([[2, 3]])
  late.abort()
  await advance(20)
  const [a, b, c] = await Promise.all(calls)
  expect(a).toMatchObject({ success: false, error: { code: 'E_CANCELLED' } })
  expect(b).toMatchObject({ success: false, error: { code: 'E_CANCELLED' } })
  expect(c).toMatchObject({ success: true, data: 3 })
  expect(batches).toEqual([[2, 3]])
})

test('each call is validated, rate-limited and sender-checked on its own; one argument per call', async () => {
  const r = registry()
  const { handler, batches } = batchHandler((keys) => keys)
  r.register('b', handler, { schema: { type: 'integer' }, rateLimit: { requests: 3, windowMs: 60_000 }, batch: {} })
  const out = await many(r, 'b', [1, 'two', 3, 4, 5])
  expect(out.map((e: any) => (e.success ? e.data : e.error.code))).toEqual([1, 'E_VALIDATION', 3, 4, 'E_RATE_LIMITED'])
  expect(batches).toEqual([[1, 3, 4]])
  r.register('free', handler, { batch: {} })
  expect(await r.invoke('free', [1, 2])).toMatchObject({ success: false, error: { code: 'E_VALIDATION' } })
})

test('with a cache, a cached call never joins a batch; timeouts and close answer every call', async () => {
  fakeTime()
  const r = registry()
  const { handler, batches } = batchHandler((keys) => keys.map((k) => k + 1))
  r.register('cached', handler, { batch: {}, cache: { ttlMs: 60_000 } })
  await many(r, 'cached', [1, 2])
  const again = await many(r, 'cached', [1, 2, 3])
  expect(again.map((e: any) => [e.data, e.metadata.cached])).toEqual([[2, true], [3, true], [4, false]])
  expect(batches).toEqual([[1, 2], [3]])
  r.register('slow', () => new Promise(() => {}), { batch: {}, timeoutMs: 20 })
  const slow = many(r, 'slow', [1, 2])
  await advance(20)
  expect((await slow).map((e: any) => e.error.code)).toEqual(['E_TIMEOUT', 'E_TIMEOUT'])
  r.register('hang', () => new Promise(() => {}), { batch: { delayMs: 5 } })
  const pending = many(r, 'hang', [1, 2])
  const queued = r.invoke('hang', [3])
  await advance(20) // that batch is running
  const waiting = r.invoke('hang', [4]) // this one's is open
  await r.close()
  expect([...(await pending), await queued, await waiting].map((e: any) => e.error.code)).toEqual(['E_CLOSED', 'E_CLOSED', 'E_CLOSED', 'E_CLOSED'])
})

test('options are checked', () => {
  const r = registry()
  for (const [batch, argument] of [[{ maxSize: 0 }, 'options.batch.maxSize'], [{ delayMs: -1 }, 'options.batch.delayMs'], [{ size: 1 }, 'options.batch.size'], [true, 'options.batch']] as const) {
    expect(() => r.register('x', () => [], { batch } as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', details: expect.objectContaining({ argument }) }))
  }
})

describe('through a renderer', () => {
  test('1,000 invokes in one tick travel as one IPC message and one handler call, each with its own answer', async () => {
    const ipcMain = new IpcMain()
    const r = registry()
    const { handler, batches } = batchHandler((keys) => keys.map((k) => (k === 500 ? new Error('not 500') : k * 2)))
    r.register('double', handler, { batch: { maxSize: 1000 } })
    r.attach(ipcMain)
    const win = await open(ipcMain)
    // the first reply says the channel is batchable; the client batches from then on
    expect(await win.request('invoke', { channel: 'double', args: [1] })).toMatchObject({ ok: true, value: 2 })
    const out = await win.request('many', { calls: Array.from({ length: 1000 }, (_, i) => ({ channel: 'double', args: [i] })) }, 20_000)
    expect(out).toHaveLength(1000)
    expect(out[3]).toMatchObject({ ok: true, value: 6 })
    expect(out[500]).toMatchObject({ ok: false, error: { code: 'E_HANDLER', message: 'not 500', isIpcError: true } })
    expect(out.filter((o: any) => o.ok)).toHaveLength(999)
    const stats = await win.request('stats')
    expect(stats.requestBatches).toBe(1)
    expect(stats.batchedCalls).toBe(1000)
    expect(batches.map((b) => b.length)).toEqual([1, 1000])
  })

  test('a renderer cancel reaches a batched call by its own id', async () => {
    const ipcMain = new IpcMain()
    const r = registry()
    const { handler, batches } = batchHandler(async (keys) => {
      await sleep(30)
      return keys
    })
    r.register('b', handler, { batch: { delayMs: 20 } })
    r.attach(ipcMain)
    const win = await open(ipcMain)
    await win.request('invoke', { channel: 'b', args: [0] })
    // Main on fake time: the batch window stays open until the renderer's cancel (its own 5 ms
    // timeout, on the renderer's real clock) has reached main, however long that takes.
    fakeTime()
    const reply = win.request('many', { calls: [{ channel: 'b', args: [1], timeoutMs: 5 }, { channel: 'b', args: [2] }] })
    const cancelled = () => r.getMetrics().channels.b.errorsByCode.E_CANCELLED === 1
    for (const end = Date.now() + 30_000; !cancelled(); ) {
      if (Date.now() > end) throw new Error('the cancel did not reach main')
      await realSleep(5)
    }
    await advance(20) // the window closes: the batch runs without the cancelled call
    await advance(30) // its handler answers
    const out = await reply
    expect(out[0]).toMatchObject({ ok: false, error: { code: 'E_TIMEOUT' } })
    expect(out[1]).toMatchObject({ ok: true, value: 2 })
    expect(batches).toEqual([[0], [2]])
  })
})
