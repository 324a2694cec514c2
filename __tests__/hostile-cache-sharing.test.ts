// Issue 25 part 4: one caller of a cached channel must not be able to change
// what another caller receives, whatever the value holds (README "Response
// cache"). Freezing cannot protect typed arrays, ArrayBuffer, DataView, Map,
// Set, Date or RegExp: each caller below mutates everything it can reach, and
// the next caller must still get what the handler returned.
import fs from 'fs'
import os from 'os'
import path from 'path'
import { isDeepStrictEqual } from 'util'
import fc from 'fast-check'
import { useRegistryFixtures } from './helpers/registry'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createWindow, IpcMain } = require('../test/standin')

const { registry } = useRegistryFixtures()
const CACHE = { ttlMs: 60_000 }

const attempt = (f: () => unknown) => {
  try {
    f()
  } catch {
    // frozen, detached or not ours: the point is that nothing leaks
  }
}
const tag = (v: object) => Object.prototype.toString.call(v).slice(8, -1)

/** Caller 1: every mutation it can make on everything it can reach (children read before the parent changes). */
function mutateAll(root: unknown) {
  const seen = new Set<object>()
  const stack: unknown[] = [root]
  const buffers: ArrayBuffer[] = []
  while (stack.length > 0) {
    const v = stack.pop() as any
    if (v === null || typeof v !== 'object' || seen.has(v)) continue
    seen.add(v)
    const t = tag(v)
    if (ArrayBuffer.isView(v)) {
      const view = v as any
      stack.push(view.buffer)
      if (t === 'DataView') for (let i = 0; i < view.byteLength; i++) attempt(() => view.setUint8(i, 0xee))
      else {
        const x = t.startsWith('Big') ? 7n : 7
        attempt(() => view.reverse())
        attempt(() => view.fill(x))
        attempt(() => view.set([x]))
        attempt(() => view.copyWithin(0, 1))
        attempt(() => (view[0] = x))
      }
    } else if (t === 'ArrayBuffer') {
      attempt(() => new Uint8Array(v).fill(0xee))
      attempt(() => v.resizable && v.resize(0))
      buffers.push(v)
    } else if (t === 'Map') {
      for (const [k, x] of v) stack.push(k, x)
      for (const k of [...v.keys()]) attempt(() => v.set(k, 'mutated'))
      attempt(() => v.set('added', 1))
      attempt(() => v.delete(v.keys().next().value))
      attempt(() => v.clear())
    } else if (t === 'Set') {
      for (const x of v) stack.push(x)
      attempt(() => v.add('added'))
      attempt(() => v.delete(v.values().next().value))
      attempt(() => v.clear())
    } else if (t === 'Date') {
      attempt(() => v.setTime(1))
      attempt(() => v.setFullYear(1999))
    } else if (t === 'RegExp') {
      attempt(() => (v.lastIndex = 3))
      attempt(() => v.compile('mutated', 'g'))
    } else if (Array.isArray(v)) {
      for (const x of Object.values(v)) stack.push(x)
      for (const m of ['reverse', 'sort', 'pop', 'shift']) attempt(() => (v as any)[m]())
      attempt(() => v.push('mutated'))
      attempt(() => v.splice(0, 1, 'mutated'))
      attempt(() => (v.length = 0))
    }
    // Every object: its own properties (an Error's cause, a boxed String's...; a view's
    // elements were written above), new ones, its prototype.
    const own = ArrayBuffer.isView(v) ? [] : Reflect.ownKeys(v)
    for (const k of own) {
      const d = Object.getOwnPropertyDescriptor(v, k)
      if (d && 'value' in d) stack.push(d.value)
    }
    for (const k of own) {
      attempt(() => (v[k] = 'mutated'))
      attempt(() => delete v[k])
    }
    attempt(() => (v.added = 1))
    attempt(() => Object.defineProperty(v, 'defined', { value: 1, enumerable: true }))
    attempt(() => Object.setPrototypeOf(v, null))
  }
  // Detached last: the views above needed their buffers.
  for (const b of buffers) attempt(() => structuredClone(b, { transfer: [b] }))
}

function everyKind() {
  const shared = new ArrayBuffer(8)
  return {
    plain: { n: 1, list: [1, 'two', { three: 3 }] },
    bytes: new Uint8Array([1, 2, 3]),
    floats: new Float64Array([1.5, -0, NaN]),
    bigs: new BigInt64Array([1n, -2n]),
    partView: new Uint16Array(shared, 2, 2),
    buffer: new Uint8Array([9, 8, 7]).buffer,
    view: new DataView(new Uint8Array([1, 2, 3, 4]).buffer, 1, 2),
    map: new Map<unknown, unknown>([['k', { date: new Date(5) }], [{ key: 1 }, new Uint8Array([4])]]),
    set: new Set<unknown>([1, new Date(6), new Int32Array([5])]),
    date: new Date(7),
    regexp: /ab+c/gi,
    error: new RangeError('out', { cause: new Map([[1, new Uint8Array([1])]]) }),
    boxed: [new Number(1), new String('s'), new Boolean(false)],
    nested: [[{ deep: [new Uint8Array([42])] }]],
    large: new Float32Array(20_000).fill(1.25), // past 64 KiB: copied another way
    largeView: new DataView(new Uint8Array(70_000).fill(3).buffer, 5),
  }
}

describe('in process', () => {
  test('hits: a caller that mutates everything does not change the next hit (typed arrays, buffers, Map, Set, Date, RegExp, nested)', async () => {
    const r = registry()
    let calls = 0
    r.register('kinds', () => (calls++, everyKind()), { cache: CACHE })
    const expected = structuredClone(everyKind())
    for (let i = 0; i < 3; i++) {
      const e: any = await r.invoke('kinds', [])
      expect(e.metadata.cached).toBe(i > 0)
      expect(isDeepStrictEqual(e.data, expected)).toBe(true)
      mutateAll(e)
    }
    expect(calls).toBe(1)
  })

  test('plain data stays one frozen object shared by every hit', async () => {
    const r = registry()
    r.register('plain', () => ({ list: [1, { a: 2 }], n: new Number(3) }), { cache: CACHE })
    const a: any = ((await r.invoke('plain', [])) as any).data
    const b: any = ((await r.invoke('plain', [])) as any).data
    expect(b).toBe(a)
    expect([a, a.list, a.list[1], a.n].every(Object.isFrozen)).toBe(true)
  })

  test('frozen parts beside a copied typed array are shared; the path to it is copied', async () => {
    const r = registry()
    r.register('mixed', () => ({ rows: [{ id: 1 }], meta: { bytes: new Uint8Array([1]) } }), { cache: CACHE })
    const a: any = ((await r.invoke('mixed', [])) as any).data
    const b: any = ((await r.invoke('mixed', [])) as any).data
    expect(b.rows).toBe(a.rows)
    expect(Object.isFrozen(a.rows)).toBe(true)
    expect(b).not.toBe(a)
    expect(b.meta.bytes).not.toBe(a.meta.bytes)
  })

  test('cached error envelopes: details holding mutable values cannot be changed for the next caller', async () => {
    const r = registry()
    let calls = 0
    r.register('fails', () => {
      calls++
      throw Object.assign(new Error('no'), { code: 'E_APP', details: everyKind() })
    }, { cache: { ...CACHE, cacheErrors: true } })
    const expected = structuredClone(everyKind())
    for (let i = 0; i < 3; i++) {
      const e: any = await r.invoke('fails', [])
      expect(e).toMatchObject({ success: false, error: { code: 'E_APP', message: 'no' } })
      expect(e.metadata.cached === true).toBe(i > 0)
      expect(isDeepStrictEqual(e.error.details, expected)).toBe(true)
      mutateAll(e)
    }
    expect(calls).toBe(1)
  })

  test('single-flight: followers get their own copy of the result and of an (uncached) error', async () => {
    const r = registry()
    let runs = 0
    let fail = false
    r.register('sf', async () => {
      runs++
      await Promise.resolve()
      if (fail) throw Object.assign(new Error('no'), { code: 'E_APP', details: everyKind() })
      return everyKind()
    }, { cache: CACHE })
    const expected = structuredClone(everyKind())
    const ok: any[] = await Promise.all([1, 2, 3].map(() => r.invoke('sf', [])))
    mutateAll(ok[0])
    mutateAll(ok[1])
    expect(isDeepStrictEqual(ok[2].data, expected)).toBe(true)
    fail = true
    r.invalidate('sf')
    const failed: any[] = await Promise.all([1, 2, 3].map(() => r.invoke('sf', [])))
    mutateAll(failed[0])
    expect(failed[1].error.code).toBe('E_APP')
    expect(isDeepStrictEqual(failed[1].error.details, expected)).toBe(true)
    expect(runs).toBe(2)
  })

  test('a result that cannot be cloned is not shared: the first caller gets it, each follower a run of its own', async () => {
    const r = registry()
    let runs = 0
    r.register('fn', async () => {
      const n = ++runs
      await Promise.resolve()
      return { n, list: [n], f: () => n }
    }, { cache: CACHE })
    const all: any[] = await Promise.all([1, 2, 3].map(() => r.invoke('fn', [])))
    expect(all.map((e) => e.data.n).sort()).toEqual([1, 2, 3])
    expect(new Set(all.map((e) => e.data.list)).size).toBe(3)
    expect(r.getMetrics().channels.fn).toMatchObject({ calls: 3, ok: 3 })
    expect((await r.invoke('fn', [])).metadata.cached).toBe(false) // never cached
  })

  test('SharedArrayBuffer memory survives any clone: such a value is answered, never cached or shared', async () => {
    const r = registry()
    let runs = 0
    r.register('sab', async () => {
      runs++
      await Promise.resolve()
      return { bytes: new Uint8Array(new SharedArrayBuffer(2)) }
    }, { cache: CACHE })
    const [a, b]: any[] = await Promise.all([r.invoke('sab', []), r.invoke('sab', [])])
    a.data.bytes[0] = 9
    expect(b.data.bytes[0]).toBe(0)
    expect((await r.invoke('sab', [])).metadata.cached).toBe(false)
    expect(runs).toBe(3)
  })

  test('shared references and cycles stay shared inside one answer, never between answers', async () => {
    const r = registry()
    r.register('alias', () => {
      const bytes = new Uint8Array([1, 2])
      const node: any = { bytes, again: bytes }
      node.self = node
      return node
    }, { cache: CACHE })
    await r.invoke('alias', [])
    const a: any = ((await r.invoke('alias', [])) as any).data
    const b: any = ((await r.invoke('alias', [])) as any).data
    expect(a.again).toBe(a.bytes)
    expect(a.self).toBe(a)
    a.bytes[0] = 99
    expect(Array.from(b.bytes)).toEqual([1, 2])
  })

  test("an own '__proto__' key on the path to a copied value stays an own key", async () => {
    const r = registry()
    r.register('proto', () => {
      const o = JSON.parse('{"__proto__": {"polluted": true}, "d": 0}')
      o.d = new Date(1)
      o.__proto__.bytes = new Uint8Array([1]) // the own key's value
      return o
    }, { cache: CACHE })
    await r.invoke('proto', [])
    const hit: any = ((await r.invoke('proto', [])) as any).data
    expect(Object.getPrototypeOf(hit)).toBe(Object.getPrototypeOf(structuredClone({}))) // jest: another realm
    expect(Object.getOwnPropertyNames(hit).sort()).toEqual(['__proto__', 'd'])
    expect(({} as any).polluted).toBeUndefined()
  })

  test('a sparse array around a copied value is copied without walking its length, with its holes and other keys', async () => {
    const r = registry()
    r.register('sparse', () => {
      const huge: any = []
      huge[1e9] = new Date(3)
      huge.extra = 'e'
      const holed: any = [, new Date(1)] // as many keys as its length
      holed.x = 'y'
      return [huge, holed]
    }, { cache: CACHE })
    await r.invoke('sparse', [])
    const [huge, holed] = ((await r.invoke('sparse', [])) as any).data // slice() would take seconds: jest's timeout
    expect(huge.length).toBe(1e9 + 1)
    expect(Object.keys(huge)).toEqual(['1000000000', 'extra'])
    expect(Object.keys(holed)).toEqual(['1', 'x'])
  })
})

// Values structured clone can carry: fc.anything's (with typed arrays, Map,
// Set, Date, boxed values, sparse arrays) plus buffers, views over part of
// a buffer, DataView, RegExp, Errors, shared references and own '__proto__' keys.
const leaf = fc.oneof(
  fc.anything({ maxDepth: 2, withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }),
  fc.uint8Array({ maxLength: 8 }).map((a) => a.buffer),
  fc.uint8Array({ minLength: 2, maxLength: 8 }).map((a) => new DataView(a.buffer, 1)),
  fc.uint8Array({ minLength: 4, maxLength: 8 }).map((a) => new Uint16Array(a.buffer, 2, 1)),
  fc.tuple(fc.constantFrom('a+', 'x|y', '[0-9]'), fc.constantFrom('', 'g', 'gi', 'y')).map(([s, f]) => new RegExp(s, f)),
  fc.string({ maxLength: 5 }).map((m) => new TypeError(m, { cause: new Map([[m, new Uint8Array([1])]]) })),
  fc.integer().map((t) => new Date(t)),
)
const { value: cloneable } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), tie('array'), tie('map'), tie('set'), tie('aliased'), tie('proto')),
  object: fc.dictionary(fc.string({ maxLength: 3 }), tie('value'), { maxKeys: 3 }),
  array: fc.array(tie('value'), { maxLength: 3 }),
  map: fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((es) => new Map(es)),
  set: fc.array(tie('value'), { maxLength: 3 }).map((xs) => new Set(xs)),
  aliased: tie('value').map((x) => ({ a: x, b: [x] })),
  proto: tie('value').map((x) => {
    const o: any = JSON.parse('{"__proto__": 0}')
    o.__proto__ = x
    return o
  }),
}))

test('property (seeded): whatever the value, caller 1 mutating everything leaves caller 2 the handler\'s value', async () => {
  const r = registry()
  let n = 0
  await fc.assert(
    fc.asyncProperty(cloneable, async (value) => {
      const channel = `p${n++}`
      const expected = structuredClone(value)
      let runs = 0
      r.register(channel, async () => {
        runs++
        await Promise.resolve()
        return value
      }, { cache: CACHE })
      r.register(`${channel}:e`, () => {
        throw Object.assign(new Error('x'), { code: 'E_APP', details: { value } })
      }, { cache: { ...CACHE, cacheErrors: true } })
      // single-flight followers, then hits
      const [first, second, third]: any[] = await Promise.all([1, 2, 3].map(() => r.invoke(channel, [])))
      mutateAll(first)
      mutateAll(second)
      expect(isDeepStrictEqual(third.data, expected)).toBe(true)
      mutateAll(await r.invoke(channel, []))
      const hit: any = await r.invoke(channel, [])
      expect(hit.metadata.cached).toBe(true)
      expect(isDeepStrictEqual(hit.data, expected)).toBe(true)
      expect(runs).toBe(1)
      mutateAll(await r.invoke(`${channel}:e`, []))
      const error: any = await r.invoke(`${channel}:e`, [])
      expect(error.metadata.cached).toBe(true)
      expect(isDeepStrictEqual(error.error.details, structuredClone({ value }))).toBe(true)
    }),
    { numRuns: 200, seed: 0x25_04 },
  )
})

describe('through a renderer', () => {
  // A renderer that makes the same calls in one task (one batched request,
  // one reply message), mutates the first answer and returns the others.
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ipcflow-cache-sharing-')), 'mutator.js')
  const client = path.join(__dirname, '..', 'renderer', 'dist', 'index.js')
  const tagSource = tag.toString()
  fs.writeFileSync(script, `'use strict'
const { createRendererClient } = require(${JSON.stringify(client)})
const attempt = ${attempt.toString()}
const tag = ${tagSource}
const mutateAll = ${mutateAll.toString()}
module.exports = async (ipcRenderer) => {
  const client = createRendererClient(ipcRenderer, { announceReady: false, batchChannels: ['b'] })
  return {
    async onRequest(kind, { channel, args, times }) {
      const values = await Promise.all(Array.from({ length: times }, () => client.invoke(channel, ...args)))
      const distinct = new Set(values).size === values.length
      mutateAll(values[0])
      return { distinct, rest: values.slice(1), stats: client.getStats() }
    },
  }
}
`)
  afterAll(() => fs.rmSync(path.dirname(script), { recursive: true, force: true }))

  test('calls answered in one batched reply (single-flight, then hits) get values that share nothing', async () => {
    const ipcMain = new IpcMain()
    const r = registry()
    let runs = 0
    r.register('b', (keys: unknown[]) => keys.map(() => (runs++, everyKind())), { batch: {}, cache: CACHE })
    r.attach(ipcMain)
    // A worker: Node's v8.deserialize (the 'process' kind) backs every typed array of one
    // message with one ArrayBuffer, which Electron's structured clone does not.
    const win = await createWindow({ kind: 'worker', renderer: script, ipcMain })
    try {
      const expected = structuredClone(everyKind())
      for (let round = 0; round < 2; round++) {
        const out = await win.request('go', { channel: 'b', args: [1], times: 3 })
        expect(out.distinct).toBe(true)
        for (const v of out.rest) expect(isDeepStrictEqual(v, expected)).toBe(true)
        expect(out.stats.requestBatches).toBe(round + 1)
      }
      expect(runs).toBe(1)
    } finally {
      await win.close()
    }
  })
})
