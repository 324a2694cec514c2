// A renderer's sparse array clones in a few bytes; its cache key must not walk every index.
import { HandlerRegistry } from '../index'
const { argsKey } = require('../lib/registry/cache-key')

describe('cache keys of long arrays', () => {
  test('an array past 65,536 items has no key; one at the bound has one', () => {
    expect(argsKey([new Array(1e8)])).toBeUndefined()
    expect(argsKey([new Array(65537).fill(0)])).toBeUndefined()
    expect(typeof argsKey([new Array(65536).fill(0)])).toBe('string')
  })

  test('a sparse 1e8-item argument on a cached channel without caps is answered uncached, handler run each time', async () => {
    const r = new HandlerRegistry()
    let runs = 0
    r.register('echo', (a: unknown[]) => {
      runs++
      return a.length
    }, { cache: { ttlMs: 60_000 }, maxBytes: Infinity, maxDepth: Infinity })
    for (let i = 0; i < 2; i++) {
      const env = await r.invoke('echo', [new Array(1e8)])
      expect(env).toMatchObject({ success: true, data: 1e8, metadata: { cached: false } })
    }
    expect(runs).toBe(2)
    await r.close()
  })
})
