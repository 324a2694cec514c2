// BindingRateLimiter (GCRA) and BindingHistogram through the addon. The window
// arithmetic is covered with an injected clock by `cargo test` (src/ratelimit).
const native = require('../binding.js')

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('BindingRateLimiter', () => {
  test('allows a burst of `requests`, then reports retry-after in ms', () => {
    const limiter = new native.BindingRateLimiter(3, 1000)
    const t0 = performance.now()
    expect([limiter.check('a'), limiter.check('a'), limiter.check('a')]).toEqual([0, 0, 0])
    const retry = limiter.check('a')
    // The next token is one interval (1000 / 3 ms) after the burst, less what passed since (a loaded
    // machine once spent 56 ms in these four calls): over 300 ms when they ran back to back.
    const elapsed = performance.now() - t0
    expect(retry).toBeGreaterThanOrEqual(Math.floor(1000 / 3 - elapsed))
    expect(retry).toBeLessThanOrEqual(334)
    expect(Number.isInteger(retry)).toBe(true)
  })

  test('refills over the window', async () => {
    // A token per 300 ms: the third call is refused unless 300 ms pass within three calls.
    const limiter = new native.BindingRateLimiter(2, 600)
    expect([limiter.check('k'), limiter.check('k')]).toEqual([0, 0])
    expect(limiter.check('k')).toBeGreaterThan(0)
    await sleep(620) // at least a window
    expect([limiter.check('k'), limiter.check('k')]).toEqual([0, 0])
  })

  test('keys are isolated; reset forgets one key or all', () => {
    const limiter = new native.BindingRateLimiter(1, 10_000)
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
  ])('new BindingRateLimiter(%p, %p) throws naming the argument', (requests, windowMs, message) => {
    expect(() => new native.BindingRateLimiter(requests, windowMs)).toThrow(message)
    expect(() => new native.BindingRateLimiter(requests, windowMs)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })
})

describe('BindingHistogram', () => {
  test('records milliseconds with microsecond resolution', () => {
    const h = new native.BindingHistogram()
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

describe('per-call fast paths (fastCalls)', () => {
  const { rateLimitCheck, histogramRecord } = native.fastCalls()

  test('rateLimitCheck(handle, key) shares state with the class methods', () => {
    const limiter = new native.BindingRateLimiter(2, 10_000)
    const h = limiter.handle
    expect([rateLimitCheck(h, 'k'), limiter.check('k')]).toEqual([0, 0])
    expect(rateLimitCheck(h, 'k')).toBeGreaterThan(0)
    const long = 'x'.repeat(1000) // past the stack buffer
    expect([rateLimitCheck(h, long), rateLimitCheck(h, long)]).toEqual([0, 0])
    expect(rateLimitCheck(h, long)).toBeGreaterThan(0)
    expect(rateLimitCheck(h, 'ü😀')).toBe(0)
    limiter.reset('k')
    expect(rateLimitCheck(h, 'k')).toBe(0)
    expect(() => rateLimitCheck(h, 5 as any)).toThrow(/key must be a string/)
    expect(() => rateLimitCheck(h, 5 as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(rateLimitCheck(0xfffffff, 'k')).toBe(0) // no such limiter: allowed
  })

  test('histogramRecord(handle, ms) records into the same histogram', () => {
    const hist = new native.BindingHistogram()
    histogramRecord(hist.handle, 1)
    hist.record(3)
    expect(hist.summary()).toMatchObject({ count: 2, min: 1, max: 3 })
    histogramRecord(0xfffffff, 1) // no such histogram: ignored
  })

  test('the registry door exports plain names, not the binding\'s', () => {
    const door = require('../lib/registry/native')
    expect(Object.keys(door).sort()).toEqual(['Histogram', 'RateLimiter', 'checkLimits', 'compileSchema'])
  })

  test('the registry door wraps both with the same API', () => {
    const door = require('../lib/registry/native')
    const limiter = new door.RateLimiter(1, 10_000)
    expect([limiter.check('a'), limiter.check('a') > 0]).toEqual([0, true])
    limiter.reset()
    expect(limiter.check('a')).toBe(0)
    const hist = new door.Histogram()
    hist.record(2)
    expect(hist.summary().count).toBe(1)
    hist.reset()
    expect(hist.summary().count).toBe(0)
  })
})

describe('a bug in ipcflow', () => {
  test('a native panic throws E_INTERNAL saying it is our bug, and the process lives', () => {
    const thrown = (() => {
      try {
        native.__panicForTests()
      } catch (error) {
        return error
      }
    })()
    expect(thrown).toEqual(expect.objectContaining({ code: 'E_INTERNAL', message: expect.stringContaining('bug in ipcflow') }))
    // The addon still works afterwards.
    expect(new native.BindingRateLimiter(1, 1000).check('k')).toBe(0)
  })
})

export {}
