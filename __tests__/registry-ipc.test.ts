// HandlerRegistry through the Electron stand-in: a real renderer process
// calls via the ipcflow renderer client, so every request and envelope goes
// through structured clone. Values from the renderer are from another realm:
// shapes are asserted, never instanceof.
import { type HandlerContext } from '../index'
import { useRegistryFixtures, sleep, until } from './helpers/registry'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { IpcMain } = require('../test/standin')

const { registry, open } = useRegistryFixtures()

const call = (win: any, channel: string, args: unknown[] = [], extra: Record<string, unknown> = {}) =>
  win.request('invoke', { channel, args, ...extra })

describe('through a renderer', () => {
  test('data resolves; every error code rejects as an IpcError with the same code and details', async () => {
    const ipcMain = new IpcMain()
    const r = registry({ defaults: { maxBytes: 50_000 } })
    r.register('add', (a: number, b: number) => a + b)
    r.register('map', () => new Map([['k', new Date(5)]]))
    r.register('throws', () => {
      throw new Error('handler broke')
    })
    r.register('app', () => {
      throw Object.assign(new Error('log in'), { code: 'E_NOT_LOGGED_IN', details: { url: 'app://main/login' } })
    })
    r.register('slow', () => sleep(1000), { timeoutMs: 20 })
    r.register('limited', () => 1, { rateLimit: { requests: 1, windowMs: 60_000 } })
    r.register('forbidden', () => 1, { allowedOrigins: ['https://other.example'] })
    r.register('uncloneable', () => () => 1)
    r.register('wait', () => sleep(500))
    r.attach(ipcMain)
    const win = await open(ipcMain)

    expect(await call(win, 'add', [2, 3])).toMatchObject({ ok: true, value: 5 })
    const map = await call(win, 'map')
    expect(map.ok && [...map.value.entries()].map(([k, v]: [string, Date]) => [k, v.getTime()])).toEqual([['k', 5]])
    const failure = (code: string, details: object = {}) => ({ ok: false, elapsedMs: expect.any(Number), error: expect.objectContaining({ name: 'IpcError', code, isIpcError: true, details: expect.objectContaining(details) }) })
    expect(await call(win, 'throws')).toEqual(failure('E_HANDLER', { channel: 'throws' }))
    expect((await call(win, 'throws')).error.message).toBe('handler broke')
    expect(await call(win, 'app')).toEqual(failure('E_NOT_LOGGED_IN', { url: 'app://main/login' }))
    expect(await call(win, 'slow')).toEqual(failure('E_TIMEOUT', { timeoutMs: 20 }))
    expect(await call(win, 'limited')).toMatchObject({ ok: true, value: 1 })
    expect(await call(win, 'limited')).toEqual(failure('E_RATE_LIMITED', { retryAfterMs: expect.any(Number) }))
    expect(await call(win, 'forbidden')).toEqual(failure('E_FORBIDDEN_SENDER', { origin: 'app://main' }))
    expect(await call(win, 'nowhere')).toEqual(failure('E_NOT_FOUND'))
    expect(await call(win, 'add', [], { hostile: { kind: 'huge', length: 100_000 } })).toEqual(failure('E_PAYLOAD_TOO_LARGE', { limit: 'maxBytes' }))
    expect(await call(win, 'wait', [], { abortAfterMs: 20 })).toEqual(failure('E_CANCELLED'))
    expect(await call(win, 'uncloneable')).toEqual(failure('E_UNCLONEABLE'))
    await r.close()
    // closed and detached: ipcMain has no handler any more
    expect(await call(win, 'add', [1, 1])).toEqual(failure('E_NOT_FOUND'))
  })

  test('E_CLOSED reaches a renderer whose call was in flight', async () => {
    const ipcMain = new IpcMain()
    const r = registry()
    r.register('hang', () => new Promise(() => {}))
    r.attach(ipcMain)
    const win = await open(ipcMain)
    const pending = call(win, 'hang')
    await until(() => r.getMetrics().channels.hang?.inFlight === 1) // the call reached main
    await r.close()
    expect(await pending).toMatchObject({ ok: false, error: { code: 'E_CLOSED' } })
  })

  test('a plain ipcRenderer.invoke (no client) gets the envelope and is served the same way', async () => {
    const ipcMain = new IpcMain()
    const r = registry()
    r.register('add', (a: number, b: number) => a + b)
    r.attach(ipcMain)
    const win = await open(ipcMain)
    expect(await win.request('raw', { channel: 'add', args: [1, 2] })).toEqual({ success: true, data: 3, metadata: { executionTimeMs: expect.any(Number), cached: false } })
  })

  test('ctx carries sender id, origin, url and the sender', async () => {
    const ipcMain = new IpcMain()
    const r = registry()
    let ctx: HandlerContext | undefined
    r.register('who', (c: HandlerContext) => {
      ctx = c
      return c.senderId
    })
    r.attach(ipcMain)
    const win = await open(ipcMain, { url: 'app://main/settings.html' })
    expect(await call(win, 'who')).toMatchObject({ ok: true, value: win.webContents.id })
    expect(ctx).toMatchObject({ channel: 'who', origin: 'app://main', url: 'app://main/settings.html' })
    expect(ctx?.sender).toBe(win.webContents)
  })

  test('100 concurrent invokes with one hung handler: the other 99 answer', async () => {
    const ipcMain = new IpcMain()
    const r = registry()
    r.register('hang', () => new Promise(() => {}))
    r.register('echo', async (n: number) => {
      await sleep(n % 7)
      return n
    })
    r.attach(ipcMain)
    const win = await open(ipcMain)
    const calls = Array.from({ length: 100 }, (_, i) => (i === 0 ? { channel: 'hang', args: [], timeoutMs: 2000 } : { channel: 'echo', args: [i] }))
    const results = await win.request('many', { calls }, 30_000)
    expect(results[0]).toMatchObject({ ok: false, error: { code: 'E_TIMEOUT' } }) // the renderer gave up on it
    expect(results[0].elapsedMs).toBeGreaterThanOrEqual(1950)
    expect(results.slice(1).map((x: any) => x.value)).toEqual(Array.from({ length: 99 }, (_, i) => i + 1))
    // none of the others waited for the hung one (they take tens of ms; 1.5 s leaves a loaded machine room)
    expect(Math.max(...results.slice(1).map((x: any) => x.elapsedMs))).toBeLessThan(1500)
    await sleep(20)
    expect(r.getMetrics().channels.echo).toMatchObject({ calls: 99, ok: 99 })
    // the renderer's timeout sent a cancel: main aborted the hung call too
    expect(r.getMetrics().channels.hang).toMatchObject({ inFlight: 0, errorsByCode: { E_CANCELLED: 1 } })
  })

  test('cancellation from the renderer reaches the handler: ctx.signal aborts with E_CANCELLED', async () => {
    const ipcMain = new IpcMain()
    const r = registry()
    const aborted = new Promise<any>((resolve) => {
      r.register('work', (ms: number, ctx: HandlerContext) => new Promise((done) => {
        const timer = setTimeout(done, ms, 'finished')
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(timer)
          resolve(ctx.signal.reason)
          done('stopped')
        })
      }))
    })
    r.attach(ipcMain)
    const win = await open(ipcMain)
    const result = await call(win, 'work', [5000], { abortAfterMs: 50 })
    expect(result).toMatchObject({ ok: false, error: { code: 'E_CANCELLED', isIpcError: true } })
    expect(await aborted).toMatchObject({ code: 'E_CANCELLED' })
    await sleep(20)
    expect(r.getMetrics().channels.work).toMatchObject({ inFlight: 0, lateResults: 1, errorsByCode: { E_CANCELLED: 1 } })
    expect(await call(win, 'work', [1])).toMatchObject({ ok: true, value: 'finished' })
  })

  test("cancels are keyed by sender: a window cannot cancel another window's request", async () => {
    const ipcMain = new IpcMain()
    // Spy on the request ids the client puts on the wire.
    const ids: string[] = []
    const realHandle = ipcMain.handle.bind(ipcMain)
    ipcMain.handle = (channel: string, listener: (...a: any[]) => unknown) =>
      realHandle(channel, (event: any, ...raw: any[]) => {
        ids.push(raw[0]?.id)
        return listener(event, ...raw)
      })
    const r = registry()
    let aborts = 0
    r.register('wait', (ms: number, ctx: HandlerContext) => new Promise((resolve) => {
      const timer = setTimeout(resolve, ms, 'done')
      ctx.signal.addEventListener('abort', () => {
        aborts++
        clearTimeout(timer)
      })
    }))
    r.attach(ipcMain)
    const [a, b] = await Promise.all([open(ipcMain), open(ipcMain)])
    const first = call(a, 'wait', [300])
    await until(() => ids.length > 0) // the request reached main
    expect(ids).toHaveLength(1)
    ipcMain.emit('ipcflow:cancel', { sender: b.webContents }, ids[0]) // wrong sender: ignored
    ipcMain.emit('ipcflow:cancel', { sender: a.webContents }, 'not-an-id') // unknown id: ignored
    ipcMain.emit('ipcflow:cancel', { sender: a.webContents }, { id: ids[0] }) // not a string: ignored
    expect(await first).toMatchObject({ ok: true, value: 'done' })
    expect(aborts).toBe(0)
    const second = call(a, 'wait', [60_000]) // only the cancel can end it
    await until(() => ids.length > 1)
    ipcMain.emit('ipcflow:cancel', { sender: a.webContents }, ids[1])
    expect(await second).toMatchObject({ ok: false, error: { code: 'E_CANCELLED' } })
    expect(aborts).toBe(1)
  })
})

describe('attach and detach', () => {
  test('channels registered later are wired; unregister removes the ipcMain handler', async () => {
    const ipcMain = new IpcMain()
    const r = registry()
    r.attach(ipcMain)
    r.register('late', () => 'here')
    const win = await open(ipcMain)
    expect(await call(win, 'late')).toMatchObject({ ok: true, value: 'here' })
    r.unregister('late')
    expect(await call(win, 'late')).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } })
    expect(ipcMain._handlers.size).toBe(0)
  })

  test('detach + attach cycles, with the window re-created in between', async () => {
    const ipcMain = new IpcMain()
    const r = registry()
    r.register('ping', () => 'pong')
    for (let cycle = 0; cycle < 3; cycle++) {
      r.attach(ipcMain)
      const win = await open(ipcMain)
      expect(await call(win, 'ping')).toMatchObject({ ok: true, value: 'pong' })
      r.detach()
      expect(await call(win, 'ping')).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } })
      expect(ipcMain._handlers.size).toBe(0)
      expect(ipcMain.listenerCount('ipcflow:cancel')).toBe(0)
      await win.close()
    }
    r.attach(ipcMain)
    r.attach(ipcMain) // attaching twice re-wires, never duplicates
    const win = await open(ipcMain)
    await win.webContents.reload()
    expect(await call(win, 'ping')).toMatchObject({ ok: true, value: 'pong' })
  })

  test('a channel ipcMain already handles: attach and register fail with E_DUPLICATE_HANDLER and roll back', () => {
    const ipcMain = new IpcMain()
    ipcMain.handle('taken', () => 'theirs')
    const r = registry()
    r.register('mine', () => 1)
    r.register('taken', () => 2)
    expect(() => r.attach(ipcMain)).toThrow(expect.objectContaining({ code: 'E_DUPLICATE_HANDLER', details: { channel: 'taken' } }))
    expect([...ipcMain._handlers.keys()]).toEqual(['taken'])
    r.unregister('taken')
    r.attach(ipcMain)
    expect(() => r.register('taken', () => 3)).toThrow(expect.objectContaining({ code: 'E_DUPLICATE_HANDLER' }))
    expect(r.has('taken')).toBe(false)
    expect(() => r.attach({} as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', details: expect.objectContaining({ argument: 'ipcMain' }) }))
  })
})

describe('sender checks', () => {
  test('allowedOrigins: exact origin after URL parsing', async () => {
    const ipcMain = new IpcMain()
    const r = registry()
    const ran: string[] = []
    r.register('app', () => ran.push('app'), { allowedOrigins: ['app://main'] })
    r.register('web', () => ran.push('web'), { allowedOrigins: ['https://app.example:443/'] })
    r.attach(ipcMain)
    const app = await open(ipcMain, { url: 'app://main/index.html' })
    const web = await open(ipcMain, { url: 'https://APP.example/page?x=1' })
    const evil = await open(ipcMain, { url: 'https://app.example.evil.test/' })
    const other = await open(ipcMain, { url: 'http://app.example/' })
    expect(await call(app, 'app')).toMatchObject({ ok: true })
    expect(await call(web, 'web')).toMatchObject({ ok: true })
    for (const [win, channel] of [[app, 'web'], [web, 'app'], [evil, 'web'], [other, 'web']]) {
      expect(await call(win, channel)).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN_SENDER', details: { reason: 'origin' } } })
    }
    expect(ran).toEqual(['app', 'web'])
  })

  test('allowSender: only a synchronous true passes; a throw refuses', async () => {
    const ipcMain = new IpcMain()
    const r = registry()
    let allowed: number | undefined
    r.register('pick', () => 'in', { allowSender: (ctx) => ctx.senderId === allowed })
    r.register('throws', () => 'in', { allowSender: () => { throw new Error('predicate bug') } })
    r.register('async', () => 'in', { allowSender: (async () => true) as any })
    r.register('both', () => 'in', { allowedOrigins: ['app://main'], allowSender: () => true })
    r.attach(ipcMain)
    const [a, b] = await Promise.all([open(ipcMain), open(ipcMain, { url: 'app://other/' })])
    allowed = a.webContents.id
    expect(await call(a, 'pick')).toMatchObject({ ok: true, value: 'in' })
    expect(await call(b, 'pick')).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN_SENDER', details: { reason: 'predicate' } } })
    expect(await call(a, 'throws')).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN_SENDER' } })
    expect(await call(a, 'async')).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN_SENDER' } })
    expect(await call(a, 'both')).toMatchObject({ ok: true, value: 'in' })
    expect(await call(b, 'both')).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN_SENDER', details: { reason: 'origin' } } })
  })

  test('in-process invoke with no origin is refused where origins are required', async () => {
    const r = registry()
    r.register('app', () => 1, { allowedOrigins: ['app://main'] })
    expect(await r.invoke('app', [])).toMatchObject({ success: false, error: { code: 'E_FORBIDDEN_SENDER' } })
    expect(await r.invoke('app', [], { origin: 'app://main' })).toMatchObject({ success: true })
    expect(await r.invoke('app', [], { url: 'app://main/x.html' })).toMatchObject({ success: true })
  })
})

describe('hostile input from a real renderer', () => {
  test('deep nesting, huge strings, cycles: typed envelopes, the handler never runs, main keeps working', async () => {
    const ipcMain = new IpcMain()
    const r = registry({ defaults: { maxBytes: 64 * 1024, maxDepth: 32 } })
    const seen: unknown[] = []
    r.register('take', (v: unknown) => {
      seen.push(v)
      return 'taken'
    })
    r.attach(ipcMain)
    const win = await open(ipcMain)
    // Deeper than ~1,500 levels overflows the stand-in's own deserializer in
    // main (Node's child_process), before ipcflow sees anything.
    const cases: [object, RegExp][] = [
      [{ kind: 'deep', depth: 1000 }, /^E_PAYLOAD_TOO_LARGE$/],
      [{ kind: 'deepArray', depth: 1000 }, /^E_PAYLOAD_TOO_LARGE$/],
      [{ kind: 'huge', length: 5_000_000 }, /^E_PAYLOAD_TOO_LARGE$/],
      [{ kind: 'wide', keys: 20_000 }, /^E_PAYLOAD_TOO_LARGE$/],
      [{ kind: 'cycle' }, /^E_(PAYLOAD_TOO_LARGE|VALIDATION)$/],
    ]
    for (const [hostile, code] of cases) {
      const result = await win.request('invoke', { channel: 'take', args: [], hostile }, 15_000)
      expect(result).toMatchObject({ ok: false, error: { code: expect.stringMatching(code), isIpcError: true } })
    }
    expect(seen).toEqual([])
    expect(await call(win, 'take', [{ fine: true }])).toMatchObject({ ok: true, value: 'taken' })
  })

  test('__proto__ and constructor keys pollute nothing in main', async () => {
    const ipcMain = new IpcMain()
    const r = registry()
    let got: any
    r.register('take', (v: any) => {
      got = v
      return Object.keys(v)
    })
    r.attach(ipcMain)
    const win = await open(ipcMain)
    const result = await call(win, 'take', [], { hostile: { kind: 'proto' } })
    expect(result).toMatchObject({ ok: true, value: ['q', '__proto__', 'constructor'] })
    expect(({} as any).polluted).toBeUndefined()
    expect(Object.prototype.hasOwnProperty.call(got, '__proto__')).toBe(true) // an own data property, not the prototype
    expect(Object.getPrototypeOf(got)).not.toHaveProperty('polluted')
  })
})
