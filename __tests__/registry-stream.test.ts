// Streaming (README "Streaming") through the stand-in: a real renderer
// process reads client.stream step by step, so chunks, acks and cancels go
// through structured clone and the main-side backpressure is observable.
import path from 'path'
import { useRegistryFixtures, sleep } from './helpers/registry'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { IpcMain, createWindow } = require('../test/standin')

const STREAMER = path.join(__dirname, '..', 'test', 'standin', 'renderers', 'streamer.js')
const { registry } = useRegistryFixtures()
const windows: any[] = []
afterEach(async () => {
  await Promise.all(windows.splice(0).map((w) => w.close()))
})

async function setup(register: (r: any) => void, kind: 'process' | 'worker' = 'process') {
  const ipcMain = new IpcMain()
  const r = registry()
  register(r)
  r.attach(ipcMain)
  const win = await createWindow({ kind, renderer: STREAMER, ipcMain })
  windows.push(win)
  const open = (channel: string, args: unknown[] = [], name = 'a') => win.request('open', { name, channel, args })
  const read = (chunks: number, name = 'a') => win.request('read', { name, chunks })
  const drain = (name = 'a') => win.request('drain', { name }, 30_000)
  return { r, win, open, read, drain }
}

async function until(check: () => boolean, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await sleep(5)
  }
}

function counted(n: number, state: { pulled: number; finallyRan: boolean }) {
  return async function* numbers() {
    try {
      for (let i = 0; i < n; i++) {
        state.pulled++
        yield i
      }
    } finally {
      state.finallyRan = true
    }
  }
}

test('100,000 items to a slow reader: items pulled stay within highWaterMark * chunkSize of what was read', async () => {
  const state = { pulled: 0, finallyRan: false }
  const { r, open, read, drain } = await setup((reg) => reg.registerStream('numbers', counted(100_000, state), { chunkSize: 100, highWaterMark: 4 }))
  await open('numbers')
  await until(() => state.pulled >= 400)
  await sleep(100) // the reader has read nothing: main stays paused after 4 chunks
  expect(state.pulled).toBe(400)
  const first = await read(10)
  expect(first).toMatchObject({ chunks: 10, items: 1000, lastIndex: 9 })
  await sleep(150)
  expect(state.pulled).toBeLessThanOrEqual((10 + 4) * 100)
  const all = await drain()
  expect(all).toMatchObject({ done: true, chunks: 1000, items: 100_000, sum: (100_000 * 99_999) / 2 })
  expect(all.error).toBeUndefined()
  expect(state.finallyRan).toBe(true)
  const m = r.getMetrics().channels.numbers.stream
  expect(m).toMatchObject({ opened: 1, completed: 1, cancelled: 0, failed: 0, open: 0, chunks: 1000, items: 100_000 })
  expect(m?.pausedMs).toBeGreaterThan(100)
})

test('break in the renderer reaches the generator\'s finally; counted as cancelled', async () => {
  const state = { pulled: 0, finallyRan: false }
  const { r, win, open, read } = await setup((reg) => reg.registerStream('numbers', counted(1e9, state), { chunkSize: 10, highWaterMark: 2 }))
  await open('numbers')
  expect(await read(3)).toMatchObject({ chunks: 3, done: false })
  await win.request('break', { name: 'a' })
  await until(() => state.finallyRan)
  await until(() => r.getMetrics().channels.numbers.stream?.cancelled === 1)
  expect(r.getMetrics().channels.numbers.stream?.open).toBe(0)
})

test('cancelling aborts the producer\'s ctx.signal (E_CANCELLED)', async () => {
  let signal: AbortSignal | undefined
  const { win, open, read } = await setup((reg) =>
    reg.registerStream('s', async function* (ctx: any) {
      signal = ctx.signal
      for (let i = 0; ; i++) yield i
    }, { chunkSize: 1, highWaterMark: 1 }),
  )
  await open('s')
  await read(1)
  await win.request('break', { name: 'a' })
  await until(() => signal?.aborted === true)
  expect(signal?.reason).toMatchObject({ code: 'E_CANCELLED' })
})

test('an aborted signal ends the loop with E_CANCELLED and stops the producer', async () => {
  const state = { pulled: 0, finallyRan: false }
  const { win, open, read } = await setup((reg) => reg.registerStream('numbers', counted(1e9, state), { chunkSize: 10, highWaterMark: 2 }))
  await open('numbers')
  await read(1)
  await win.request('abort', { name: 'a' })
  expect(await read(5)).toMatchObject({ done: true, error: { code: 'E_CANCELLED', isIpcError: true } })
  await until(() => state.finallyRan)
})

test('a window destroyed (or reloaded) mid-stream ends the producer', async () => {
  const destroyed = { pulled: 0, finallyRan: false }
  const reloaded = { pulled: 0, finallyRan: false }
  const { r, win, open, read } = await setup((reg) => {
    reg.registerStream('gone', counted(1e9, destroyed), { chunkSize: 10, highWaterMark: 2 })
    reg.registerStream('reload', counted(1e9, reloaded), { chunkSize: 10, highWaterMark: 2 })
  })
  await open('reload', [], 'r')
  await read(2, 'r')
  await win.webContents.reload()
  await until(() => reloaded.finallyRan)
  await open('gone')
  await read(2)
  win.webContents.destroy()
  await until(() => destroyed.finallyRan)
  expect(r.getMetrics().channels.gone.stream).toMatchObject({ cancelled: 1, open: 0 })
})

test('an error after N chunks reaches the renderer as an IpcError after those chunks', async () => {
  const { r, open, drain } = await setup((reg) =>
    reg.registerStream('breaks', async function* () {
      for (let i = 0; i < 250; i++) yield i
      throw Object.assign(new Error('disk gone'), { code: 'E_DISK', details: { at: 250 } })
    }, { chunkSize: 50 }),
  )
  await open('breaks')
  expect(await drain()).toMatchObject({ chunks: 5, items: 250, error: { code: 'E_DISK', message: 'disk gone', details: { at: 250 }, isIpcError: true } })
  expect(r.getMetrics().channels.breaks.stream).toMatchObject({ failed: 1, chunks: 5 })
})

test('progress with ctx.setTotal; a sync iterable works; a handler may return a promise of one', async () => {
  const { open, drain } = await setup((reg) => {
    reg.registerStream('progress', async function* (n: number, ctx: any) {
      ctx.setTotal(n)
      for (let i = 0; i < n; i++) yield i
    }, { chunkSize: 4 })
    reg.registerStream('array', (n: number) => Array.from({ length: n }, (_, i) => i), { chunkSize: 3 })
    reg.registerStream('later', async () => [1, 2, 3])
  })
  await open('progress', [10])
  expect(await drain()).toMatchObject({ chunks: 3, items: 10, done: true, last: { index: 2, itemsSoFar: 10, total: 10, percentage: 100, size: 2 } })
  await open('array', [7], 'b')
  expect(await drain('b')).toMatchObject({ chunks: 3, items: 7, sum: 21, done: true })
  await open('later', [], 'c')
  expect(await drain('c')).toMatchObject({ chunks: 1, items: 3, done: true })
})

test('opening is checked like invoke: validation, sender check, rate limit; bad returns fail', async () => {
  const { r, open, drain } = await setup((reg) => {
    reg.registerStream('checked', function* (n: number) {
      yield n
    }, { schema: { type: 'integer' }, rateLimit: { requests: 1, windowMs: 60_000 } })
    reg.registerStream('forbidden', function* () {
      yield 1
    }, { allowedOrigins: ['https://elsewhere.example'] })
    reg.registerStream('notIterable', () => 5)
  })
  await open('checked', ['x'], 'v')
  expect(await drain('v')).toMatchObject({ chunks: 0, error: { code: 'E_VALIDATION' } })
  await open('checked', [1], 'ok')
  expect(await drain('ok')).toMatchObject({ items: 1, done: true })
  await open('checked', [1], 'limited')
  expect(await drain('limited')).toMatchObject({ error: { code: 'E_RATE_LIMITED' } })
  await open('forbidden', [], 'f')
  expect(await drain('f')).toMatchObject({ error: { code: 'E_FORBIDDEN_SENDER' } })
  await open('notIterable', [], 'n')
  expect(await drain('n')).toMatchObject({ error: { code: 'E_HANDLER' } })
  expect(await r.invoke('notIterable', [])).toMatchObject({ success: false, error: { code: 'E_INVALID_ARGUMENT' } })
})

test('timeoutMs and registry.close() end a stream with E_TIMEOUT / E_CLOSED and run finally', async () => {
  const slow = { pulled: 0, finallyRan: false }
  const closed = { pulled: 0, finallyRan: false }
  const { r, open, read, drain } = await setup((reg) => {
    reg.registerStream('slow', counted(1e9, slow), { chunkSize: 1, highWaterMark: 1, timeoutMs: 100 })
    reg.registerStream('closed', counted(1e9, closed), { chunkSize: 1, highWaterMark: 1 })
  })
  await open('slow', [], 's')
  await read(1, 's')
  expect(await drain('s')).toMatchObject({ error: { code: 'E_TIMEOUT' } })
  await until(() => slow.finallyRan)
  await open('closed', [], 'c')
  await read(1, 'c')
  const pending = drain('c')
  await sleep(30)
  await r.close()
  expect(await pending).toMatchObject({ error: { code: 'E_CLOSED' } })
  await until(() => closed.finallyRan)
})

test('from a worker renderer too; dispose() ends the loop with E_CLOSED and cancels in main', async () => {
  const state = { pulled: 0, finallyRan: false }
  const { win, open, read, drain } = await setup((reg) => {
    reg.registerStream('numbers', counted(1e9, state), { chunkSize: 10, highWaterMark: 2 })
    reg.registerStream('few', (n: number) => Array.from({ length: n }, (_, i) => i), { chunkSize: 10 })
  }, 'worker')
  await open('few', [25], 'f')
  expect(await drain('f')).toMatchObject({ chunks: 3, items: 25, sum: 300, done: true })
  await open('numbers')
  await read(2)
  await win.request('dispose')
  expect(await read(100)).toMatchObject({ done: true, error: { code: 'E_CLOSED' } })
  await until(() => state.finallyRan)
})

test('options are checked', () => {
  const r = registry()
  const bad = (options: any, argument: string) =>
    expect(() => r.registerStream('s', function* () {}, options)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', details: expect.objectContaining({ argument }) }))
  bad({ chunkSize: 0 }, 'options.chunkSize')
  bad({ highWaterMark: 1.5 }, 'options.highWaterMark')
  bad({ cache: { ttlMs: 1 } }, 'options.cache')
  bad({ batch: {} }, 'options.batch')
  bad({ timeoutMs: -1 }, 'options.timeoutMs')
  expect(r.has('s')).toBe(false)
})
