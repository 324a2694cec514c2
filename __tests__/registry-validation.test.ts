// Native JSON Schema validation in the registry: every failing field with its
// pointer, invalid schemas failing register, Zod 4 interop, hostile values.
import path from 'path'
import { z } from 'zod'
import { HandlerRegistry } from '../index'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createWindow, IpcMain, ensureRendererBuilt } = require('../test/standin')

const INVOKER = path.join(__dirname, '..', 'test', 'standin', 'renderers', 'invoker.js')
const registries: HandlerRegistry[] = []
const windows: any[] = []
function make(options?: ConstructorParameters<typeof HandlerRegistry>[0]) {
  const r = new HandlerRegistry(options)
  registries.push(r)
  return r
}
beforeAll(() => ensureRendererBuilt())
afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.close()))
  await Promise.all(windows.splice(0).map((w) => w.close()))
})

const MESSAGE = {
  type: 'object',
  properties: { id: { type: 'number' }, type: { type: 'string' }, text: { type: 'string', maxLength: 500 }, ts: { type: 'number' } },
  required: ['id', 'type', 'text', 'ts'],
  additionalProperties: false,
}
const good = { id: 1, type: 'token', text: 'hello', ts: 2 }
const errorOf = (e: any) => {
  if (e.success) throw new Error(`expected an error envelope, got ${JSON.stringify(e.data)}`)
  return e.error
}

describe('schema (first argument)', () => {
  test('valid input reaches the handler; invalid input lists every failing field', async () => {
    const r = make()
    const seen: unknown[] = []
    r.register('msg', (m: unknown) => seen.push(m), { schema: MESSAGE })
    expect(await r.invoke('msg', [good])).toMatchObject({ success: true })
    const err = errorOf(await r.invoke('msg', [{ id: 'one', type: 'token', text: 'x'.repeat(501), extra: true }]))
    expect(err.code).toBe('E_VALIDATION')
    expect(err.details).toMatchObject({ channel: 'msg', target: 'firstArgument' })
    const errors = err.details.errors as { pointer: string; keyword: string; message: string }[]
    for (const e of errors) expect(e).toEqual({ pointer: expect.any(String), keyword: expect.any(String), message: expect.any(String) })
    const found = errors.map((e) => `${e.pointer} ${e.keyword}`)
    expect(found).toEqual(expect.arrayContaining(['/id type', '/text maxLength']))
    expect(found.some((f) => / required$/.test(f))).toBe(true) // ts is missing
    expect(found.some((f) => / additionalProperties$/.test(f))).toBe(true)
    expect(seen).toEqual([good])
  })

  test('schema checks exactly one argument', async () => {
    const r = make()
    r.register('msg', () => 1, { schema: MESSAGE })
    expect(errorOf(await r.invoke('msg', [good, 'extra']))).toMatchObject({ code: 'E_VALIDATION', details: { errors: [{ keyword: 'arity' }] } })
    expect(errorOf(await r.invoke('msg', []))).toMatchObject({ code: 'E_VALIDATION', details: { errors: [{ keyword: 'arity' }] } })
  })

  test('argsSchema validates the argument list: pointers start with the index', async () => {
    const r = make()
    r.register('move', (from: string, to: number) => `${from}->${to}`, {
      argsSchema: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer', minimum: 0 }], minItems: 2, maxItems: 2 },
    })
    expect(await r.invoke('move', ['a', 3])).toMatchObject({ success: true, data: 'a->3' })
    const err = errorOf(await r.invoke('move', [1, -1]))
    expect(err).toMatchObject({ code: 'E_VALIDATION', details: { target: 'args' } })
    expect((err.details.errors as any[]).map((e) => e.pointer).sort()).toEqual(['/0', '/1'])
    expect(errorOf(await r.invoke('move', ['a'])).code).toBe('E_VALIDATION')
  })

  test('an invalid schema fails register with the compile error and its pointer', () => {
    const r = make()
    const act = () => r.register('bad', () => 1, { schema: { type: 'object', properties: { a: { type: 'no-such-type' } } } })
    expect(act).toThrow(expect.objectContaining({
      code: 'E_INVALID_ARGUMENT',
      details: expect.objectContaining({ argument: 'options.schema', message: expect.any(String), pointer: expect.any(String) }),
    }))
    expect(r.has('bad')).toBe(false)
    expect(() => r.register('bad2', () => 1, { argsSchema: { minLength: 'three' } })).toThrow(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT', details: expect.objectContaining({ argument: 'options.argsSchema' }) }),
    )
  })

  test('boolean schemas', async () => {
    const r = make()
    r.register('any', () => 1, { schema: true })
    r.register('none', () => 1, { schema: false })
    expect(await r.invoke('any', [{ x: 1 }])).toMatchObject({ success: true })
    expect(errorOf(await r.invoke('none', [{ x: 1 }])).code).toBe('E_VALIDATION')
  })
})

describe('values JSON cannot hold', () => {
  test('cycles, functions, symbols, BigInt, NaN: E_VALIDATION with the path, never a crash or a hang', async () => {
    const r = make()
    const seen: unknown[] = []
    r.register('any', (v: unknown) => seen.push(v), { schema: { type: 'object' } })
    const cyclic: any = { a: { b: {} } }
    cyclic.a.b.back = cyclic
    const cases: [unknown, string][] = [[cyclic, '/a/b/back'], [{ f: () => 1 }, '/f'], [{ s: Symbol('x') }, '/s'], [{ n: 10n }, '/n'], [{ x: [1, NaN] }, '/x/1']]
    for (const [value, pointer] of cases) {
      const err = errorOf(await r.invoke('any', [value]))
      expect(err).toMatchObject({ code: 'E_VALIDATION', details: { errors: [expect.objectContaining({ pointer })] } })
    }
    expect(seen).toEqual([])
  })

  test('Map, Set, Date, typed arrays, class instances...: E_VALIDATION naming what they are', async () => {
    const r = make()
    r.register('any', () => 1, { schema: { type: 'object' } })
    class Point { x = 1 }
    const cases: [unknown, string][] = [
      [{ m: new Map([[1, 2]]) }, 'a Map'],
      [{ s: new Set([1]) }, 'a Set'],
      [{ d: new Date(0) }, 'a Date'],
      [{ t: new Uint8Array(2) }, 'a Uint8Array'],
      [{ p: new Point() }, 'a class instance'],
    ]
    for (const [value, what] of cases) {
      const err = errorOf(await r.invoke('any', [value]))
      expect(err).toMatchObject({ code: 'E_VALIDATION', details: { errors: [{ keyword: 'unsupported', message: `${what} cannot be validated as JSON` }] } })
    }
    // Plain objects of any prototype-less or Object-prototype kind still pass.
    expect(await r.invoke('any', [{ a: Object.create(null), b: JSON.parse('{"c":1}') }])).toMatchObject({ success: true })
  })

  test('in-process-getters-read-once: a getter or Proxy that answers differently on each read cannot hand the handler unvalidated data', async () => {
    const r = make()
    const seen: unknown[] = []
    const schema = { type: 'object', properties: { n: { type: 'number', maximum: 10 }, tags: { type: 'array', items: { type: 'string' } } }, required: ['n'] }
    r.register('checked', (v: any) => seen.push([v.n, v.tags?.[0], Object.getOwnPropertyDescriptor(v, 'n')?.get === undefined]), { schema })
    let reads = 0
    const flipping = Object.defineProperty({}, 'n', { enumerable: true, get: () => (reads++ === 0 ? 1 : 1e9) })
    expect(await r.invoke('checked', [flipping])).toMatchObject({ success: true })
    let proxyReads = 0
    const proxied = new Proxy({ n: 2, tags: ['ok'] }, { get: (t, k) => (k === 'tags' && proxyReads++ > 0 ? [42] : (t as any)[k]) })
    expect(await r.invoke('checked', [proxied])).toMatchObject({ success: true })
    // What the handler read is what was validated: plain own data, each getter read once.
    expect(seen).toEqual([[1, undefined, true], [2, 'ok', true]])
    expect(reads).toBe(1)
    // A getter that throws is refused with its path, as a renderer's bad data would be.
    const throwing = Object.defineProperty({ n: 1 }, 'tags', { enumerable: true, get: () => { throw new Error('boom') } })
    expect(errorOf(await r.invoke('checked', [throwing]))).toMatchObject({
      code: 'E_VALIDATION',
      details: { errors: [{ pointer: '/tags', keyword: 'exception', message: 'reading this value threw: boom' }] },
    })
    // Shared references stay shared, own __proto__ keys stay own data, and a cycle is still a cycle.
    r.register('loose', (v: any) => seen.push(v.a === v.b, Object.getPrototypeOf(v) === Object.prototype, Object.keys(v)), { schema: { type: 'object' } })
    const shared = { x: 1 }
    expect(await r.invoke('loose', [{ a: shared, b: shared, ...JSON.parse('{"__proto__":{"p":1}}') }])).toMatchObject({ success: true })
    expect(seen.slice(2)).toEqual([true, true, ['a', 'b', '__proto__']])
    expect(({} as any).p).toBeUndefined()
    const cyclic: any = { a: {} }
    cyclic.a.back = cyclic
    expect(errorOf(await r.invoke('loose', [cyclic]))).toMatchObject({ details: { errors: [{ pointer: '/a/back', keyword: 'cycle' }] } })
  })

  test('caps hold with a schema too: deep nesting and huge strings are E_PAYLOAD_TOO_LARGE', async () => {
    const r = make({ defaults: { maxBytes: 4096, maxDepth: 16 } })
    r.register('any', () => 1, { schema: {} })
    let deep: any = 1
    for (let i = 0; i < 5000; i++) deep = [deep]
    expect(errorOf(await r.invoke('any', [deep]))).toMatchObject({ code: 'E_PAYLOAD_TOO_LARGE', details: { limit: 'maxDepth' } })
    expect(errorOf(await r.invoke('any', [{ s: 'x'.repeat(10_000) }]))).toMatchObject({ code: 'E_PAYLOAD_TOO_LARGE', details: { limit: 'maxBytes' } })
  })
})

describe('Zod 4 interop', () => {
  const Search = z.object({
    q: z.string().min(1).max(200),
    limit: z.number().int().positive().max(100).optional(),
    tags: z.array(z.enum(['docs', 'code'])).max(5).optional(),
  })

  test('z.toJSONSchema(schema) validates natively and agrees with zod', async () => {
    const r = make()
    r.register('search', (query: z.infer<typeof Search>) => query.q, { schema: z.toJSONSchema(Search) })
    const samples: unknown[] = [
      { q: 'x' },
      { q: 'x', limit: 10, tags: ['docs'] },
      { q: '' },
      { q: 'x'.repeat(201) },
      { q: 'x', limit: 1.5 },
      { q: 'x', limit: 0 },
      { q: 'x', tags: ['other'] },
      { q: 'x', tags: ['docs', 'docs', 'docs', 'docs', 'docs', 'docs'] },
      { q: 'x', extra: 1 },
      { limit: 3 },
      'x',
      null,
    ]
    for (const sample of samples) {
      const envelope = await r.invoke('search', [sample])
      expect({ sample, success: envelope.success }).toEqual({ sample, success: Search.strict().safeParse(sample).success })
    }
  })
})

test('through a renderer: __proto__ keys against a closed schema never reach the handler', async () => {
  const ipcMain = new IpcMain()
  const r = make()
  const seen: unknown[] = []
  r.register('search', (v: unknown) => seen.push(v), {
    schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false },
  })
  r.attach(ipcMain)
  const win = await createWindow({ kind: 'process', renderer: INVOKER, ipcMain })
  windows.push(win)
  const result = await win.request('invoke', { channel: 'search', args: [], hostile: { kind: 'proto' } })
  expect(result).toMatchObject({ ok: false, error: { code: 'E_VALIDATION', isIpcError: true } })
  expect(result.error.details.errors.map((e: any) => e.keyword)).toContain('additionalProperties')
  for (const hostile of [{ kind: 'bigint' }, { kind: 'map' }, { kind: 'cycle' }, { kind: 'date' }]) {
    const r2 = await win.request('invoke', { channel: 'search', args: [], hostile })
    expect(r2).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^E_(VALIDATION|PAYLOAD_TOO_LARGE)$/) } })
  }
  expect(await win.request('invoke', { channel: 'search', args: [{ q: 'fine' }] })).toMatchObject({ ok: true })
  expect(seen).toEqual([{ q: 'fine' }])
  expect(({} as any).polluted).toBeUndefined()
})
