// Faults (issue 9): handlers that throw, hang, reject with non-Errors, return
// uncloneable or huge values; sends that throw; a target destroyed mid-frame;
// listeners, onError, monitor and cleanup callbacks that throw. Each is
// contained, answered with the right code and counted; the rest keep working.
import { BatchManager, HandlerRegistry, PerformanceMonitor, MemoryManager, type Envelope } from '../index'
import { useRegistryFixtures, sleep } from './helpers/registry'

const errorOf = (e: Envelope) => {
  if (e.success) throw new Error(`expected an error envelope, got ${String(e.data)}`)
  return e.error
}

describe('handlers', () => {
  const thrown: Array<[string, () => unknown]> = [
    ['an Error', () => new Error('plain')],
    ['a string', () => 'just a string'],
    ['null', () => null],
    ['undefined', () => undefined],
    ['a number', () => 42],
    ['a symbol', () => Symbol('s')],
    ['a bigint', () => 10n],
    ['an object without message', () => ({ code: 'E_NOPE' })],
    ['an object with a non-string message', () => ({ message: { nested: true } })],
    ['a Proxy whose traps throw', () => new Proxy({}, { get: () => { throw new Error('trap') }, getOwnPropertyDescriptor: () => { throw new Error('trap') } })],
    ['an Error with a getter code that throws', () => Object.defineProperty(new Error('g'), 'code', { get: () => { throw new Error('code getter') } })],
    ['an Error with uncloneable details', () => Object.assign(new Error('d'), { code: 'E_APP', details: { f: () => 1 } })],
    ['an Error with a 10 MB message', () => new Error('m'.repeat(10 * 1024 * 1024))],
    ['an Error with a Node code', () => Object.assign(new Error('enoent'), { code: 'ENOENT' })],
    ['an Error with E_INTERNAL', () => Object.assign(new Error('pretend'), { code: 'E_INTERNAL' })],
  ]
  test.each(thrown)('a handler that throws %s: E_HANDLER-style envelope, counted', async (_name, make) => {
    const r = new HandlerRegistry()
    r.register('sync', () => { throw make() })
    r.register('async', async () => { throw make() })
    r.register('reject', () => Promise.reject(make()))
    for (const channel of ['sync', 'async', 'reject']) {
      const e = errorOf(await r.invoke(channel, []))
      expect(e.code).toMatch(/^E_[A-Z_]+$/)
      expect(typeof e.message).toBe('string')
      expect(() => structuredClone(e)).not.toThrow()
    }
    expect(r.getMetrics().totals.errors).toBe(3)
    await r.close()
  })

  test('a thenable whose then throws, and one that never settles with a timeout', async () => {
    const r = new HandlerRegistry()
    r.register('badThen', () => ({ then: () => { throw new Error('then boom') } }))
    r.register('neverThen', () => ({ then: () => {} }), { timeoutMs: 20 })
    expect(errorOf(await r.invoke('badThen', [])).code).toBe('E_HANDLER')
    expect(errorOf(await r.invoke('neverThen', [])).code).toBe('E_TIMEOUT')
    await r.close()
  })

  test('a hung handler does not delay another channel', async () => {
    const r = new HandlerRegistry()
    r.register('hang', () => new Promise(() => {}), { timeoutMs: 60_000 })
    r.register('quick', (x: number) => x * 2)
    const hung = Array.from({ length: 100 }, () => r.invoke('hang', []))
    const t0 = performance.now()
    const quick = await Promise.all(Array.from({ length: 100 }, (_, i) => r.invoke('quick', [i])))
    const elapsed = performance.now() - t0
    expect(quick.every((e, i) => e.success && e.data === i * 2)).toBe(true)
    expect(elapsed).toBeLessThan(10_000) // far below the hung handler's 60 s timeout (the quick calls take ms)
    await r.close()
    for (const e of await Promise.all(hung)) expect(errorOf(e).code).toBe('E_CLOSED')
  })

  test('a huge result (a 64 MB string, 1,000,000 items) is returned in process without a copy failing', async () => {
    const r = new HandlerRegistry()
    r.register('big', () => 'z'.repeat(64 * 1024 * 1024))
    r.register('many', () => new Array(1_000_000).fill(1))
    const a = await r.invoke('big', [])
    const b = await r.invoke('many', [])
    expect(a.success && (a.data as string).length).toBe(64 * 1024 * 1024)
    expect(b.success && (b.data as unknown[]).length).toBe(1_000_000)
    await r.close()
  })

  test('a throwing monitor is contained; calls keep being answered', async () => {
    const monitor = { record: () => { throw new Error('record boom') }, increment: () => { throw new Error('increment boom') } }
    const r = new HandlerRegistry({ monitor })
    r.register('ok', () => 1)
    r.register('bad', () => { throw new Error('x') })
    expect(await r.invoke('ok', [])).toMatchObject({ success: true, data: 1 })
    expect(errorOf(await r.invoke('bad', [])).code).toBe('E_HANDLER')
    expect(errorOf(await r.invoke('missing', [])).code).toBe('E_NOT_FOUND')
    await r.close()
  })

  test('allowSender that throws is a refusal, not a crash', async () => {
    const r = new HandlerRegistry()
    let ran = 0
    r.register('guarded', () => ++ran, { allowSender: () => { throw new Error('policy boom') } })
    expect(errorOf(await r.invoke('guarded', [], { senderId: 1 })).code).toMatch(/^E_(FORBIDDEN_SENDER|HANDLER)$/)
    expect(ran).toBe(0)
    await r.close()
  })
})

test('regression: a handler that throws a Proxy whose traps throw gets E_HANDLER, invoke never throws', async () => {
  const r = new HandlerRegistry()
  r.register('p', () => { throw new Proxy({}, { get: () => { throw new Error('trap') } }) })
  expect(errorOf(await r.invoke('p', []))).toMatchObject({ code: 'E_HANDLER', message: "Handler for 'p' threw a value that could not be read" })
  await r.close()
})

describe('handlers through a renderer (structured clone)', () => {
  const fx = useRegistryFixtures()
  test('uncloneable and huge results, non-Error rejections: the right code at the renderer, main unharmed', async () => {
    const r = fx.registry()
    r.register('fn', () => () => 1)
    r.register('sym', () => ({ s: Symbol('s') }))
    r.register('rejectString', () => Promise.reject('nope'))
    r.register('rejectUndefined', () => Promise.reject(undefined))
    r.register('hang', () => new Promise(() => {}), { timeoutMs: 50 })
    r.register('big', () => 'q'.repeat(8 * 1024 * 1024))
    r.register('ok', () => 'fine')
    const win = await fx.open(undefined, { registry: r })
    r.attach(win.ipcMain)
    const call = async (channel: string) => (await win.request('invoke', { channel, args: [] }))
    expect((await call('fn')).error.code).toBe('E_UNCLONEABLE')
    expect((await call('sym')).error.code).toBe('E_UNCLONEABLE')
    expect((await call('rejectString')).error).toMatchObject({ code: 'E_HANDLER', message: 'nope' })
    expect((await call('rejectUndefined')).error.code).toBe('E_HANDLER')
    expect((await call('hang')).error.code).toBe('E_TIMEOUT')
    const big = await call('big')
    expect(big.ok).toBe(true)
    expect(big.value.length).toBe(8 * 1024 * 1024)
    expect(await call('ok')).toMatchObject({ ok: true, value: 'fine' })
  })
})

describe('BatchManager', () => {
  test('send that throws: reported to onError, counted, other targets still served', async () => {
    const errors: any[] = []
    const got: unknown[] = []
    const bad = { id: 1, send() { throw new Error('send boom') } }
    const good = { id: 2, send: (_c: string, f: any) => got.push(...f.payloads) }
    const m = new BatchManager({ adaptive: false, onError: (e) => errors.push(e) })
    m.addMessage('c', 1, bad)
    m.addMessage('c', 2, good)
    m.flush()
    expect(got).toEqual([2])
    expect(errors.length).toBeGreaterThan(0)
    expect(errors.every((e) => /^E_[A-Z_]+$/.test(e.code))).toBe(true)
    expect(m.getMetrics().drops.total).toBeGreaterThan(0)
    await m.close()
  })

  test('a target destroyed in the middle of a frame: the frame is dropped as destroyed, later messages too', async () => {
    let destroyed = false
    const target = {
      id: 3,
      isDestroyed: () => destroyed,
      send() {
        destroyed = true
        throw new Error('Object has been destroyed')
      },
    }
    const m = new BatchManager({ adaptive: false, onError: () => {} })
    for (let i = 0; i < 10; i++) m.addMessage('c', i, target)
    expect(() => m.flush(target)).not.toThrow()
    expect(m.addMessage('c', 99, target)).toBe(false)
    const drops = m.getMetrics().drops
    expect(drops.destroyed).toBe(11)
    await m.close()
  })

  test('regression: isDestroyed() that throws is taken as a destroyed target, not thrown out of flush', async () => {
    const target = { id: 4, isDestroyed: () => { throw new Error('isDestroyed boom') }, send() {} }
    const m = new BatchManager({ adaptive: false, onError: () => { throw new Error('onError boom') } })
    expect(() => {
      m.addMessage('c', 1, target)
      m.flush(target)
    }).not.toThrow()
    expect(m.getMetrics().drops.destroyed).toBe(1)
    await m.close()
  })

  test('a monitor that throws does not stop batching', async () => {
    const got: unknown[] = []
    const monitor = { record: () => { throw new Error('record boom') }, increment: () => { throw new Error('increment boom') } }
    const m = new BatchManager({ adaptive: false, maxBatchSize: 2 }, { monitor })
    const target = { id: 5, send: (_c: string, f: any) => got.push(...f.payloads) }
    for (let i = 0; i < 10; i++) m.addMessage('c', i, target)
    m.flush()
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    await m.close()
  })
})

describe('monitor and memory callbacks', () => {
  test('alert/stall listeners and pressure listeners that throw or reject are counted, not thrown', async () => {
    const m = new PerformanceMonitor({ watchdog: false })
    m.on('alert', () => { throw new Error('alert listener boom') })
    m.on('alert', async () => { throw new Error('async alert boom') })
    expect(() => (m as any).emit('alert', { level: 'warning' })).not.toThrow()
    await sleep(0)
    expect((m as any).listenerErrors).toBe(2)
    m.close()

    const mm = new MemoryManager()
    mm.on('pressure', () => { throw new Error('pressure listener boom') })
    mm.onPressure(() => { throw new Error('onPressure boom') })
    mm.onPressure(async () => { throw new Error('async onPressure boom') })
    expect(() => (mm as any).emit('pressure', 'critical', mm.getStats())).not.toThrow()
    mm.close()
  })

  test('task cleanup callbacks that throw or reject: counted, the task still released, others cleaned', async () => {
    const mm = new MemoryManager()
    const cleaned: string[] = []
    mm.trackTask('a', { onCleanup: () => { throw new Error('cleanup boom') } })
    mm.trackTask('b', { onCleanup: async () => { throw new Error('async cleanup boom') } })
    mm.trackTask('c', { onCleanup: () => { cleaned.push('c') } })
    for (const id of ['a', 'b', 'c']) expect(mm.release(id)).toBe(true)
    await sleep(0)
    expect(cleaned).toEqual(['c'])
    expect(mm.tasks()).toEqual([])
    expect(mm.getStats().tasks).toMatchObject({ cleaned: 3, cleanupErrors: 2 })
    mm.close()
  })
})

describe('foreign ipcflow:* messages at main', () => {
  test('garbage on ready/ack/cancel/stream-ack never throws into ipcMain, and batching and invokes keep working', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { EventEmitter } = require('events')
    const ipcMain = new EventEmitter()
    const handlers = new Map<string, (...a: any[]) => unknown>()
    ipcMain.handle = (c: string, h: any) => handlers.set(c, h)
    ipcMain.removeHandler = (c: string) => handlers.delete(c)
    const got: unknown[] = []
    const sender = { id: 7, send: (_c: string, f: any) => got.push(...f.payloads), once() {}, isDestroyed: () => false }
    const errors: unknown[] = []
    const m = new BatchManager({ adaptive: false, holdUntilReady: true, onError: (e) => errors.push(e) })
    const r = new HandlerRegistry()
    r.register('echo', (x: unknown) => x)
    m.attach(ipcMain)
    r.attach(ipcMain)
    const events = [undefined, null, {}, { sender: null }, { sender: {} }, { sender: { id: Symbol('x') } }, { sender }]
    const values = [undefined, null, NaN, -1, 2 ** 53 + 1, '1', {}, [], Symbol('v'), { v: 2, acks: 'yes' }, JSON.parse('{"__proto__":{"polluted":1}}')]
    for (const channel of ['ipcflow:ready', 'ipcflow:ack', 'ipcflow:cancel', 'ipcflow:stream-ack']) {
      for (const event of events) {
        for (const a of values) {
          for (const b of values.slice(0, 4)) expect(() => ipcMain.emit(channel, event, a, b)).not.toThrow()
        }
      }
    }
    expect(({} as any).polluted).toBeUndefined()
    m.markReady(sender)
    m.addMessage('c', 'still works', sender)
    m.flush()
    expect(got).toEqual(['still works'])
    const e: any = await handlers.get('echo')!({ sender, senderFrame: { url: 'app://x' } }, 'hi')
    expect(e).toMatchObject({ success: true, data: 'hi' })
    await m.close()
    await r.close()
  })
})

describe('regressions: handlers returning Proxies whose traps throw', () => {
  const trapped = () => new Proxy({}, { get: () => { throw new Error('trap') } })
  test('registry.invoke never throws when a handler (plain or cached) returns a Proxy that throws on `then`: E_HANDLER', async () => {
    const r = new HandlerRegistry()
    r.register('plain', trapped)
    r.register('cached', trapped, { cache: { ttlMs: 1000 } })
    for (const channel of ['plain', 'cached']) expect(errorOf(await r.invoke(channel, [1]))).toMatchObject({ code: 'E_HANDLER', message: 'trap' })
    await r.close()
  })

  test('a batch handler returning a Proxy array that throws on read fails that batch with E_HANDLER, no uncaught exception', async () => {
    const uncaught: unknown[] = []
    const onUncaught = (e: unknown) => uncaught.push(e)
    process.on('uncaughtException', onUncaught)
    try {
      const r = new HandlerRegistry()
      r.register('b', (keys: unknown[]) => new Proxy(keys.map(() => 1), { get: () => { throw new Error('array trap') } }), { batch: { delayMs: 1 } })
      r.register('t', () => trapped(), { batch: { delayMs: 1 } })
      const answers = await Promise.all([r.invoke('b', [1]), r.invoke('b', [2]), r.invoke('t', [1])])
      for (const e of answers) expect(errorOf(e).code).toBe('E_HANDLER')
      await r.close()
      await sleep(10)
      expect(uncaught).toEqual([])
    } finally {
      process.off('uncaughtException', onUncaught)
    }
  })
})
