// Issue 25, part 1: user code the registry calls while it walks its own state
// (abort listeners during a timeout sweep, allowSender, cache.key, the
// monitor, handlers' synchronous part, stream producers, ipcMain and
// webContents methods) may re-enter it: invoke, register, unregister,
// invalidate, detach, attach, close. None of it may crash main, leave a call
// unanswered, answer one twice, or leave a gauge up.
// The property test is seeded (REENTRANCY_SEED replays another seed) and runs
// on jest's fake clock: no verdict depends on how busy the machine is.
import fc from 'fast-check'
import { EventEmitter } from 'events'
import { HandlerRegistry } from '../index'
import { World, Stats } from './helpers/reentrancy-world'

jest.setTimeout(60_000)

const codeOf = (e: any): string => (e.success ? 'ok' : e.error.code)
// The envelope if `p` has settled within a few turns of the event loop (no wall clock), else 'unanswered'.
async function soon(p: Promise<any>): Promise<any> {
  let out: any = 'unanswered'
  p.then((e) => (out = e))
  for (let i = 0; i < 5 && out === 'unanswered'; i++) await new Promise((resolve) => setImmediate(resolve))
  return out
}
const codeSoon = async (p: Promise<any>) => {
  const e = await soon(p)
  return e === 'unanswered' ? e : codeOf(e)
}
const codes = (envelopes: any[]) => {
  const out: Record<string, number> = {}
  for (const e of envelopes) out[e.success ? 'ok' : e.error.code] = (out[e.success ? 'ok' : e.error.code] ?? 0) + 1
  return out
}

describe('regressions', () => {
  test('issue 25 reproduction: 1,100 calls timing out together, one abort listener invoking the same channel, gives 1,100 E_TIMEOUT and no uncaught TypeError', async () => {
    // The sweep held its own reference to the FIFO; the listener's invoke
    // compacted it (past 1,024 settled calls) and the sweep read undefined,
    // from a timer callback: an uncaught exception, which kills Electron's main.
    const r = new HandlerRegistry()
    r.register('hang', (x: number, ctx: any) => {
      if (x === 1025) ctx.signal.addEventListener('abort', () => r.invoke('hang', [-1]))
      return new Promise(() => {})
    }, { timeoutMs: 30 })
    const calls = []
    for (let i = 0; i < 1100; i++) calls.push(r.invoke('hang', [i]))
    const envelopes = await Promise.all(calls)
    expect(codes(envelopes)).toEqual({ E_TIMEOUT: 1100 })
    await r.close()
    expect(r.getMetrics().totals).toMatchObject({ calls: 1101, inFlight: 0, errorsByCode: { E_TIMEOUT: 1100, E_CLOSED: 1 } })
  })

  describe('on the fake clock', () => {
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }))
    afterEach(() => jest.useRealTimers())

    test('a shared defaults.timeoutMs: the listeners of every call past the 1,024th log through another channel and start a call on this one; each call answers once', async () => {
      const r = new HandlerRegistry({ defaults: { timeoutMs: 10 } })
      const inner: Promise<any>[] = []
      r.register('log', () => 'logged')
      r.register('hang', (x: number, ctx: any) => {
        if (x >= 1024) ctx.signal.addEventListener('abort', () => inner.push(r.invoke('log', [x]), r.invoke('hang', [-1])))
        return new Promise(() => {})
      })
      const outer = Array.from({ length: 1100 }, (_, i) => r.invoke('hang', [i]))
      await jest.advanceTimersByTimeAsync(10)
      expect(codes(await Promise.all(outer))).toEqual({ E_TIMEOUT: 1100 })
      expect(inner).toHaveLength(2 * 76)
      await jest.advanceTimersByTimeAsync(10) // the calls the listeners started time out in turn
      await r.close()
      expect(codes(await Promise.all(inner))).toEqual({ ok: 76, E_TIMEOUT: 76 })
      expect(r.getMetrics().totals.inFlight).toBe(0)
    })

    test('close() from an abort listener during a sweep answers the rest E_CLOSED, once each, and stops the timer', async () => {
      const r = new HandlerRegistry()
      let closing: Promise<void> | undefined
      r.register('hang', (x: number, ctx: any) => {
        if (x === 3) ctx.signal.addEventListener('abort', () => (closing = r.close()))
        return new Promise(() => {})
      }, { timeoutMs: 5 })
      r.register('later', () => new Promise(() => {}), { timeoutMs: 50 })
      const calls = Array.from({ length: 10 }, (_, i) => r.invoke('hang', [i]))
      const later = r.invoke('later', [])
      await jest.advanceTimersByTimeAsync(5)
      await closing
      expect((await Promise.all(calls)).map(codeOf)).toEqual([...Array(4).fill('E_TIMEOUT'), ...Array(6).fill('E_CLOSED')])
      expect(codeOf(await later)).toBe('E_CLOSED')
      expect(jest.getTimerCount()).toBe(0)
      expect(r.getMetrics().totals).toMatchObject({ calls: 11, errors: 11, inFlight: 0 })
    })

    test('a listener that cancels, through its own AbortController, a call the same sweep is about to expire: that call is cancelled, not answered twice', async () => {
      const r = new HandlerRegistry()
      const controllers = Array.from({ length: 5 }, () => new AbortController())
      r.register('hang', (x: number, ctx: any) => {
        if (x === 0) ctx.signal.addEventListener('abort', () => controllers[3].abort())
        return new Promise(() => {})
      }, { timeoutMs: 5 })
      const calls = controllers.map((c, i) => r.invoke('hang', [i], { signal: c.signal }))
      await jest.advanceTimersByTimeAsync(5)
      expect((await Promise.all(calls)).map(codeOf)).toEqual(['E_TIMEOUT', 'E_TIMEOUT', 'E_TIMEOUT', 'E_CANCELLED', 'E_TIMEOUT'])
      expect(r.getMetrics().totals).toMatchObject({ calls: 5, errors: 5, inFlight: 0 })
      await r.close()
    })

    test('a nested call given the outer ctx.signal is cancelled by the outer timeout inside the sweep, and counted once', async () => {
      const r = new HandlerRegistry()
      const nested: Promise<any>[] = []
      r.register('inner', () => new Promise(() => {}), { timeoutMs: 5 })
      r.register('outer', (_x: unknown, ctx: any) => {
        nested.push(r.invoke('inner', [], { signal: ctx.signal }))
        return new Promise(() => {})
      }, { timeoutMs: 5 })
      const outer = Array.from({ length: 1500 }, (_, i) => r.invoke('outer', [i]))
      await jest.advanceTimersByTimeAsync(5)
      expect(codes(await Promise.all(outer))).toEqual({ E_TIMEOUT: 1500 })
      // Same deadline, later in the FIFO: the outer's abort cancels it before the sweep reaches it.
      expect(codes(await Promise.all(nested))).toEqual({ E_CANCELLED: 1500 })
      expect(r.getMetrics().totals).toMatchObject({ calls: 3000, errors: 3000, inFlight: 0 })
      await r.close()
    })
  })

  test('close() from allowSender, from an argument getter or from the monitor: the call is answered E_CLOSED and its handler never runs', async () => {
    for (const where of ['allowSender', 'getter', 'monitor'] as const) {
      let r: HandlerRegistry
      let ran = 0
      let closeFromMonitor = false
      const monitor = { record() {}, increment: () => { if (closeFromMonitor) r.close() } }
      r = new HandlerRegistry({ monitor })
      r.register('x', () => {
        ran++
        return new Promise(() => {}) // no timeout: only close() could answer it
      }, where === 'allowSender' ? { allowSender: () => (r.close(), true) } : {})
      closeFromMonitor = where === 'monitor'
      const arg = where === 'getter' ? { get n() { r.close(); return 1 } } : { n: 1 }
      const code = await codeSoon(r.invoke('x', [arg]))
      expect({ where, code, ran }).toEqual({ where, code: 'E_CLOSED', ran: 0 })
      expect(r.getMetrics().totals.inFlight).toBe(0)
    }
  })

  test('close() from cache.key: the miss does not start a run after close (E_CLOSED), nor does a key that opts out', async () => {
    for (const key of ['k', undefined]) {
      let ran = 0
      const r: HandlerRegistry = new HandlerRegistry()
      r.register('x', () => {
        ran++
        return new Promise(() => {})
      }, { cache: { ttlMs: 60_000, key: () => (r.close(), key) } })
      const code = await codeSoon(r.invoke('x', [1]))
      expect({ key, code, ran }).toEqual({ key, code: 'E_CLOSED', ran: 0 })
      expect(r.getMetrics().totals.inFlight).toBe(0)
    }
  })

  test('invoke never throws, on a plain, cached or batched channel, for a signal-like ctx.signal whose methods throw or that fires at once, a ctx getter that throws, or revoked Proxies', async () => {
    const r = new HandlerRegistry()
    r.register('plain', (v: number) => v)
    r.register('cached', (v: number) => v, { cache: { ttlMs: 60_000 } })
    r.register('batched', (keys: number[]) => keys, { batch: { delayMs: 0 } })
    const throwing = { aborted: false, addEventListener() { throw new Error('nope') }, removeEventListener() {} }
    const removing = { aborted: false, addEventListener() {}, removeEventListener() { throw new Error('nope') } }
    const eager = { aborted: false, addEventListener(_t: string, f: () => void) { f() }, removeEventListener() {} }
    const fickle = () => {
      let reads = 0
      return { get signal() { return reads++ === 0 ? new AbortController().signal : 'not a signal' } } // valid on the first read only
    }
    const { proxy: revoked, revoke } = Proxy.revocable([], {})
    revoke()
    const got: unknown[] = []
    for (const channel of ['plain', 'cached', 'batched']) {
      const calls: Array<() => Promise<any>> = [
        () => r.invoke(channel, [1], { signal: throwing as any }),
        () => r.invoke(channel, [2], { signal: removing as any }),
        () => r.invoke(channel, [3], { signal: eager as any }),
        () => r.invoke(channel, [4], fickle() as any),
        () => r.invoke(channel, [5], { get senderId(): number { throw new Error('getter') } }),
        () => r.invoke(channel, revoked as any),
        () => r.invoke(channel, [6], revoked as any),
      ]
      for (const call of calls) {
        let code: string
        try {
          code = await codeSoon(call())
        } catch (error) {
          code = `threw ${error}`
        }
        got.push([channel, code])
      }
    }
    const expected = ['E_INVALID_ARGUMENT', 'ok', 'E_CANCELLED', 'ok', 'E_INVALID_ARGUMENT', 'E_INVALID_ARGUMENT', 'E_INVALID_ARGUMENT']
    expect(got).toEqual(['plain', 'cached', 'batched'].flatMap((channel) => expected.map((code) => [channel, code])))
    expect(r.getMetrics().totals.inFlight).toBe(0)
    await r.close()
  })

  test('a handler returning a promise whose constructor getter throws is answered E_HANDLER (invoke used to throw it synchronously)', async () => {
    const r = new HandlerRegistry()
    r.register('x', () => {
      const p = Promise.resolve(1)
      Object.defineProperty(p, 'constructor', { get() { throw new Error('constructor getter') } })
      return p
    })
    expect(await r.invoke('x', [])).toMatchObject({ success: false, error: { code: 'E_HANDLER', message: 'constructor getter' } })
    await r.close()
  })

  test('ipcMain methods that re-enter the registry: registering from removeHandler during detach stays tracked; close() still answers every call when ipcMain.removeListener or memory unsubscribe throw', async () => {
    const handlers = new Map<string, unknown>()
    let r: HandlerRegistry
    let reenter = true
    const ipcMain: any = new EventEmitter()
    ipcMain.handle = (c: string, f: unknown) => {
      if (handlers.has(c)) throw new Error(`second handler for ${c}`)
      handlers.set(c, f)
    }
    ipcMain.removeHandler = (c: string) => {
      handlers.delete(c)
      if (reenter) {
        reenter = false
        r.register('late', () => 1) // registers while detach() walks what it handled
      }
    }
    ipcMain.removeListener = () => {
      throw new Error('removeListener failed')
    }
    const memory = { onPressure: () => () => { throw new Error('unsubscribe failed') } }
    r = new HandlerRegistry({ memory })
    r.register('a', () => new Promise(() => {}))
    r.attach(ipcMain)
    r.detach()
    expect([...handlers.keys()]).toEqual([]) // 'late' was registered detached: not left on ipcMain untracked
    r.attach(ipcMain) // used to throw: 'late' was still on ipcMain
    expect([...handlers.keys()].sort()).toEqual(['a', 'late'])
    const pending = r.invoke('a', [])
    let closed: unknown = 'not yet'
    r.close().then(() => (closed = 'resolved'), (error) => (closed = `rejected: ${error}`))
    expect(await codeSoon(pending)).toBe('E_CLOSED')
    expect(closed).toBe('resolved')
  })

  test('registerStream: the channel is a stream channel from the moment ipcMain.handle sees it', async () => {
    const handlers = new Map<string, any>()
    const seen: any[] = []
    let r: HandlerRegistry
    const ipcMain: any = new EventEmitter()
    ipcMain.handle = (c: string, f: unknown) => {
      handlers.set(c, f)
      seen.push((r as any)._entries.get(c)?.stream !== undefined)
    }
    ipcMain.removeHandler = (c: string) => handlers.delete(c)
    r = new HandlerRegistry()
    r.attach(ipcMain)
    r.registerStream('s', function* () {
      yield 1
    })
    expect(seen).toEqual([true])
    await r.close()
  })
})

describe('re-entrancy property (seeded, fake clock)', () => {
  const SEED = process.env.REENTRANCY_SEED !== undefined ? Number(process.env.REENTRANCY_SEED) : 0x25_0001
  const RUNS = 120
  const stats: Stats = { hooks: {}, ops: {}, codes: {} }
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }))
  afterEach(() => {
    jest.clearAllTimers()
    jest.useRealTimers()
  })

  const step = fc.oneof(
    { weight: 2, arbitrary: fc.constant({ kind: 'op' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 12 }) }) },
  )
  // Over 1,024 calls timing out in one sweep (the FIFO compacts), in about a third of the runs.
  const burst = fc.option(fc.record({ step: fc.nat(40), n: fc.integer({ min: 1025, max: 1100 }), at: fc.integer({ min: 1000, max: 1100 }) }), { freq: 2 })

  type Step = { kind: 'op' } | { kind: 'advance'; ms: number }
  async function run(seed: number, steps: Step[], b: { step: number; n: number; at: number } | null) {
    const w = new World(seed, stats)
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]
      if (b !== null && b.step % steps.length === i) w.burst(b.n, b.at)
      if (s.kind === 'op') w.operate()
      else await jest.advanceTimersByTimeAsync(s.ms) // a timer callback's throw surfaces here
    }
    await jest.advanceTimersByTimeAsync(Math.floor(w.rand() * 30))
    await w.r.close()
    for (let i = 0; i < 20; i++) await Promise.resolve() // answers land through promise callbacks; no time passes
    const problems = [...w.violations]
    const unsettled = w.unsettled()
    if (unsettled.length > 0) problems.push(`${unsettled.length} invokes unanswered after close(): ${[...new Set(unsettled.map((p) => p.channel + (p.ipc ? ' (ipc)' : '')))].join(', ')}`)
    problems.push(...w.checkQuiet())
    // Late handler timers, producers' awaits, ...: none may answer twice or throw.
    const before = w.violations.length
    await jest.advanceTimersByTimeAsync(200)
    problems.push(...w.violations.slice(before))
    if (problems.length === 0) problems.push(...w.checkQuiet().map((p) => `later: ${p}`))
    if (w.unsettled().length > 0) problems.push(`later: ${w.unsettled().length} invokes unanswered`)
    if (w.generators.finalized !== w.generators.entered) problems.push(`${w.generators.entered - w.generators.finalized} of ${w.generators.entered} stream producers never finalized`)
    return problems
  }

  test('random operations re-entering from every callback: each invoke answers exactly once with a typed envelope, gauges return to 0, close() answers everything', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 0xffffffff }), fc.array(step, { minLength: 5, maxLength: 40 }), burst, async (seed, steps, b) => {
        const problems = await run(seed, steps, b)
        if (problems.length > 0) throw new Error(`seed ${seed}:\n  ${problems.slice(0, 12).join('\n  ')}`)
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    )
    // The runs did reach every kind of re-entry and every outcome worth having.
    for (const where of ['handler', 'abort', 'allowSender', 'cache.key', 'monitor.record', 'monitor.increment', 'batch handler', 'stream handler', 'generator', 'webContents.send', 'ipcMain.handle', 'ipcMain.removeHandler', 'argument getter']) {
      expect({ where, reached: (stats.hooks[where] ?? 0) > 0 }).toEqual({ where, reached: true })
    }
    for (const code of ['ok', 'E_TIMEOUT', 'E_CANCELLED', 'E_CLOSED', 'E_HANDLER', 'E_APP', 'E_NOT_FOUND', 'E_FORBIDDEN_SENDER', 'E_RATE_LIMITED']) {
      expect({ code, seen: (stats.codes[code] ?? 0) > 0 }).toEqual({ code, seen: true })
    }
    console.log(`re-entrancy property: seed ${SEED}, ${RUNS} runs; ops ${JSON.stringify(stats.ops)}; outcomes ${JSON.stringify(stats.codes)}; re-entries from ${JSON.stringify(stats.hooks)}`)
  })
})

describe('stream ends re-entered', () => {
  test("close() from inside webContents.send of a stream's 'end': no 'error' after it, the stream counted completed", async () => {
    const handlers = new Map<string, any>()
    const ipcMain: any = new EventEmitter()
    ipcMain.handle = (c: string, f: unknown) => handlers.set(c, f)
    ipcMain.removeHandler = (c: string) => handlers.delete(c)
    const r = new HandlerRegistry()
    const sent: string[] = []
    const sender: any = new EventEmitter()
    sender.id = 1
    sender.isDestroyed = () => false
    sender.send = (_c: string, m: any) => {
      sent.push(m.ipcflow)
      if (m.ipcflow === 'end') r.close()
    }
    r.registerStream('s', function* () {
      yield 1
    })
    r.attach(ipcMain)
    const opened = await handlers.get('s')({ sender, senderFrame: { origin: 'app://x', url: 'app://x/' } }, { ipcflow: 'invoke', v: 1, id: 'a', args: [] })
    expect(opened.success).toBe(true)
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(sent).toEqual(['chunk', 'end'])
    expect(r.getMetrics().channels.s.stream).toMatchObject({ completed: 1, cancelled: 0, open: 0 })
  })
})

// Defects this suite found in batching.js and stream-out.js (each failed before its fix).
describe('request batching and stream ends re-entered', () => {
  test("a getter read by the batch key (channel without caps) that closes the registry: E_CLOSED, nothing left in flight", async () => {
    const r = new HandlerRegistry()
    r.register('b', (keys: unknown[]) => keys, { batch: { maxSize: 10, delayMs: 1 }, maxBytes: Infinity, maxDepth: Infinity })
    const code = await codeSoon(r.invoke('b', [{ get n() { r.close(); return 1 } }]))
    expect(code).toBe('E_CLOSED')
    expect(r.getMetrics().totals.inFlight).toBe(0)
  })

  test("a batch handler returning a promise whose constructor getter throws: E_HANDLER, nothing thrown from the flush timer", async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] })
    try {
      const r = new HandlerRegistry()
      r.register('b', (keys: unknown[]) => {
        const p = Promise.resolve(keys)
        Object.defineProperty(p, 'constructor', { get() { throw new Error('constructor getter') } })
        return p
      }, { batch: { maxSize: 10, delayMs: 1 } })
      const pending = r.invoke('b', [1])
      await jest.advanceTimersByTimeAsync(1) // the flush timer's throw surfaced here
      expect(codeOf(await pending)).toBe('E_HANDLER') // (setImmediate is fake here: await the answer itself)
      await r.close()
    } finally {
      jest.useRealTimers()
    }
  })

  test('the re-entrancy property with an uncapped batch channel, poisoned batch promises and close() from webContents.send', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] })
    const stats: Stats = { hooks: {}, ops: {}, codes: {} }
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 0xffffffff }), async (seed) => {
          const w = new World(seed, stats, { knownDefects: true })
          for (let i = 0; i < 30; i++) {
            w.operate()
            if (w.chance(0.3)) await jest.advanceTimersByTimeAsync(Math.floor(w.rand() * 12))
          }
          await w.r.close()
          for (let i = 0; i < 20; i++) await Promise.resolve()
          const problems = [...w.violations, ...w.checkQuiet()]
          if (w.unsettled().length > 0) problems.push(`${w.unsettled().length} invokes unanswered after close()`)
          if (problems.length > 0) throw new Error(`seed ${seed}:\n  ${problems.slice(0, 12).join('\n  ')}`)
        }),
        { seed: 0x25_0002, numRuns: 100, endOnFailure: true },
      )
    } finally {
      jest.clearAllTimers()
      jest.useRealTimers()
    }
  })
})

describe('deduplicated batch keys', () => {
  test('calls with identical keys in one batch get answers that share nothing: one caller cannot change another', async () => {
    const r = new HandlerRegistry()
    let runs = 0
    r.register('b', (keys: unknown[]) => {
      runs++
      return keys.map((k) => ({ k, rows: [1, 2], bytes: new Uint8Array([7]) }))
    }, { batch: { maxSize: 10, delayMs: 0 } })
    const [a, b, c] = (await Promise.all([r.invoke('b', [{ q: 1 }]), r.invoke('b', [{ q: 1 }]), r.invoke('b', [{ q: 1 }])])) as any[]
    expect(runs).toBe(1)
    expect(r.getMetrics().channels.b.batch?.deduplicated).toBe(2)
    a.data.rows.push(3)
    a.data.bytes[0] = 99
    expect(b.data).toEqual({ k: { q: 1 }, rows: [1, 2], bytes: new Uint8Array([7]) })
    expect(c.data).toEqual({ k: { q: 1 }, rows: [1, 2], bytes: new Uint8Array([7]) })
    expect(b.data).not.toBe(c.data)
    await r.close()
  })
})
