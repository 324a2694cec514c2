// NativeRateLimiter (GCRA) and NativeHistogram through the addon. The window
// arithmetic is covered with an injected clock by `cargo test` (src/ratelimit).
const native = require('../binding.js')

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('NativeRateLimiter', () => {
  test('allows a burst of `requests`, then reports retry-after in ms', () => {
    const limiter = new native.NativeRateLimiter(3, 1000)
    expect([limiter.check('a'), limiter.check('a'), limiter.check('a')]).toEqual([0, 0, 0])
    const retry = limiter.check('a')
    expect(retry).toBeGreaterThan(300)
    expect(retry).toBeLessThanOrEqual(334)
    expect(Number.isInteger(retry)).toBe(true)
  })

  test('refills over the window', async () => {
    const limiter = new native.NativeRateLimiter(2, 60)
    expect([limiter.check('k'), limiter.check('k')]).toEqual([0, 0])
    expect(limiter.check('k')).toBeGreaterThan(0)
    await sleep(80)
    expect([limiter.check('k'), limiter.check('k')]).toEqual([0, 0])
  })

  test('keys are isolated; reset forgets one key or all', () => {
    const limiter = new native.NativeRateLimiter(1, 10_000)
    expect(limiter.check('ch|1')).toBe(0)
    expect(limiter.check('ch|1')).toBeGreaterThan(0)
    expect(limiter.check('ch|2')).toBe(0)
    limiter.reset('ch|1')
    expect(limiter.check('ch|1')).toBe(0)
    expect(limiter.check('ch|2')).toBeGreaterThan(0)
    limiter.reset()
    expect(limiter.check('ch|2')).toBe(0)
  })

  test.each([
    [NaN, 1000, /requests/],
    [-1, 1000, /requests/],
    [0, 1000, /requests/],
    [5, NaN, /windowMs/],
    [5, -10, /windowMs/],
  ])('new NativeRateLimiter(%p, %p) throws naming the argument', (requests, windowMs, message) => {
    expect(() => new native.NativeRateLimiter(requests, windowMs)).toThrow(message)
  })
})

describe('NativeHistogram', () => {
  test('records milliseconds with microsecond resolution', () => {
    const h = new native.NativeHistogram()
    expect(h.summary()).toEqual({ count: 0, min: 0, max: 0, mean: 0, p50: 0, p95: 0, p99: 0 })
    for (let i = 1; i <= 100; i++) h.record(i / 100) // 0.01 .. 1.00 ms
    const s = h.summary()
    expect(s.count).toBe(100)
    expect(s.min).toBeCloseTo(0.01, 5)
    expect(s.max).toBeCloseTo(1, 5)
    expect(s.mean).toBeCloseTo(0.505, 3)
    expect(Math.abs(s.p50 - 0.5) / 0.5).toBeLessThan(0.03)
    expect(Math.abs(s.p99 - 0.99) / 0.99).toBeLessThan(0.03)
    h.record(NaN)
    h.record(-1)
    expect(h.summary().count).toBe(102)
    h.reset()
    expect(h.summary().count).toBe(0)
  })
})

export {}
