// Response cache (README "Response cache"): keys, hits, TTL, invalidation,
// bounds, single-flight, and its place after the sender check, validation and
// rate limit; the hits through a renderer go through structured clone.
import { useRegistryFixtures, sleep, until } from './helpers/registry'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { IpcMain } = require('../test/standin')

const { registry, open } = useRegistryFixtures()

function counting<T>(fn: (...args: any[]) => T) {
  const calls: any[][] = []
  const handler = (...args: any[]) => {
    calls.push(args.slice(0, -1))
    return fn(...args)
  }
  return { handler, calls }
}

describe('keys', () => {
  test('object key order is ignored; types, undefined in arrays and argument counts are not', async () => {
    const r = registry()
    const { handler, calls } = counting((...a: any[]) => a.length)
    r.register('k', handler, { maxBytes: Infinity, maxDepth: Infinity, cache: { ttlMs: 60_000 } })
    const hit = async (args: unknown[]) => (await r.invoke('k', args)).metadata
    await hit([{ a: 1, b: 2 }])
    expect(await hit([{ b: 2, a: 1 }])).toMatchObject({ cached: true })
    expect(await hit([{ b: 2, a: 1, c: undefined }])).toMatchObject({ cached: true })
    await hit([1])
    expect(await hit(['1'])).toMatchObject({ cached: false })
    await hit([0])
    expect(await hit([-0])).toMatchObject({ cached: true })
    await hit([NaN])
    expect(await hit([NaN])).toMatchObject({ cached: true })
    await hit([[null]])
    expect(await hit([[undefined]])).toMatchObject({ cached: false })
    expect(await hit([1, undefined])).toMatchObject({ cached: false })
    await hit([new Date(5)])
    expect(await hit([new Date(5)])).toMatchObject({ cached: true })
    expect(await hit([new Date(6)])).toMatchObject({ cached: false })
    expect(calls).toHaveLength(10)
  })

  test('arguments without a canonical key (typed array, class instance) are served uncached', async () => {
    const r = registry()
    const { handler, calls } = counting(() => 1)
    r.register('k', handler, { maxBytes: Infinity, maxDepth: Infinity, cache: { ttlMs: 60_000 } })
    class Point { x = 1 }
    for (let i = 0; i < 2; i++) {
      expect(await r.invoke('k', [new Uint8Array([1, 2])])).toMatchObject({ success: true, metadata: { cached: false } })
      expect(await r.invoke('k', [new Point()])).toMatchObject({ success: true, metadata: { cached: false } })
    }
    expect(calls).toHaveLength(4)
    expect(r.getCacheStats().k).toMatchObject({ hits: 0, entries: 0 })
  })

  test('a custom key: per sender; undefined means "do not cache"; a throw is E_HANDLER', async () => {
    const r = registry()
    const { handler, calls } = counting((id: string, ctx: any) => `${id} for ${ctx.senderId}`)
    r.register('user', handler, {
      cache: {
        ttlMs: 60_000,
        key: ([id]: any[], ctx: any) => {
          if (id === 'boom') throw new Error('bad key')
          return id === 'skip' ? undefined : `${ctx.senderId}/${id}`
        },
      },
    })
    expect(await r.invoke('user', ['a'], { senderId: 1 })).toMatchObject({ data: 'a for 1' })
    expect(await r.invoke('user', ['a'], { senderId: 2 })).toMatchObject({ data: 'a for 2' })
    expect(await r.invoke('user', ['a'], { senderId: 1 })).toMatchObject({ data: 'a for 1', metadata: { cached: true } })
    await r.invoke('user', ['skip'])
    await r.invoke('user', ['skip'])
    expect(calls).toHaveLength(4)
    expect(await r.invoke('user', ['boom'])).toMatchObject({ success: false, error: { code: 'E_HANDLER' } })
  })
})

describe('hits', () => {
  test('a hit never calls the handler and answers cached: true with the frozen clone', async () => {
    const r = registry()
    const original = { list: [1, 2] }
    const { handler, calls } = counting(() => original)
    r.register('get', handler, { cache: { ttlMs: 60_000 } })
    const first = await r.invoke('get', [])
    original.list.push(3) // the handler's own object is not the cached one
    const second = await r.invoke('get', [])
    expect(first.metadata.cached).toBe(false)
    expect(second).toMatchObject({ success: true, data: { list: [1, 2] }, metadata: { cached: true } })
    expect(Object.isFrozen((second as any).data.list)).toBe(true)
    expect(calls).toHaveLength(1)
  })

  test('TTL: an entry expires after ttlMs', async () => {
    // The native cache keeps real time: a TTL no stall between two calls can outlast, and a wait past it.
    const r = registry()
    const { handler, calls } = counting(() => 1)
    r.register('t', handler, { cache: { ttlMs: 500 } })
    await r.invoke('t', [])
    expect((await r.invoke('t', [])).metadata.cached).toBe(true)
    await sleep(600)
    expect((await r.invoke('t', [])).metadata.cached).toBe(false)
    expect(calls).toHaveLength(2)
    expect(r.getCacheStats().t.expirations).toBeGreaterThanOrEqual(1)
  })

  test('errors are not cached unless cacheErrors; timeouts never are', async () => {
    const r = registry()
    const fails = counting(() => {
      throw Object.assign(new Error('nope'), { code: 'E_NOPE' })
    })
    const kept = counting(() => {
      throw Object.assign(new Error('nope'), { code: 'E_NOPE' })
    })
    const slow = counting(() => sleep(200))
    r.register('fails', fails.handler, { cache: { ttlMs: 60_000 } })
    r.register('kept', kept.handler, { cache: { ttlMs: 60_000, cacheErrors: true } })
    r.register('slow', slow.handler, { timeoutMs: 10, cache: { ttlMs: 60_000, cacheErrors: true } })
    for (let i = 0; i < 2; i++) {
      expect(await r.invoke('fails', [])).toMatchObject({ success: false, error: { code: 'E_NOPE' } })
      expect(await r.invoke('kept', [])).toMatchObject({ success: false, error: { code: 'E_NOPE' }, metadata: i === 1 ? { cached: true } : {} })
      expect(await r.invoke('slow', [])).toMatchObject({ success: false, error: { code: 'E_TIMEOUT' } })
    }
    expect([fails.calls.length, kept.calls.length, slow.calls.length]).toEqual([2, 1, 2])
  })

  test('the sender check, validation and rate limit still apply to hits', async () => {
    const r = registry()
    let allowed = true
    const { handler, calls } = counting((n: number) => n * 2)
    r.register('guarded', handler, {
      schema: { type: 'integer' },
      allowSender: () => allowed,
      rateLimit: { requests: 3, windowMs: 60_000 },
      cache: { ttlMs: 60_000 },
    })
    expect(await r.invoke('guarded', [2])).toMatchObject({ data: 4 })
    expect((await r.invoke('guarded', [2])).metadata.cached).toBe(true)
    expect(await r.invoke('guarded', ['2'])).toMatchObject({ success: false, error: { code: 'E_VALIDATION' } })
    allowed = false
    expect(await r.invoke('guarded', [2])).toMatchObject({ success: false, error: { code: 'E_FORBIDDEN_SENDER' } })
    allowed = true
    expect((await r.invoke('guarded', [2])).metadata.cached).toBe(true)
    expect(await r.invoke('guarded', [2])).toMatchObject({ success: false, error: { code: 'E_RATE_LIMITED' } })
    expect(calls).toHaveLength(1)
    expect(r.getMetrics().channels.guarded).toMatchObject({ calls: 6, ok: 3, errors: 3 })
  })
})

describe('invalidation and bounds', () => {
  test('invalidate(channel, args), invalidate(channel), invalidatePrefix, clearCache', async () => {
    const r = registry()
    const { handler, calls } = counting((x: unknown) => x)
    for (const ch of ['user:a', 'user:b', 'other']) r.register(ch, handler, { cache: { ttlMs: 60_000 } })
    const fill = async () => {
      for (const ch of ['user:a', 'user:b', 'other']) for (const x of [1, 2]) await r.invoke(ch, [x])
    }
    const entries = () => Object.values(r.getCacheStats()).map((s) => s.entries)
    await fill()
    expect(entries()).toEqual([2, 2, 2])
    expect(r.invalidate('user:a', [{ not: 'cached' }])).toBe(0)
    expect(r.invalidate('user:a', [1])).toBe(1)
    expect(entries()).toEqual([1, 2, 2])
    expect(r.invalidate('user:b')).toBe(2)
    expect(entries()).toEqual([1, 0, 2])
    await fill()
    expect(r.invalidatePrefix('user:')).toBe(4)
    expect(entries()).toEqual([0, 0, 2])
    expect(r.clearCache()).toBe(2)
    expect(entries()).toEqual([0, 0, 0])
    expect(r.invalidate('nowhere')).toBe(0)
    expect(calls).toHaveLength(6 + 3)
    expect(() => r.invalidate('user:a', 1 as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })

  test('an invalidation during a run keeps that run from being stored', async () => {
    const r = registry()
    let version = 1
    r.register('v', async () => {
      const seen = version
      await sleep(20)
      return seen
    }, { cache: { ttlMs: 60_000 } })
    const pending = r.invoke('v', [])
    version = 2
    r.invalidate('v')
    expect(await pending).toMatchObject({ data: 1 })
    expect(await r.invoke('v', [])).toMatchObject({ data: 2, metadata: { cached: false } })
  })

  test('evicts least recently used past maxEntries', async () => {
    const r = registry()
    r.register('e', (x: number) => x, { cache: { ttlMs: 60_000, maxEntries: 3 } })
    for (let i = 0; i < 10; i++) await r.invoke('e', [i])
    expect(r.getCacheStats().e).toMatchObject({ entries: 3, evictions: 7 })
    expect((await r.invoke('e', [9])).metadata.cached).toBe(true)
    expect((await r.invoke('e', [0])).metadata.cached).toBe(false)
  })

  test('evicts by estimated bytes past maxBytes; a value larger than the cache is not kept', async () => {
    const r = registry()
    r.register('b', (n: number) => 'x'.repeat(n), { cache: { ttlMs: 60_000, maxBytes: 10_000 } })
    for (let i = 0; i < 20; i++) await r.invoke('b', [1000 + i])
    const s = r.getCacheStats().b
    expect(s.bytes).toBeLessThanOrEqual(10_000)
    expect(s.entries).toBeLessThan(20)
    expect(s.evictions).toBeGreaterThan(0)
    await r.invoke('b', [100_000])
    expect((await r.invoke('b', [100_000])).metadata.cached).toBe(false)
  })

  test('shrinkCaches drops the oldest fraction; stats and hit rate', async () => {
    const r = registry()
    r.register('s', (x: number) => x, { cache: { ttlMs: 60_000 } })
    for (let i = 0; i < 10; i++) await r.invoke('s', [i])
    await r.invoke('s', [9])
    expect(r.shrinkCaches(0.5)).toBe(5)
    expect((await r.invoke('s', [0])).metadata.cached).toBe(false)
    expect((await r.invoke('s', [8])).metadata.cached).toBe(true)
    expect(r.getCacheStats().s).toEqual({ hits: 2, misses: 11, entries: 6, bytes: 0, evictions: 0, expirations: 0, hitRate: 2 / 13 })
    expect(() => r.shrinkCaches(0)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })
})

describe('single-flight', () => {
  test('100 concurrent identical calls run the handler once and share its result', async () => {
    const r = registry()
    const { handler, calls } = counting(async () => {
      await sleep(20)
      return { n: 1 }
    })
    r.register('sf', handler, { cache: { ttlMs: 60_000 } })
    const all = await Promise.all(Array.from({ length: 100 }, () => r.invoke('sf', [])))
    expect(calls).toHaveLength(1)
    expect(all.every((e) => e.success && (e as any).data.n === 1)).toBe(true)
    expect(r.getMetrics().channels.sf).toMatchObject({ calls: 100, ok: 100 })
  })

  test('and share its error, which is not cached', async () => {
    const r = registry()
    const { handler, calls } = counting(async () => {
      await sleep(20)
      throw new Error('down')
    })
    r.register('sf', handler, { cache: { ttlMs: 60_000 } })
    const all = await Promise.all(Array.from({ length: 100 }, () => r.invoke('sf', [])))
    expect(calls).toHaveLength(1)
    expect(all.every((e) => !e.success && e.error.code === 'E_HANDLER')).toBe(true)
    await r.invoke('sf', [])
    expect(calls).toHaveLength(2)
  })

  test('a cancelled caller does not cancel the shared run', async () => {
    const r = registry()
    let aborted = false
    r.register('sf', async (ctx: any) => {
      ctx.signal.addEventListener('abort', () => (aborted = true))
      await sleep(30)
      return 7
    }, { cache: { ttlMs: 60_000 } })
    const controller = new AbortController()
    const first = r.invoke('sf', [], { signal: controller.signal })
    const second = r.invoke('sf', [])
    controller.abort()
    expect(await first).toMatchObject({ success: false, error: { code: 'E_CANCELLED' } })
    expect(await second).toMatchObject({ success: true, data: 7 })
    expect(aborted).toBe(false)
    expect((await r.invoke('sf', [])).metadata.cached).toBe(true)
  })
})

describe('through a renderer', () => {
  test('hits arrive cached: true; the renderer cancels only its own wait; close answers waiters', async () => {
    const ipcMain = new IpcMain()
    const r = registry()
    const { handler, calls } = counting(async (x: number) => {
      await sleep(40)
      return { x }
    })
    r.register('get', handler, { cache: { ttlMs: 60_000 } })
    r.register('hang', () => new Promise(() => {}), { cache: { ttlMs: 60_000 } })
    r.attach(ipcMain)
    const win = await open(ipcMain)
    const [a, b] = await Promise.all([
      win.request('invoke', { channel: 'get', args: [1], abortAfterMs: 5 }),
      win.request('invoke', { channel: 'get', args: [1] }),
    ])
    expect(a).toMatchObject({ ok: false, error: { code: 'E_CANCELLED' } })
    expect(b).toMatchObject({ ok: true, value: { x: 1 } })
    expect(await win.request('raw', { channel: 'get', args: [1] })).toEqual({ success: true, data: { x: 1 }, metadata: { executionTimeMs: expect.any(Number), cached: true } })
    expect(calls).toHaveLength(1)
    const pending = win.request('invoke', { channel: 'hang' })
    await until(() => r.getMetrics().channels.hang?.inFlight === 1) // the call reached main
    await r.close()
    expect(await pending).toMatchObject({ ok: false, error: { code: 'E_CLOSED' } })
  })
})

describe('options', () => {
  test.each([
    [{ ttlMs: 0 }, 'options.cache.ttlMs'],
    [{}, 'options.cache.ttlMs'],
    [{ ttlMs: 1, maxEntries: 0 }, 'options.cache.maxEntries'],
    [{ ttlMs: 1, maxBytes: 1.5 }, 'options.cache.maxBytes'],
    [{ ttlMs: 1, cacheErrors: 'yes' }, 'options.cache.cacheErrors'],
    [{ ttlMs: 1, key: 'id' }, 'options.cache.key'],
    [{ ttlMs: 1, size: 3 }, 'options.cache.size'],
    [5, 'options.cache'],
  ])('%p is refused naming %s', (cache, argument) => {
    const r = registry()
    expect(() => r.register('c', () => 1, { cache } as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', details: expect.objectContaining({ argument }) }))
  })
})
