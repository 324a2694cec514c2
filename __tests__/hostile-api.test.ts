// Hostile input (issue 9): wrong types for every argument of every public
// constructor and method. Each call returns, or throws / rejects with an
// IpcError carrying a stable E_ code (never E_INTERNAL, never a bare TypeError),
// and nothing is polluted.
import { EventEmitter } from 'events'
import { BatchManager, HandlerRegistry, PerformanceMonitor, MemoryManager } from '../index'
import { createRendererClient } from '../renderer/dist/index.js'
import { wrongValues } from './fixtures/hostile'
import { expectUnpolluted, settledHeap, snapshot } from './helpers/hostile'

// ipcflow's own prototypes are checked along with the built-ins.
const OURS = {
  'BatchManager.prototype': BatchManager.prototype,
  'HandlerRegistry.prototype': HandlerRegistry.prototype,
  'PerformanceMonitor.prototype': PerformanceMonitor.prototype,
  'MemoryManager.prototype': MemoryManager.prototype,
}

const CODE = /^E_[A-Z_]+$/

function fakeIpcRenderer() {
  return { on() {}, removeListener() {}, send() {}, invoke: async () => ({ success: true, data: 1, metadata: {} }) }
}

const subjects: Record<string, { make: () => any; close: (o: any) => unknown }> = {
  BatchManager: { make: () => new BatchManager(), close: (o) => o.close() },
  HandlerRegistry: { make: () => new HandlerRegistry(), close: (o) => o.close() },
  PerformanceMonitor: { make: () => new PerformanceMonitor({ watchdog: false }), close: (o) => o.close() },
  MemoryManager: { make: () => new MemoryManager(), close: (o) => o.close() },
  RendererClient: { make: () => createRendererClient(fakeIpcRenderer() as any, { onProtocolError: () => {} }), close: (o) => o.dispose() },
}

function methodsOf(o: any): string[] {
  const names = new Set<string>()
  for (let p = o; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) if (k !== 'constructor' && !k.startsWith('_') && typeof o[k] === 'function') names.add(k)
  }
  // EventEmitter's methods are Node's (its own ERR_INVALID_ARG_TYPE), not ours
  for (const k of [...names]) if (o[k] === (EventEmitter.prototype as any)[k]) names.delete(k)
  return [...names].sort()
}

async function outcome(act: () => unknown): Promise<unknown> {
  try {
    const r: any = act()
    if (r && typeof r.then === 'function') await r
    return undefined
  } catch (error) {
    return error
  }
}

// The caller's own throws (a getter or Proxy trap it passed in) may pass through unchanged.
const CALLERS_OWN = /getter boom|get trap|has trap|ownKeys trap|on a proxy that has been revoked/

function expectCoded(error: any, what: string) {
  if (error === undefined) return
  if (typeof error?.message === 'string' && CALLERS_OWN.test(error.message)) return
  if (!(error && typeof error.code === 'string' && CODE.test(error.code) && error.code !== 'E_INTERNAL')) {
    throw new Error(`${what} threw without a stable code: ${error?.name}: ${error?.message} (code ${error?.code})`)
  }
}

// One test per (subject, method), looping over 3 argument positions x every wrong value.
const cases: Array<[string, string]> = []
for (const [subject, { make, close }] of Object.entries(subjects)) {
  const o = make()
  for (const method of methodsOf(o)) cases.push([subject, method])
  close(o)
}
const values = new Map(wrongValues())

describe('constructors', () => {
  const before = snapshot(OURS)
  const ctors: Record<string, (a: any, b: any) => unknown> = {
    BatchManager: (a, b) => new BatchManager(a, b),
    HandlerRegistry: (a) => new HandlerRegistry(a),
    PerformanceMonitor: (a) => new PerformanceMonitor(a),
    MemoryManager: (a, b) => new MemoryManager(a, b),
    RendererClient: (a, b) => createRendererClient(a, b),
  }
  const list: Array<[string, number, string]> = []
  for (const name of Object.keys(ctors)) for (const pos of [0, 1]) for (const [label] of wrongValues()) list.push([name, pos, label])
  test.each(list)('new %s: argument %d = %s', async (name, pos, label) => {
    const args: any[] = name === 'RendererClient' ? [fakeIpcRenderer(), {}] : [undefined, undefined]
    args[pos] = values.get(label)!()
    if (name !== 'RendererClient' && pos === 1 && args[1] === undefined) return
    let made: any
    const error = await outcome(() => (made = ctors[name](args[0], args[1])))
    expectCoded(error, `new ${name}`)
    if (made !== undefined) await subjects[name].close(made)
    expectUnpolluted(before, OURS)
  })
})

describe('methods', () => {
  const before = snapshot(OURS)
  let baseline = 0
  beforeAll(async () => {
    baseline = await settledHeap()
  })
  afterAll(async () => {
    const growth = (await settledHeap()) - baseline
    console.log(`wrong-argument corpus over every method: heap+external growth ${(growth / 1048576).toFixed(2)} MB`)
  })
  test.each(cases)('%s.%s: every argument, every wrong value', async (subject, method) => {
    // One instance for all: calls after a close()/dispose() must stay coded too.
    const o = subjects[subject].make()
    try {
      for (const pos of [0, 1, 2]) {
        for (const [label, value] of wrongValues()) {
          const args: any[] = []
          args[pos] = value()
          const error = await outcome(() => o[method](...args))
          expectCoded(error, `${subject}.${method} argument ${pos} = ${label}`)
        }
      }
      expectUnpolluted(before, OURS)
    } finally {
      await outcome(() => subjects[subject].close(o))
    }
  })
})

describe('regressions', () => {
  const target = { id: 1, send() {}, isDestroyed: () => false, once() {} }
  test('BatchManager: addMessage/markReady/markNotReady with an undefined target on a fresh manager is E_INVALID_ARGUMENT (was a TypeError)', async () => {
    const m = new BatchManager()
    expect(() => m.addMessage('c', 1, undefined as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => m.markReady(undefined as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => m.markNotReady(undefined as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(m.addMessage('c', 1, target as any)).toBe(true)
    await m.close()
  })
  test('createRendererClient: a missing ipcRenderer or null options is E_INVALID_ARGUMENT', () => {
    expect(() => createRendererClient(undefined as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => createRendererClient({ on() {} } as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => createRendererClient(fakeIpcRenderer() as any, null as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })
  test('PerformanceMonitor.describe(name, null), MemoryManager.trackTask(id, null) and sample(null) are E_INVALID_ARGUMENT', () => {
    const m = new PerformanceMonitor({ watchdog: false })
    const mm = new MemoryManager()
    expect(() => m.describe('x', null as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => mm.trackTask('t', null as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => mm.sample(null as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    m.close()
    mm.close()
  })
  test('SafeEmitter: emit(undefined) on the monitor and the memory manager returns false instead of throwing', () => {
    const m = new PerformanceMonitor({ watchdog: false })
    const mm = new MemoryManager()
    expect((m as any).emit(undefined)).toBe(false)
    expect((mm as any).emit(undefined)).toBe(false)
    m.close()
    mm.close()
  })
})

test("regression: PerformanceMonitor.getMetrics(): a metric or label named '__proto__' is an own key, not the result's prototype", () => {
  const m = new PerformanceMonitor({ watchdog: false })
  m.record('__proto__', 5)
  m.gauge('constructor', 1)
  m.increment('x', 1, JSON.parse('{"__proto__":"v"}'))
  const g = m.getMetrics()
  expect(Object.getPrototypeOf(g.histograms)).toBe(Object.prototype)
  expect(Object.keys(g.histograms)).toEqual(['__proto__'])
  expect(Object.keys(g.gauges)).toEqual(['constructor'])
  expect(Object.keys(g.counters)).toEqual(['x{__proto__="v"}'])
  expect(({} as any).count).toBeUndefined()
  m.close()
})

describe('every option field, every wrong value', () => {
  const opts: Record<string, { keys: string[]; make: (o: any) => any; close: (x: any) => unknown }> = {
    BatchManager: {
      keys: ['maxBatchSize', 'maxWaitMs', 'lowPriorityWaitMs', 'maxBatchBytes', 'maxQueueSize', 'overflow', 'waitSampleEvery', 'maxFramesInFlight', 'adaptive', 'idleMs', 'maxFramesPerSecond', 'enabled', 'holdUntilReady', 'dedupe', 'onError'],
      make: (o) => new BatchManager(o),
      close: (x) => x.close(),
    },
    PerformanceMonitor: {
      keys: ['buckets', 'insightIntervalMs', 'insights', 'logLevel', 'logger', 'watchdog', 'windowMs'],
      make: (o) => new PerformanceMonitor({ watchdog: false, ...o }),
      close: (x) => x.close(),
    },
    MemoryManager: {
      keys: ['criticalBytes', 'hysteresis', 'idleTaskMs', 'inactiveTaskMs', 'osPressure', 'pressureOn', 'sample', 'sampleIntervalMs', 'trend', 'warningBytes', 'windowSamples'],
      make: (o) => new MemoryManager(o),
      close: (x) => x.close(),
    },
    'HandlerRegistry.register': {
      keys: ['allowSender', 'allowedOrigins', 'argsSchema', 'batch', 'cache', 'maxBytes', 'maxDepth', 'rateLimit', 'schema', 'timeoutMs'],
      make: (o) => {
        const r = new HandlerRegistry()
        try {
          r.register('c', () => 1, o)
        } finally {
          void r.close()
        }
      },
      close: () => {},
    },
    'HandlerRegistry defaults': {
      keys: ['maxBytes', 'maxDepth', 'timeoutMs'],
      make: (o) => new HandlerRegistry({ defaults: o }),
      close: (x) => x.close(),
    },
  }
  const before = snapshot(OURS)
  test.each(Object.keys(opts))('%s', async (name) => {
    const { keys, make, close } = opts[name]
    for (const key of keys) {
      for (const [label, value] of wrongValues()) {
        let made: any
        const error = await outcome(() => (made = make({ [key]: value() })))
        expectCoded(error, `${name} option ${key} = ${label}`)
        if (made !== undefined) await outcome(() => close(made))
      }
    }
    expectUnpolluted(before, OURS)
  })
})
