// Issue 25 part 3: a stream cancelled before main's opening reply leaked its
// producer. A cancel must win whenever it happens: before main reads the
// request, while the handler is still resolving, between chunks, after the
// last one; by the signal, a for-await `break` or return(). Pages run in a
// child process (test/standin/renderers/stream-cancel.js), so requests,
// cancels, chunks and acks go through structured clone. Every wait is for an
// event (a deferred main or the page resolves); the time limits only turn a
// hang into a readable failure.
import path from 'path'
import fc from 'fast-check'
import { useRegistryFixtures } from './helpers/registry'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { IpcMain, createWindow } = require('../test/standin')

const PAGE = path.join(__dirname, '..', 'test', 'standin', 'renderers', 'stream-cancel.js')
const STREAM = 'ipcflow:stream'
const CANCEL = 'ipcflow:cancel'

const { registry } = useRegistryFixtures()
const windows: any[] = []
afterEach(async () => {
  await Promise.all(windows.splice(0).map((w) => w.close()))
})

// Main's own unhandled rejections (a return() that rejects, a handler rejecting after a cancel).
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
beforeAll(() => process.on('unhandledRejection', onUnhandled))
afterAll(() => process.off('unhandledRejection', onUnhandled))

interface Deferred<T = void> {
  promise: Promise<T>
  resolve: (value: T) => void
  done: boolean
}
function deferred<T = void>(): Deferred<T> {
  const d = { done: false } as Deferred<T>
  d.promise = new Promise<T>((resolve) => {
    d.resolve = (value: T) => {
      d.done = true
      resolve(value)
    }
  })
  return d
}

/** `p`, or a failure naming what never happened (a hang is the defect, not a slow machine). */
async function within<T>(p: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: did not happen within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([p, limit])
  } finally {
    clearTimeout(timer)
  }
}

// Lets pending callbacks, rejection tracking and setImmediate work run.
const turns = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
}

async function until(check: () => boolean, what: string) {
  await within((async () => {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 2))
  })(), what)
}

type Moment = 'before-read' | 'resolving' | 'between' | 'after-last'
type Kind = 'abort' | 'break' | 'return'
type Producer = 'async-gen' | 'sync-gen' | 'return-throws' | 'return-hangs' | 'return-rejects' | 'rejects'

/** One stream request, as main sees it. */
interface Run {
  moment: Moment
  producer: Producer
  gated: boolean // the handler returns a promise that resolves when `gate` does
  items: number
  gate: Deferred
  entered: Deferred // the handler was called
  sawCancel: Deferred // main aborted the handler's ctx.signal
  cancelSeen: Deferred // a cancel for this request reached ipcMain
  reply: Deferred<any> // main's opening envelope
  closed: Deferred // the producer is finished: its finally ran, it was exhausted or return()ed
  rejected: Deferred // the handler is about to reject
  started: boolean // the producer's first next() ran
  requestId?: string
}

function newRun(moment: Moment, producer: Producer, gated: boolean, items: number): Run {
  return {
    moment, producer, gated, items,
    gate: deferred(), entered: deferred(), sawCancel: deferred(), cancelSeen: deferred(),
    reply: deferred<any>(), closed: deferred(), rejected: deferred(), started: false,
  }
}

function makeProducer(run: Run): any {
  const n = run.items
  if (run.producer === 'async-gen' || run.producer === 'sync-gen') {
    const g: any = run.producer === 'async-gen'
      ? (async function* () {
        run.started = true
        try {
          for (let i = 0; i < n; i++) yield i
        } finally {
          run.closed.resolve()
        }
      })()
      : (function* () {
        run.started = true
        try {
          for (let i = 0; i < n; i++) yield i
        } finally {
          run.closed.resolve()
        }
      })()
    // return() before the first next() finishes a generator without entering its body (no finally).
    const close = g.return.bind(g)
    Object.defineProperty(g, 'return', {
      value: (v: unknown) => {
        const r = close(v)
        if (!run.started) run.closed.resolve()
        return r
      },
    })
    return g
  }
  let i = 0
  const iterator = {
    next: async () => {
      run.started = true
      if (i < n) return { value: i++, done: false }
      run.closed.resolve()
      return { value: undefined, done: true }
    },
    return: () => {
      run.closed.resolve()
      if (run.producer === 'return-throws') throw new Error('return() threw')
      if (run.producer === 'return-hangs') return new Promise(() => {})
      return Promise.reject(new Error('return() rejected'))
    },
  }
  return { [Symbol.asyncIterator]: () => iterator }
}

const CONFIGS = { c1h1: { chunkSize: 1, highWaterMark: 1 }, c2h2: { chunkSize: 2, highWaterMark: 2 }, c3h1: { chunkSize: 3, highWaterMark: 1 } }
type Config = keyof typeof CONFIGS

/** A registry with one stream channel per config, attached to a stand-in ipcMain, and a page. */
async function setup(options?: Record<string, unknown>) {
  const runs = new Map<string, Run>()
  const ipcMain = new IpcMain()
  // Sees each opening envelope; holds a 'before-read' request until its cancel reached ipcMain.
  const handle = ipcMain.handle.bind(ipcMain)
  ipcMain.handle = (channel: string, fn: (...a: any[]) => Promise<unknown>) =>
    handle(channel, async (event: unknown, ...args: any[]) => {
      const run = runs.get(args[0]?.args?.[0])
      if (run !== undefined) run.requestId = args[0].id
      if (run?.moment === 'before-read') await run.cancelSeen.promise
      const envelope = await fn(event, ...args)
      run?.reply.resolve(envelope)
      return envelope
    })
  const r = registry(options as any)
  for (const [channel, config] of Object.entries(CONFIGS)) {
    r.registerStream(channel, (runId: string, ctx: any) => {
      const run = runs.get(runId)!
      run.entered.resolve()
      ctx.signal.addEventListener('abort', () => run.sawCancel.resolve(), { once: true })
      if (!run.gated) return makeProducer(run)
      return (async () => {
        await run.gate.promise
        if (run.producer === 'rejects') {
          run.rejected.resolve()
          throw new Error('load failed')
        }
        return makeProducer(run)
      })()
    }, config)
  }
  r.attach(ipcMain)
  // After attach: the registry's own cancel listener has run when this one does.
  ipcMain.on(CANCEL, (_event: unknown, id: string) => {
    for (const run of runs.values()) if (run.requestId === id) run.cancelSeen.resolve()
  })
  const win = await createWindow({ kind: 'process', renderer: PAGE, ipcMain })
  windows.push(win)
  const sent: Array<{ id: string; ipcflow: string }> = []
  const send = win.webContents.send.bind(win.webContents)
  win.webContents.send = (channel: string, ...args: any[]) => {
    if (channel === STREAM) sent.push(args[0])
    return send(channel, ...args)
  }
  const page = (kind: string, data?: unknown): Promise<any> => within(win.request(kind, data, 20_000), `the page's '${kind}'`, 20_000)
  const chunksSent = (run: Run) => sent.filter((m) => m.id === run.requestId && m.ipcflow === 'chunk').length
  const metrics = (channel: Config) => r.getMetrics().channels[channel].stream!
  return { r, ipcMain, win, runs, page, chunksSent, metrics }
}

type Ctx = Awaited<ReturnType<typeof setup>>

interface Case {
  moment: Moment
  kind: Kind
  producer: Producer
  gated: boolean
  config: Config
  chunks: number // 'between': chunks the page reads before it gives up; 'after-last': the stream's length
}

/** Opens a stream, cancels it at `c.moment` by `c.kind`, and checks that the cancel won. */
async function cancelAt(t: Ctx, name: string, c: Case) {
  const { chunkSize } = CONFIGS[c.config]
  const items = c.moment === 'after-last' ? c.chunks * chunkSize : 1e6
  const run = newRun(c.moment, c.producer, c.gated, items)
  t.runs.set(name, run)
  if (c.moment !== 'resolving') run.gate.resolve()
  const credit = c.moment === 'between' || c.moment === 'after-last' ? c.chunks : undefined
  await t.page('open', { name, channel: c.config, args: [name], credit })

  if (c.moment === 'resolving') {
    await within(run.entered.promise, 'the handler was called')
    await t.page('cancel', { name, kind: c.kind })
    await within(run.sawCancel.promise, 'main aborted ctx.signal on the cancel')
    run.gate.resolve()
    const reply = await within(run.reply.promise, 'the opening reply')
    expect(reply).toMatchObject({ success: false, error: { code: 'E_CANCELLED' } })
  } else if (c.moment === 'before-read') {
    await t.page('cancel', { name, kind: c.kind })
    await within(run.reply.promise, 'the opening reply')
  } else {
    expect(await t.page('read', { name, n: c.chunks })).toMatchObject({ chunks: c.chunks, done: false })
    await t.page('cancel', { name, kind: c.kind })
  }

  const result = await t.page('result', { name })
  if (run.producer === 'rejects') {
    if (run.entered.done) await within(run.rejected.promise, 'the handler rejected')
  } else if (run.entered.done) {
    await within(run.closed.promise, 'the producer was closed (finally, return() or exhausted)')
  }
  await until(() => t.metrics(c.config).open === 0, 'the open-stream gauge back to 0')
  await turns()

  // The page got nothing after it gave up, and its loop ended the way the cancel says.
  expect(result.afterCancel).toBe(0)
  expect(result.done).toBe(true)
  if (c.kind === 'abort') expect(result.error).toMatchObject({ code: 'E_CANCELLED', isIpcError: true })
  else expect(result.error).toBeUndefined()
  if (c.moment === 'resolving' || c.moment === 'before-read') expect(result.chunks).toBe(0)
  // Cancelled while the handler resolved: main never pulled from the producer nor sent a chunk.
  if (c.moment === 'resolving') {
    expect(run.started).toBe(false)
    expect(t.chunksSent(run)).toBe(0)
  }
  const m = t.metrics(c.config)
  expect(m.open).toBe(0)
  expect(m.opened).toBe(m.completed + m.cancelled + m.failed)
  expect(unhandled).toEqual([])
  expect(t.win.reports.filter((x: any) => x.kind === 'uncaught' || x.kind === 'unhandledrejection')).toEqual([])
  return { run, result }
}

describe('a cancel before the opening reply', () => {
  test.each<Kind>(['abort', 'break', 'return'])('while the handler is still resolving (%s): answered E_CANCELLED, the producer return()ed, never pumped', async (kind) => {
    const t = await setup()
    const { run } = await cancelAt(t, 'a', { moment: 'resolving', kind, producer: 'async-gen', gated: true, config: 'c2h2', chunks: 0 })
    expect(run.closed.done).toBe(true)
    expect(t.metrics('c2h2')).toMatchObject({ opened: 1, cancelled: 1, completed: 0, open: 0, chunks: 0 })
    expect(t.r.getMetrics().channels.c2h2).toMatchObject({ errorsByCode: { E_CANCELLED: 1 }, lateResults: 1 })
  })

  test('a started generator the handler resolves with after the cancel runs its finally', async () => {
    const t = await setup()
    const run = newRun('resolving', 'async-gen', true, 1e6)
    t.runs.set('s', run)
    let finallyRan = false
    t.r.registerStream('started', async (_id: string, ctx: any) => {
      run.entered.resolve()
      ctx.signal.addEventListener('abort', () => run.sawCancel.resolve(), { once: true })
      const g = (async function* () {
        try {
          for (;;) yield 1
        } finally {
          finallyRan = true
          run.closed.resolve()
        }
      })()
      await g.next() // the handler itself started it
      await run.gate.promise
      return g
    })
    await t.page('open', { name: 's', channel: 'started', args: ['s'] })
    await within(run.entered.promise, 'the handler was called')
    await t.page('cancel', { name: 's', kind: 'abort' })
    await within(run.sawCancel.promise, 'main aborted ctx.signal on the cancel')
    run.gate.resolve()
    await within(run.closed.promise, 'the generator\'s finally')
    expect(finallyRan).toBe(true)
    expect(t.metrics('started' as Config)).toMatchObject({ open: 0, cancelled: 1 })
  })

  test.each<Kind>(['abort', 'break', 'return'])('before main read the request (%s): the page delivers nothing and main lets the producer go', async (kind) => {
    const t = await setup()
    await cancelAt(t, 'a', { moment: 'before-read', kind, producer: 'async-gen', gated: false, config: 'c2h2', chunks: 0 })
  })

  test('a handler rejecting after the cancel, a sync generator, a return() that throws, rejects or hangs: all end cleanly', async () => {
    const t = await setup()
    for (const producer of ['rejects', 'sync-gen', 'return-throws', 'return-rejects', 'return-hangs'] as Producer[]) {
      await cancelAt(t, producer, { moment: 'resolving', kind: 'abort', producer, gated: true, config: 'c1h1', chunks: 0 })
    }
    expect(t.metrics('c1h1')).toMatchObject({ opened: 5, cancelled: 5, open: 0, chunks: 0 })
  })
})

describe('a hostile page', () => {
  test('a cancel sent before its stream request: answered E_CANCELLED, the handler never runs, nothing is sent', async () => {
    const t = await setup()
    let called = 0
    t.r.registerStream('raw', function* () {
      called++
      yield 1
    })
    const envelope = await t.page('raw', { channel: 'raw', id: 'early-1', args: [] })
    expect(envelope).toMatchObject({ success: false, error: { code: 'E_CANCELLED' } })
    expect(called).toBe(0)
    expect(t.metrics('raw' as Config)).toMatchObject({ opened: 1, cancelled: 1, open: 0, chunks: 0 })
  })

  test('cancels for ids that never come are remembered in bounded memory', async () => {
    const t = await setup()
    await t.page('flood', { n: 5000, length: 100 })
    await t.page('flood', { n: 10, length: 200 }) // longer than any request id: never remembered
    await t.page('invoke', { channel: 'none', args: [] }) // a round trip: every cancel before it was read
    const unclaimed: Map<string, true> = (t.r as any)._streams.unclaimed
    expect(unclaimed.size).toBe(1024)
    expect([...unclaimed.keys()].every((k) => k.length < 120)).toBe(true)
    await t.r.close()
    expect(unclaimed.size).toBe(0)
  })
})

describe('a cancel once the stream is open', () => {
  test.each<Kind>(['abort', 'break', 'return'])('between chunks (%s): finally runs, nothing more reaches the loop', async (kind) => {
    const t = await setup()
    const { run } = await cancelAt(t, 'a', { moment: 'between', kind, producer: 'async-gen', gated: true, config: 'c2h2', chunks: 2 })
    expect(run.closed.done).toBe(true)
    expect(t.metrics('c2h2')).toMatchObject({ opened: 1, cancelled: 1, open: 0 })
  })

  test.each<Kind>(['abort', 'break', 'return'])('after the last chunk (%s): the producer is finished either way', async (kind) => {
    const t = await setup()
    await cancelAt(t, 'a', { moment: 'after-last', kind, producer: 'sync-gen', gated: false, config: 'c1h1', chunks: 3 })
    const m = t.metrics('c1h1')
    expect(m.completed + m.cancelled).toBe(1)
  })
})

test('property: cancel moment x kind x handler shape, the cancel always wins (seeded)', async () => {
  const t = await setup()
  let n = 0
  const producers: Producer[] = ['async-gen', 'sync-gen', 'return-throws', 'return-hangs', 'return-rejects', 'rejects']
  const cases = fc.record({
    moment: fc.constantFrom<Moment>('before-read', 'resolving', 'between', 'after-last'),
    kind: fc.constantFrom<Kind>('abort', 'break', 'return'),
    producer: fc.constantFrom(...producers),
    gated: fc.boolean(),
    config: fc.constantFrom<Config>('c1h1', 'c2h2', 'c3h1'),
    chunks: fc.integer({ min: 1, max: 3 }),
  }).map((c): Case => {
    // A handler that rejects produces nothing to read; only a promise can still be resolving.
    const moment = c.producer === 'rejects' && (c.moment === 'between' || c.moment === 'after-last') ? 'resolving' : c.moment
    return { ...c, moment, gated: c.gated || moment === 'resolving' || c.producer === 'rejects' }
  })
  await fc.assert(fc.asyncProperty(cases, async (c) => {
    await cancelAt(t, `p${n++}`, c)
  }), { seed: 25, numRuns: 60, endOnFailure: true })
  expect(n).toBe(60)
  for (const config of Object.keys(CONFIGS) as Config[]) expect(t.metrics(config).open).toBe(0)
}, 120_000)

/** A stream channel whose handler waits for `gate`, then returns a generator it already started. */
function gatedStarted(run: Run) {
  return async (_id: string, ctx: any) => {
    run.entered.resolve()
    ctx.signal.addEventListener('abort', () => run.sawCancel.resolve(), { once: true })
    const g = (async function* () {
      try {
        for (;;) yield 1
      } finally {
        run.closed.resolve()
      }
    })()
    await g.next()
    await run.gate.promise
    return g
  }
}

describe('the other ends that can come before the stream opens', () => {
  test('timeoutMs runs from the request: still resolving at the deadline, the page gets E_TIMEOUT and the producer is closed', async () => {
    const t = await setup()
    const run = newRun('resolving', 'async-gen', true, 0)
    t.runs.set('t', run)
    t.r.registerStream('slow', gatedStarted(run), { timeoutMs: 30 })
    await t.page('open', { name: 't', channel: 'slow', args: ['t'] })
    expect(await within(run.reply.promise, 'the opening reply')).toMatchObject({ success: false, error: { code: 'E_TIMEOUT' } })
    expect(await t.page('result', { name: 't' })).toMatchObject({ chunks: 0, error: { code: 'E_TIMEOUT' } })
    run.gate.resolve()
    await within(run.closed.promise, 'the generator\'s finally')
    expect(t.metrics('slow' as Config)).toMatchObject({ opened: 1, cancelled: 1, open: 0 })
  })

  test('registry.close() while the handler resolves: E_CLOSED to the page, the producer closed when it arrives', async () => {
    const t = await setup()
    const run = newRun('resolving', 'async-gen', true, 0)
    t.runs.set('c', run)
    t.r.registerStream('closing', gatedStarted(run))
    await t.page('open', { name: 'c', channel: 'closing', args: ['c'] })
    await within(run.entered.promise, 'the handler was called')
    await t.r.close()
    expect(await t.page('result', { name: 'c' })).toMatchObject({ chunks: 0, error: { code: 'E_CLOSED' } })
    run.gate.resolve()
    await within(run.closed.promise, 'the generator\'s finally')
    expect(t.chunksSent(run)).toBe(0)
  })

  test.each(['reload', 'destroy'])('a window %s while the handler resolves cancels it', async (how) => {
    const t = await setup()
    const run = newRun('resolving', 'async-gen', true, 0)
    t.runs.set('w', run)
    t.r.registerStream('win', gatedStarted(run))
    await t.page('open', { name: 'w', channel: 'win', args: ['w'] })
    await within(run.entered.promise, 'the handler was called')
    if (how === 'reload') await t.win.webContents.reload()
    else t.win.webContents.destroy()
    await within(run.sawCancel.promise, 'main aborted ctx.signal')
    run.gate.resolve()
    await within(run.closed.promise, 'the generator\'s finally')
    expect(t.metrics('win' as Config)).toMatchObject({ cancelled: 1, open: 0 })
    expect(t.chunksSent(run)).toBe(0)
  })

  test('client.invoke on a stream channel: E_INVALID_ARGUMENT, and main lets the stream it opened go', async () => {
    const t = await setup()
    const run = newRun('between', 'async-gen', false, 1e6)
    t.runs.set('i', run)
    run.gate.resolve()
    expect(await t.page('invoke', { channel: 'c2h2', args: ['i'] })).toMatchObject({ ok: false, error: { code: 'E_INVALID_ARGUMENT' } })
    await within(run.closed.promise, 'the producer was closed')
    await until(() => t.metrics('c2h2').open === 0, 'the open-stream gauge back to 0')
  })
})

describe('stream producers that call the registry back', () => {
  test('a sync generator whose next() closes the registry still runs its finally', async () => {
    const t = await setup()
    const closed = deferred()
    t.r.registerStream('closes', function* () {
      try {
        yield 1
        void t.r.close()
        yield 2
      } finally {
        closed.resolve()
      }
    }, { chunkSize: 10 })
    await t.page('open', { name: 'x', channel: 'closes', args: [] })
    expect(await t.page('result', { name: 'x' })).toMatchObject({ error: { code: 'E_CLOSED' } })
    await within(closed.promise, 'the generator\'s finally')
    expect(t.metrics('closes' as Config)).toMatchObject({ open: 0, cancelled: 1 })
  })

  test('a sync generator whose next() destroys the window still runs its finally', async () => {
    const t = await setup()
    const closed = deferred()
    // One chunk of credit: the page's ack of the first chunk pulls the second, after its 'open' answered.
    t.r.registerStream('destroys', function* () {
      try {
        yield 1
        t.win.webContents.destroy()
        yield 2
      } finally {
        closed.resolve()
      }
    }, { chunkSize: 1, highWaterMark: 1 })
    await t.page('open', { name: 'x', channel: 'destroys', args: [] })
    await within(closed.promise, 'the generator\'s finally')
    expect(t.metrics('destroys' as Config)).toMatchObject({ open: 0, cancelled: 1 })
  })

  test('a handler that closes the registry before returning its producer: E_CLOSED, the producer closed', async () => {
    const t = await setup()
    const closed = deferred()
    t.r.registerStream('handler-closes', () => {
      const g = (function* () {
        try {
          for (;;) yield 1
        } finally {
          closed.resolve()
        }
      })()
      g.next()
      void t.r.close()
      return g
    })
    await t.page('open', { name: 'x', channel: 'handler-closes', args: [] })
    expect(await t.page('result', { name: 'x' })).toMatchObject({ chunks: 0, error: { code: 'E_CLOSED' } })
    await within(closed.promise, 'the generator\'s finally')
    expect(t.metrics('handler-closes' as Config)).toMatchObject({ open: 0 })
  })

  test('an iterator whose return() closes the registry: every other stream ends too', async () => {
    const t = await setup()
    const other = deferred()
    let i = 0
    t.r.registerStream('closer', (): any => ({
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ value: i++, done: false }),
        return: () => {
          void t.r.close()
          return { value: undefined, done: true }
        },
      }),
    }), { chunkSize: 1, highWaterMark: 1 })
    t.r.registerStream('other', async function* () {
      try {
        for (;;) yield 2
      } finally {
        other.resolve()
      }
    }, { chunkSize: 1, highWaterMark: 1 })
    await t.page('open', { name: 'a', channel: 'closer', args: [], credit: 1 })
    await t.page('open', { name: 'b', channel: 'other', args: [] })
    await t.page('read', { name: 'a', n: 1 })
    await t.page('read', { name: 'b', n: 1 })
    await t.page('cancel', { name: 'a', kind: 'return' })
    await within(other.promise, 'the other generator\'s finally')
    expect(await t.page('result', { name: 'b' })).toMatchObject({ error: { code: 'E_CLOSED' } })
    expect(t.metrics('closer' as Config).open + t.metrics('other' as Config).open).toBe(0)
  })

  test('a monitor hook and an abort listener that call the registry mid-bookkeeping leave no stream open', async () => {
    let r: any
    const monitor = {
      record() {},
      increment(name: string) {
        if (name === 'ipcflow.stream.opened') void r.invoke('c1h1', []) // refused: no renderer, no id
      },
    }
    const t = await setup({ monitor })
    r = t.r
    const closed = deferred()
    const second = deferred()
    r.registerStream('reenters', async function* (ctx: any) {
      ctx.signal.addEventListener('abort', () => void r.close())
      try {
        for (;;) yield 1
      } finally {
        closed.resolve()
      }
    }, { chunkSize: 1, highWaterMark: 1 })
    r.registerStream('second', async function* () {
      try {
        for (;;) yield 2
      } finally {
        second.resolve()
      }
    }, { chunkSize: 1, highWaterMark: 1 })
    await t.page('open', { name: 'a', channel: 'reenters', args: [], credit: 1 })
    await t.page('open', { name: 'b', channel: 'second', args: [] }) // reads on, so it sees E_CLOSED
    await t.page('read', { name: 'a', n: 1 })
    await t.page('read', { name: 'b', n: 1 })
    await t.page('cancel', { name: 'a', kind: 'break' }) // its abort listener closes the registry, ending 'second' too
    await within(closed.promise, 'the first generator\'s finally')
    await within(second.promise, 'the second generator\'s finally')
    expect(await t.page('result', { name: 'b' })).toMatchObject({ error: { code: 'E_CLOSED' } })
    expect(t.metrics('reenters' as Config).open + t.metrics('second' as Config).open).toBe(0)
    await turns()
    expect(unhandled).toEqual([])
  })
})

describe('the renderer client on its own (a fake ipcRenderer)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createRendererClient } = require('../renderer/dist/index.js')
  const OPENED = { success: true, data: { ipcflow: 'stream', v: 1, highWaterMark: 2, chunkSize: 1 }, metadata: { executionTimeMs: 0, cached: false } }

  function fakeIpc() {
    const listeners = new Map<string, Array<(...a: any[]) => void>>()
    const sent: unknown[][] = []
    const replies: Array<{ request: any; answer: (value: unknown) => void }> = []
    return {
      sent,
      replies,
      cancels: () => sent.filter(([channel]) => channel === CANCEL).map(([, id]) => id),
      emit: (channel: string, ...args: unknown[]) => {
        for (const l of listeners.get(channel) ?? []) l({}, ...args)
      },
      on: (channel: string, l: (...a: any[]) => void) => void listeners.set(channel, [...(listeners.get(channel) ?? []), l]),
      removeListener: (channel: string, l: (...a: any[]) => void) => void listeners.set(channel, (listeners.get(channel) ?? []).filter((x) => x !== l)),
      send: (...args: unknown[]) => void sent.push(args),
      invoke: (_channel: string, request: any) => new Promise((answer) => replies.push({ request, answer })),
    }
  }

  test.each(['return', 'abort'])('given up (%s) before the opening reply: cancelled, and cancelled again when the reply says it opened; no chunk delivered', async (how) => {
    const ipc = fakeIpc()
    const client = createRendererClient(ipc, { announceReady: false })
    const controller = new AbortController()
    const it = client.stream('s', [], { signal: controller.signal })[Symbol.asyncIterator]()
    const pending = it.next() // a loop waiting for its first chunk
    const { request, answer } = ipc.replies[0]
    if (how === 'return') await it.return()
    else controller.abort()
    expect(ipc.cancels()).toEqual([request.id])
    if (how === 'return') expect(await within(pending, 'the waiting next() ended by return()')).toEqual({ done: true, value: undefined })
    else await expect(pending).rejects.toMatchObject({ code: 'E_CANCELLED' })
    answer(OPENED)
    await turns(1)
    ipc.emit(STREAM, { ipcflow: 'chunk', id: request.id, index: 0, items: [1], itemsSoFar: 1 })
    expect(ipc.cancels()).toEqual([request.id, request.id])
    if (how === 'return') expect(await it.next()).toEqual({ done: true, value: undefined })
    else await expect(it.next()).rejects.toMatchObject({ code: 'E_CANCELLED' })
    client.dispose()
  })

  test('abort with chunks queued: the loop gets E_CANCELLED, not the queued chunks', async () => {
    const ipc = fakeIpc()
    const client = createRendererClient(ipc, { announceReady: false })
    const controller = new AbortController()
    const it = client.stream('s', [], { signal: controller.signal })[Symbol.asyncIterator]()
    const { request, answer } = ipc.replies[0]
    answer(OPENED)
    await turns(1)
    for (let i = 0; i < 2; i++) ipc.emit(STREAM, { ipcflow: 'chunk', id: request.id, index: i, items: [i], itemsSoFar: i + 1 })
    expect((await it.next()).value).toMatchObject({ index: 0 })
    controller.abort()
    await expect(it.next()).rejects.toMatchObject({ code: 'E_CANCELLED' })
    expect(ipc.cancels()).toEqual([request.id])
    client.dispose()
  })

  test('a refused opening sends no cancel; an error main sent still follows the chunks before it', async () => {
    const ipc = fakeIpc()
    const client = createRendererClient(ipc, { announceReady: false })
    const refused = client.stream('s', [])[Symbol.asyncIterator]()
    ipc.replies[0].answer({ success: false, error: { code: 'E_VALIDATION', message: 'no', details: {} }, metadata: { executionTimeMs: 0 } })
    await expect(refused.next()).rejects.toMatchObject({ code: 'E_VALIDATION' })
    const failing = client.stream('s', [])[Symbol.asyncIterator]()
    const { request, answer } = ipc.replies[1]
    answer(OPENED)
    await turns(1)
    ipc.emit(STREAM, { ipcflow: 'chunk', id: request.id, index: 0, items: [7], itemsSoFar: 1 })
    ipc.emit(STREAM, { ipcflow: 'error', id: request.id, error: { code: 'E_DISK', message: 'gone', details: {} } })
    expect((await failing.next()).value).toMatchObject({ items: [7] })
    await expect(failing.next()).rejects.toMatchObject({ code: 'E_DISK' })
    expect(ipc.cancels()).toEqual([])
    client.dispose()
  })

  test('client.invoke whose reply opened a stream rejects E_INVALID_ARGUMENT and cancels it; so does a late one', async () => {
    const ipc = fakeIpc()
    const client = createRendererClient(ipc, { announceReady: false })
    const call = client.invoke('s')
    ipc.replies[0].answer(OPENED)
    await expect(call).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', details: { channel: 's' } })
    expect(ipc.cancels()).toEqual([ipc.replies[0].request.id])
    const controller = new AbortController()
    const late = client.invokeWithOptions('s', [], { signal: controller.signal })
    controller.abort()
    await expect(late).rejects.toMatchObject({ code: 'E_CANCELLED' })
    ipc.replies[1].answer(OPENED)
    await turns(1)
    expect(ipc.cancels()).toEqual([ipc.replies[0].request.id, ipc.replies[1].request.id, ipc.replies[1].request.id])
    client.dispose()
  })
})
