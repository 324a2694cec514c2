// HandlerRegistry in process (no renderer): registration, the envelope, error
// mapping, timeouts, caller cancellation, close and metrics.
import path from 'path'
import { execFileSync } from 'child_process'
import { HandlerRegistry, IpcError, ValidationError, type Envelope, type HandlerContext } from '../index'
import { advance, fakeTime } from './helpers/clock'

// index.d.ts types the subclasses with IpcError's (code, message, details)
// constructor; at run time they take (message, details). Reported upstream.
const Validation = ValidationError as unknown as new (message: string, details?: Record<string, unknown>) => IpcError

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const registries: HandlerRegistry[] = []
function make(options?: ConstructorParameters<typeof HandlerRegistry>[0]) {
  const r = new HandlerRegistry(options)
  registries.push(r)
  return r
}
afterEach(async () => {
  jest.clearAllTimers()
  jest.useRealTimers()
  await Promise.all(registries.splice(0).map((r) => r.close()))
})

const errorOf = (e: Envelope) => {
  if (e.success) throw new Error(`expected an error envelope, got data ${JSON.stringify(e.data)}`)
  return e.error
}

describe('registration', () => {
  test('register, has, channels, unregister', () => {
    const r = make()
    r.register('a', () => 1)
    r.register('b', () => 2)
    expect(r.has('a')).toBe(true)
    expect(r.channels()).toEqual(['a', 'b'])
    expect(r.unregister('a')).toBe(true)
    expect(r.unregister('a')).toBe(false)
    expect(r.channels()).toEqual(['b'])
    r.register('a', () => 3) // free again
  })

  test('a duplicate channel is E_DUPLICATE_HANDLER', () => {
    const r = make()
    r.register('a', () => 1)
    expect(() => r.register('a', () => 2)).toThrow(expect.objectContaining({ code: 'E_DUPLICATE_HANDLER', details: { channel: 'a' } }))
  })

  test.each([
    ['channel', () => make().register('' as any, () => 1)],
    ['channel', () => make().register(42 as any, () => 1)],
    ['channel', () => make().register('ipcflow:mine', () => 1)],
    ['handler', () => make().register('a', 'nope' as any)],
    ['options', () => make().register('a', () => 1, 5 as any)],
    ['options.timeoutMs', () => make().register('a', () => 1, { timeoutMs: -1 })],
    ['options.timeoutMs', () => make().register('a', () => 1, { timeoutMs: 'soon' as any })],
    ['options.maxBytes', () => make().register('a', () => 1, { maxBytes: 0 })],
    ['options.maxDepth', () => make().register('a', () => 1, { maxDepth: 1.5 })],
    ['options.rateLimit.requests', () => make().register('a', () => 1, { rateLimit: { requests: 0, windowMs: 10 } })],
    ['options.rateLimit.windowMs', () => make().register('a', () => 1, { rateLimit: { requests: 1, windowMs: NaN } })],
    ['options.rateLimit.per', () => make().register('a', () => 1, { rateLimit: { requests: 1, windowMs: 10, per: 'frame' as any } })],
    ['options.rateLimit[1].per', () => make().register('a', () => 1, { rateLimit: [{ requests: 1, windowMs: 10 }, { requests: 1, windowMs: 10 }] })],
    ['options.allowedOrigins', () => make().register('a', () => 1, { allowedOrigins: [] })],
    ['options.allowedOrigins[1]', () => make().register('a', () => 1, { allowedOrigins: ['app://main', 'not a url'] })],
    ['options.allowedOrigins[0]', () => make().register('a', () => 1, { allowedOrigins: ['https://app.example/path'] })],
    ['options.allowSender', () => make().register('a', () => 1, { allowSender: true as any })],
    ['options.schema', () => make().register('a', () => 1, { schema: 'string' as any })],
    ['options.argsSchema', () => make().register('a', () => 1, { schema: {}, argsSchema: {} })],
    ['options.cache', () => make().register('a', () => 1, { cache: 5 } as any)],
    ['options.monitor', () => make({ monitor: {} as any })],
    ['options.defaults.retries', () => make({ defaults: { retries: 1 } as any })],
  ])('bad %s is E_INVALID_ARGUMENT naming it', (argument, act) => {
    expect(act).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', details: expect.objectContaining({ argument }) }))
  })

  test('a failed register leaves nothing behind', () => {
    const r = make()
    expect(() => r.register('a', () => 1, { timeoutMs: 0 })).toThrow()
    expect(r.has('a')).toBe(false)
  })
})

describe('envelope and handler errors', () => {
  test('success: data and metadata; the handler gets (...args, ctx)', async () => {
    const r = make()
    let seen: any[] = []
    r.register('add', (a: number, b: number, ctx: HandlerContext) => {
      seen = [a, b, ctx.channel, ctx.senderId, ctx.origin, ctx.signal.aborted]
      return a + b
    })
    const e = await r.invoke('add', [2, 3], { senderId: 7, origin: 'app://main' })
    expect(e).toEqual({ success: true, data: 5, metadata: { executionTimeMs: expect.any(Number), cached: false } })
    expect(seen).toEqual([2, 3, 'add', 7, 'app://main', false])
  })

  test('async handlers, undefined results and no ctx', async () => {
    const r = make()
    r.register('later', async () => {
      await sleep(5)
      return { ok: [1] }
    })
    r.register('nothing', () => undefined)
    expect(await r.invoke('later', [])).toMatchObject({ success: true, data: { ok: [1] } })
    expect(await r.invoke('nothing', [])).toMatchObject({ success: true, data: undefined })
  })

  test('a throw is E_HANDLER with its message; no stack crosses', async () => {
    const r = make()
    r.register('sync', () => {
      throw new Error('sync boom')
    })
    r.register('async', async () => {
      throw new TypeError('async boom')
    })
    for (const channel of ['sync', 'async']) {
      const e = await r.invoke(channel, [])
      expect(e).toEqual({
        success: false,
        error: { code: 'E_HANDLER', message: `${channel} boom`, details: { channel } },
        metadata: { executionTimeMs: expect.any(Number) },
      })
    }
  })

  test('E_-style codes set by the handler are kept with details; Node codes are not', async () => {
    const r = make()
    r.register('ours', () => {
      throw new Validation('bad input', { errors: [{ pointer: '/q' }] })
    })
    r.register('app', async () => {
      throw Object.assign(new Error('log in first'), { code: 'E_NOT_LOGGED_IN', details: { loginUrl: 'app://main/login' } })
    })
    r.register('uncloneable', () => {
      throw Object.assign(new Error('x'), { code: 'E_APP', details: { fn: () => 1 } })
    })
    r.register('node', () => {
      throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' })
    })
    r.register('inherited', () => {
      throw Object.create(Object.assign(new Error('proto code'), { code: 'E_SNEAKY' }))
    })
    expect(errorOf(await r.invoke('ours', []))).toEqual({ code: 'E_VALIDATION', message: 'bad input', details: { errors: [{ pointer: '/q' }] } })
    expect(errorOf(await r.invoke('app', []))).toEqual({ code: 'E_NOT_LOGGED_IN', message: 'log in first', details: { loginUrl: 'app://main/login' } })
    expect(errorOf(await r.invoke('uncloneable', []))).toMatchObject({ code: 'E_APP', details: { detailsDropped: expect.any(String) } })
    expect(errorOf(await r.invoke('node', []))).toEqual({ code: 'E_HANDLER', message: 'ENOENT: no such file', details: { channel: 'node', cause: { code: 'ENOENT' } } })
    expect(errorOf(await r.invoke('inherited', []))).toMatchObject({ code: 'E_HANDLER', message: 'proto code' })
  })

  test('non-Error throws and rejections are handled', async () => {
    const r = make()
    const values: unknown[] = ['plain string', 42, null, undefined, { some: 'object' }, Symbol('s')]
    values.forEach((v, i) => {
      r.register(`throw${i}`, () => {
        throw v
      })
      r.register(`reject${i}`, () => Promise.reject(v))
    })
    for (let i = 0; i < values.length; i++) {
      for (const kind of ['throw', 'reject']) {
        const err = errorOf(await r.invoke(`${kind}${i}`, []))
        expect(err.code).toBe('E_HANDLER')
        expect(typeof err.message).toBe('string')
      }
    }
    expect(errorOf(await r.invoke('throw0', [])).message).toBe('plain string')
    expect(errorOf(await r.invoke('throw1', [])).message).toMatch(/non-Error value \(42\)/)
  })

  test('a thenable whose then throws is an E_HANDLER, not a crash', async () => {
    const r = make()
    r.register('evil', () => ({
      then() {
        throw new Error('then threw')
      },
    }))
    expect(errorOf(await r.invoke('evil', []))).toMatchObject({ code: 'E_HANDLER', message: 'then threw' })
  })

  test('unknown channel E_NOT_FOUND; bad invoke arguments E_INVALID_ARGUMENT, never a throw', async () => {
    const r = make()
    r.register('a', () => 1)
    expect(errorOf(await r.invoke('nope', []))).toMatchObject({ code: 'E_NOT_FOUND', details: { channel: 'nope' } })
    expect(errorOf(await r.invoke(5 as any, []))).toMatchObject({ code: 'E_INVALID_ARGUMENT', details: { argument: 'channel' } })
    expect(errorOf(await r.invoke('a', 'x' as any))).toMatchObject({ code: 'E_INVALID_ARGUMENT', details: { argument: 'args' } })
    expect(errorOf(await r.invoke('a', [], 3 as any))).toMatchObject({ code: 'E_INVALID_ARGUMENT', details: { argument: 'ctx' } })
    expect(errorOf(await r.invoke('a', [], { signal: {} as any }))).toMatchObject({ code: 'E_INVALID_ARGUMENT', details: { argument: 'ctx.signal' } })
  })

  test('IpcError.from rebuilds the class from an envelope error', async () => {
    const r = make()
    r.register('a', () => {
      throw new Validation('nope', { errors: [] })
    })
    const err = IpcError.from(errorOf(await r.invoke('a', [])))
    expect(err).toBeInstanceOf(ValidationError)
    expect(err).toMatchObject({ code: 'E_VALIDATION', details: { errors: [] } })
  })
})

describe('timeouts, cancellation, close', () => {
  test('timeoutMs: E_TIMEOUT, the signal aborts with a TimeoutError, the late result is discarded and counted', async () => {
    const r = make()
    let reason: any
    let finish!: (v: string) => void
    r.register('slow', (ctx: HandlerContext) => {
      ctx.signal.addEventListener('abort', () => (reason = ctx.signal.reason))
      return new Promise((resolve) => (finish = resolve))
    }, { timeoutMs: 30 })
    const e = await r.invoke('slow', [])
    expect(errorOf(e)).toMatchObject({ code: 'E_TIMEOUT', details: { channel: 'slow', timeoutMs: 30 } })
    expect(e.metadata.executionTimeMs).toBeGreaterThanOrEqual(25)
    expect(reason).toMatchObject({ code: 'E_TIMEOUT' })
    finish('too late')
    await sleep(0)
    expect(r.getMetrics().channels.slow).toMatchObject({ calls: 1, errors: 1, lateResults: 1, inFlight: 0, errorsByCode: { E_TIMEOUT: 1 } })
  })

  test('a default timeout applies; a channel can turn it off', async () => {
    const r = make({ defaults: { timeoutMs: 20 } })
    r.register('hang', () => new Promise(() => {}))
    r.register('patient', () => sleep(40).then(() => 'done'), { timeoutMs: Infinity })
    expect(errorOf(await r.invoke('hang', []))).toMatchObject({ code: 'E_TIMEOUT' })
    expect(await r.invoke('patient', [])).toMatchObject({ success: true, data: 'done' })
  })

  test('timeouts share one timer: each call still ends at its own deadline, whatever the order', async () => {
    // On fake time (the shared timer is a setTimeout read against performance.now()): a loaded
    // machine once delayed the 5 ms pause past the 60 ms call's deadline, reordering the ends.
    fakeTime()
    const r = make()
    r.register('hang', () => new Promise(() => {}), { timeoutMs: 60 })
    r.register('brief', () => new Promise(() => {}), { timeoutMs: 20 })
    r.register('quick', () => 'ok', { timeoutMs: 40 })
    const t0 = performance.now()
    const ended: Array<[string, number]> = []
    const track = (name: string, p: Promise<Envelope>) => p.then((e) => {
      ended.push([name, performance.now() - t0])
      return e
    })
    const calls = [track('hang', r.invoke('hang', [])), track('brief', r.invoke('brief', [])), track('quick', r.invoke('quick', []))]
    await advance(5)
    const brief2Start = performance.now() - t0
    calls.push(track('brief 2', r.invoke('brief', []))) // a later call of the same length ends later
    await advance(14)
    expect(ended.map(([name]) => name)).toEqual(['quick']) // at 19 ms: nothing before its deadline
    await advance(60)
    const envelopes = await Promise.all(calls)
    expect(envelopes.map((e) => (e.success ? 'ok' : e.error.code))).toEqual(['E_TIMEOUT', 'E_TIMEOUT', 'ok', 'E_TIMEOUT'])
    expect(ended.map(([name]) => name)).toEqual(['quick', 'brief', 'brief 2', 'hang'])
    const at = Object.fromEntries(ended)
    expect(at.brief).toBeGreaterThanOrEqual(19)
    // At its own deadline (the shared timer may fire up to 1 ms early), not at the first call's:
    // on a loaded machine the first one's timeout can itself be late, so no fixed gap between them.
    expect(at['brief 2']).toBeGreaterThanOrEqual(brief2Start + 19)
    expect(at.hang).toBeGreaterThanOrEqual(59)
    expect(r.getMetrics().channels.brief).toMatchObject({ inFlight: 0, errorsByCode: { E_TIMEOUT: 2 } })
  })

  test('the shared timer keeps a process alive only while a call is pending', () => {
    const script = (hang: boolean) => `
      const { HandlerRegistry } = require(${JSON.stringify(path.join(__dirname, '..'))})
      const r = new HandlerRegistry()
      r.register('c', () => ${hang ? 'new Promise(() => {})' : "'ok'"}, { timeoutMs: ${hang ? 300 : 600_000} })
      const t0 = Date.now()
      r.invoke('c', []).then((e) => console.log(JSON.stringify({ code: e.success ? 'ok' : e.error.code, ms: Date.now() - t0 })))
      process.on('exit', () => console.log('exit after', Date.now() - t0))`
    const run = (hang: boolean) => execFileSync(process.execPath, ['-e', script(hang)], { encoding: 'utf8', timeout: 60_000 })
    // A quick call: the process exits at once, not 600 s later when the call's deadline would have been
    // (kept alive, it would be killed at 60 s).
    const quick = run(false)
    expect(quick).toMatch(/"code":"ok"/)
    expect(Number(/exit after (\d+)/.exec(quick)![1])).toBeLessThan(60_000)
    // A call whose handler never settles (and holds nothing open): alive until its timeout answers.
    expect(run(true)).toMatch(/"code":"E_TIMEOUT","ms":(29\d|[3-9]\d\d|\d{4,})/)
  })

  test('a signal read after the timeout is already aborted', async () => {
    const r = make()
    let signal: AbortSignal | undefined
    r.register('slow', async (ctx: HandlerContext) => {
      await sleep(40)
      signal = ctx.signal
    }, { timeoutMs: 10 })
    await r.invoke('slow', [])
    await sleep(50)
    expect(signal?.aborted).toBe(true)
  })

  test("the caller's signal cancels: E_CANCELLED, the handler's signal aborts", async () => {
    const r = make()
    const seen: string[] = []
    r.register('work', (ctx: HandlerContext) => new Promise((resolve) => {
      ctx.signal.addEventListener('abort', () => {
        seen.push((ctx.signal.reason as IpcError).code)
        resolve('stopped')
      })
    }))
    const controller = new AbortController()
    const pending = r.invoke('work', [], { signal: controller.signal })
    await sleep(5)
    controller.abort()
    expect(errorOf(await pending)).toMatchObject({ code: 'E_CANCELLED' })
    expect(seen).toEqual(['E_CANCELLED'])
    await sleep(0)
    expect(r.getMetrics().channels.work.lateResults).toBe(1)
    const aborted = AbortSignal.abort()
    let ran = false
    r.register('never', () => (ran = true))
    expect(errorOf(await r.invoke('never', [], { signal: aborted }))).toMatchObject({ code: 'E_CANCELLED' })
    expect(ran).toBe(false)
  })

  test('close answers calls in flight with E_CLOSED and refuses later ones', async () => {
    const r = make()
    let reason: any
    r.register('hang', (ctx: HandlerContext) => {
      ctx.signal.addEventListener('abort', () => (reason = ctx.signal.reason))
      return new Promise(() => {})
    })
    const pending = r.invoke('hang', [])
    await r.close()
    expect(r.closed).toBe(true)
    expect(errorOf(await pending)).toMatchObject({ code: 'E_CLOSED' })
    expect(reason).toMatchObject({ code: 'E_CLOSED' })
    expect(errorOf(await r.invoke('hang', []))).toMatchObject({ code: 'E_CLOSED' })
    expect(() => r.register('b', () => 1)).toThrow(expect.objectContaining({ code: 'E_CLOSED' }))
    await r.close() // idempotent
  })

  test('100 concurrent calls with one hung handler: the others all answer', async () => {
    const r = make()
    r.register('hang', () => new Promise(() => {}))
    r.register('echo', async (n: number) => {
      await sleep(n % 5)
      return n
    })
    const hung = r.invoke('hang', [])
    const results = await Promise.all(Array.from({ length: 99 }, (_, i) => r.invoke('echo', [i])))
    expect(results.map((e) => (e.success ? e.data : e.error.code))).toEqual([...Array(99).keys()])
    expect(r.getMetrics().totals).toMatchObject({ calls: 100, ok: 99, inFlight: 1 })
    await r.close()
    expect(errorOf(await hung).code).toBe('E_CLOSED')
  })
})

describe('caps without a schema', () => {
  test('deep nesting and huge strings are E_PAYLOAD_TOO_LARGE before the handler', async () => {
    const r = make({ defaults: { maxBytes: 10_000, maxDepth: 8 } })
    const seen: unknown[] = []
    r.register('take', (v: unknown) => seen.push(v))
    let deep: any = {}
    for (let i = 0; i < 10_000; i++) deep = { a: deep }
    const cyclic: any = { a: 1 }
    cyclic.self = cyclic
    expect(errorOf(await r.invoke('take', [deep]))).toMatchObject({ code: 'E_PAYLOAD_TOO_LARGE', details: { limit: 'maxDepth', maxDepth: 8 } })
    expect(errorOf(await r.invoke('take', ['x'.repeat(20_000)]))).toMatchObject({ code: 'E_PAYLOAD_TOO_LARGE', details: { limit: 'maxBytes' } })
    expect(errorOf(await r.invoke('take', [cyclic]))).toMatchObject({ code: expect.stringMatching(/^E_(PAYLOAD_TOO_LARGE|VALIDATION)$/) })
    expect(seen).toEqual([])
    expect(await r.invoke('take', [{ a: { b: 'ok' } }])).toMatchObject({ success: true })
  })

  test('per-channel caps override the defaults; Infinity turns them off', async () => {
    const r = make({ defaults: { maxDepth: 2 } })
    r.register('strict', () => 'ok')
    r.register('loose', () => 'ok', { maxDepth: Infinity, maxBytes: Infinity })
    const v = { a: { b: { c: { d: 1 } } } }
    expect(errorOf(await r.invoke('strict', [v])).code).toBe('E_PAYLOAD_TOO_LARGE')
    expect(await r.invoke('loose', [v])).toMatchObject({ success: true })
  })
})

describe('metrics', () => {
  test('per channel calls, errors by code, latency; into a monitor, whose failures are ignored', async () => {
    const records: [string, number][] = []
    const increments: string[] = []
    const monitor = {
      record: (name: string, ms: number) => {
        records.push([name, ms])
        throw new Error('monitor broke')
      },
      increment: (name: string) => {
        increments.push(name)
      },
    }
    const r = make({ monitor })
    r.register('ok', () => 1)
    r.register('bad', () => {
      throw new Error('x')
    })
    await r.invoke('ok', [])
    await r.invoke('ok', [])
    await r.invoke('bad', [])
    await r.invoke('missing', [])
    const m = r.getMetrics()
    expect(m.channels.ok).toMatchObject({ calls: 2, ok: 2, errors: 0, lateResults: 0, inFlight: 0, latencyMs: { count: 2 } })
    expect(m.channels.ok.latencyMs.p50).toBeGreaterThanOrEqual(0)
    expect(m.channels.bad).toMatchObject({ calls: 1, errors: 1, errorsByCode: { E_HANDLER: 1 } })
    expect(m.totals).toMatchObject({ calls: 4, ok: 2, errors: 2, errorsByCode: { E_HANDLER: 1, E_NOT_FOUND: 1 } })
    expect(records.map(([name]) => name)).toEqual(['ok', 'ok', 'bad'])
    expect(increments).toEqual(expect.arrayContaining(['ipcflow.invoke.calls', 'ipcflow.invoke.errors.E_HANDLER', 'ipcflow.invoke.errors.E_NOT_FOUND']))
    r.resetMetrics()
    expect(r.getMetrics().totals).toMatchObject({ calls: 0, errors: 0 })
  })
})
