// Native JSON Schema validation of live JS values: every keyword of the fast
// subset, all failing fields with pointers, hostile input, and agreement with
// the converting fallback (the jsonschema crate) outside the subset.
const native = require('../binding.js')
import type * as Binding from '../binding'

type Issue = { pointer: string; keyword: string; message: string }

function compile(schema: object | boolean, limits?: object) {
  const result = native.compileSchema(schema, limits)
  if (!result.ok) throw new Error(`unexpected schema error: ${result.error.message}`)
  return result.validator
}

const REF = {
  type: 'object',
  properties: { id: { type: 'number' }, type: { type: 'string' }, text: { type: 'string', maxLength: 500 }, ts: { type: 'number' } },
  required: ['id', 'type', 'text', 'ts'],
}
const at = (issues: Issue[] | null) => (issues ?? []).map((i) => `${i.pointer} ${i.keyword}`).sort()

describe('fast subset', () => {
  const cases: [string, object, unknown[], unknown[]][] = [
    ['type', { type: ['string', 'null'] }, ['a', null], [1, {}, [], true]],
    ['integer', { type: 'integer' }, [1, -3, 2.0], [1.5, '1']],
    ['enum', { enum: ['a', 1, { x: [1] }] }, ['a', 1, { x: [1] }], ['b', { x: [2] }, null]],
    ['const', { const: { a: [1, 'b'] } }, [{ a: [1, 'b'] }], [{ a: [1] }, { a: [1, 'b'], c: 1 }]],
    ['minLength/maxLength in code points', { minLength: 2, maxLength: 3 }, ['ab', '😀😀😀', 5], ['a', 'abcd', '😀😀😀😀']],
    ['minimum/maximum', { minimum: 1, maximum: 3 }, [1, 3, 'x'], [0, 4]],
    ['exclusive bounds', { exclusiveMinimum: 1, exclusiveMaximum: 3 }, [2], [1, 3]],
    ['multipleOf', { multipleOf: 3 }, [0, 9, -6], [4, 4.5]],
    ['properties/required', { properties: { a: { type: 'string' } }, required: ['a', 'b'] }, [{ a: 'x', b: 0 }, 'not an object'], [{ a: 'x' }, { b: 1 }]],
    ['additionalProperties false', { properties: { a: {} }, additionalProperties: false }, [{ a: 1 }, {}], [{ a: 1, b: 2 }]],
    ['additionalProperties schema', { additionalProperties: { type: 'number' } }, [{ a: 1 }], [{ a: 'x' }]],
    ['items/prefixItems', { prefixItems: [{ type: 'string' }], items: { type: 'number' } }, [['a', 1, 2], []], [[1], ['a', 'b']]],
    ['min/maxItems', { minItems: 1, maxItems: 2 }, [[1], [1, 2]], [[], [1, 2, 3]]],
    ['uniqueItems', { uniqueItems: true }, [[1, 2, { a: 1 }]], [[1, 1], [{ a: 1 }, { a: 1 }]]],
    ['min/maxProperties', { minProperties: 1, maxProperties: 2 }, [{ a: 1 }], [{}, { a: 1, b: 2, c: 3 }]],
    ['anyOf', { anyOf: [{ type: 'string' }, { type: 'number' }] }, ['a', 1], [null]],
    ['oneOf', { oneOf: [{ type: 'integer' }, { minimum: 2 }] }, [1, 2.5], [3, 0.5]],
    ['allOf', { allOf: [{ type: 'number' }, { maximum: 3 }] }, [1], [4, 'a']],
    ['not', { not: { type: 'string' } }, [1], ['a']],
    ['$ref to $defs', { $defs: { n: { type: 'number' } }, properties: { a: { $ref: '#/$defs/n' } } }, [{ a: 1 }], [{ a: 'x' }]],
    ['false schema', { properties: { a: false } }, [{}], [{ a: 1 }]],
  ]
  test.each(cases)('%s', (_name, schema, valid, invalid) => {
    const v = compile(schema)
    for (const x of valid) expect([x, v.validate(x)]).toEqual([x, null])
    for (const x of invalid) {
      const issues = v.validate(x)
      expect(issues?.length).toBeGreaterThan(0)
      // The converting reference path agrees on the verdict.
      expect(v.validateConverted(x)).not.toBeNull()
    }
    for (const x of valid) expect(v.validateConverted(x)).toBeNull()
  })

  test('lists every failing field with pointer, keyword and message', () => {
    const v = compile(REF)
    const issues = v.validate({ id: 'x', text: 'y'.repeat(501), ts: 1 })
    expect(at(issues)).toEqual(['/id type', '/text maxLength', '/type required'])
    expect(issues).toContainEqual({ pointer: '/text', keyword: 'maxLength', message: 'must NOT have more than 500 characters' })
    expect(issues).toContainEqual(expect.objectContaining({ pointer: '/type', message: "must have required property 'type'" }))
    expect(v.validate({ id: 1, type: 't', text: 'ok', ts: 2 })).toBeNull()
  })

  test('nested pointers are escaped (RFC 6901)', () => {
    const v = compile({ properties: { 'a/b': { items: { properties: { 'c~': { type: 'string' } } } } } })
    expect(at(v.validate({ 'a/b': [{}, { 'c~': 1 }] }))).toEqual(['/a~1b/1/c~0 type'])
  })

  test('zod 4 output compiles natively', () => {
    const { z } = require('zod')
    const schema = z.toJSONSchema(z.object({ id: z.number(), type: z.string(), text: z.string().max(500), ts: z.number() }))
    const v = compile(schema)
    expect(v.validate({ id: 1, type: 't', text: 'x', ts: 1 })).toBeNull()
    expect(at(v.validate({ id: 1, type: 't', text: 'x', ts: 1, extra: 1 }))).toEqual(['/extra additionalProperties'])
  })
})

describe('compile errors', () => {
  test('an invalid schema is reported, not thrown', () => {
    const r = native.compileSchema({ type: 'strin' })
    expect(r.ok).toBe(false)
    expect(r.validator).toBeUndefined()
    expect(r.error).toEqual({ message: expect.any(String), pointer: expect.any(String) })
    const cyclic: any = { type: 'object' }
    cyclic.properties = { self: cyclic }
    expect(native.compileSchema(cyclic).error.message).toMatch(/cycle/)
  })

  test('bad limits throw naming the argument', () => {
    expect(() => native.compileSchema({}, { maxBytes: NaN })).toThrow(/limits\.maxBytes/)
    expect(() => native.compileSchema({}, { maxDepth: 0 })).toThrow(/limits\.maxDepth/)
    expect(() => native.checkLimits({}, -1, 5)).toThrow(/maxBytes/)
    expect(() => native.checkLimits({}, -1, 5)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => native.compileSchema({}, { maxDepth: NaN })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })

  test('the result type narrows on `ok` (checked by tsc through ts-jest)', () => {
    const compileSchema: typeof Binding.compileSchema = native.compileSchema
    const results = [compileSchema({ type: 'string' }), compileSchema({ type: 'strin' })]
    const seen = results.map((r) => {
      if (r.ok) {
        const validator: Binding.BindingValidator = r.validator
        return validator.validate('x')
      }
      const error: Binding.BindingSchemaError = r.error
      return error.message.length > 0
    })
    expect(seen).toEqual([null, true])
  })

  test('a valid schema is { ok: true, validator }', () => {
    const r = native.compileSchema({ type: 'object' })
    expect(r.ok).toBe(true)
    expect(r.validator.validate({})).toBeNull()
  })
})

describe('limits', () => {
  test('maxBytes and maxDepth trip before validation', () => {
    const v = compile({ type: 'object' }, { maxBytes: 100, maxDepth: 3 })
    expect(v.validate({ a: 'x'.repeat(200) })).toEqual([expect.objectContaining({ keyword: 'maxBytes', pointer: '/a' })])
    expect(v.validate({ a: { b: { c: { d: 1 } } } })).toEqual([expect.objectContaining({ keyword: 'maxDepth', pointer: '/a/b/c' })])
    expect(v.validate({ a: { b: { c: 1 } } })).toBeNull()
    expect(native.checkLimits([1, 2, 3], 7, 5)).toBeNull()
    expect(native.checkLimits([1, 2, 3], 6, 5)).toEqual(expect.objectContaining({ keyword: 'maxBytes' }))
  })

  test('a 50 MB string against maxBytes is rejected without reading it', () => {
    const huge = 'x'.repeat(50 * 1024 * 1024)
    const v = compile({ properties: { s: { type: 'string' } } }, { maxBytes: 1024 * 1024 })
    const maxLength = compile({ maxLength: 10 })
    // Not reading it: far quicker than one read of it (its UTF-8 length), in the quickest of a few
    // tries (a loaded machine may preempt any one; a read would make every try slow).
    const quickest = (fn: () => unknown, tries: number) => {
      let best = Infinity
      for (let i = 0; i < tries; i++) {
        const t = performance.now()
        fn()
        best = Math.min(best, performance.now() - t)
      }
      return best
    }
    const read = quickest(() => Buffer.byteLength(huge), 3)
    expect(quickest(() => v.validate({ s: huge }), 20)).toBeLessThan(read / 10)
    expect(quickest(() => native.checkLimits({ s: huge }, 1024 * 1024, 10), 20)).toBeLessThan(read / 10)
    expect(v.validate({ s: huge })).toEqual([expect.objectContaining({ keyword: 'maxBytes', pointer: '/s' })])
    expect(native.checkLimits({ s: huge }, 1024 * 1024, 10).keyword).toBe('maxBytes')
    // maxLength alone also decides from the UTF-16 length without copying.
    expect(maxLength.validate(huge)).toEqual([expect.objectContaining({ keyword: 'maxLength' })])
    expect(quickest(() => maxLength.validate(huge), 20)).toBeLessThan(read / 10)
  })
})

describe('hostile input', () => {
  const v = compile({ type: 'object' }, { maxBytes: 1e6, maxDepth: 32 })

  test.each([
    ['function', { a: { f: () => 1 } }, '/a/f', 'unsupported'],
    ['symbol', { s: Symbol('x') }, '/s', 'unsupported'],
    ['BigInt', { n: [1n] }, '/n/0', 'unsupported'],
    ['NaN', { n: NaN }, '/n', 'unsupported'],
    ['Infinity', { n: [-Infinity] }, '/n/0', 'unsupported'],
    ['undefined in an array', { a: [1, undefined] }, '/a/1', 'unsupported'],
    // eslint-disable-next-line no-sparse-arrays
    ['sparse array hole', { a: [1, , 3] }, '/a/1', 'unsupported'],
  ])('%s gives an issue with its path', (_name, value, pointer, keyword) => {
    expect(v.validate(value)).toEqual([expect.objectContaining({ pointer, keyword })])
  })

  describe('objects JSON cannot hold', () => {
    class Point { x = 1; y = 2 }
    const kinds: [string, () => unknown][] = [
      ['a Map', () => new Map([[1, 2]])],
      ['a Set', () => new Set([1])],
      ['a WeakMap', () => new WeakMap()],
      ['a Date', () => new Date(0)],
      ['a RegExp', () => /x/g],
      ['a Uint8Array', () => new Uint8Array(2)],
      ['a Float64Array', () => new Float64Array(2)],
      ['an ArrayBuffer', () => new ArrayBuffer(8)],
      ['a DataView', () => new DataView(new ArrayBuffer(8))],
      ['a Promise', () => Promise.resolve(1)],
      ['an Error', () => new Error('x')],
      ['a Number object', () => new Number(1)],
      ['a String object', () => new String('s')],
      ['a Boolean object', () => new Boolean(false)],
      ['a class instance', () => new Point()],
      ['a class instance', () => Object.create({ inherited: 1 })],
    ]
    const limited = compile({ type: 'object' }, { maxBytes: 1e6, maxDepth: 32 })
    const typed = compile({ properties: { a: { properties: { b: { type: 'object' } } } } })
    const open = compile({ properties: { a: {} } })

    test.each(kinds)('%s is refused by the limits walk, the plan walk and checkLimits', (what, make) => {
      const message = `${what} cannot be validated as JSON`
      expect(limited.validate({ a: { b: make() } })).toEqual([{ pointer: '/a/b', keyword: 'unsupported', message }])
      expect(limited.validate(make())).toEqual([{ pointer: '', keyword: 'unsupported', message }])
      expect(typed.validate({ a: { b: make() } })).toEqual([{ pointer: '/a/b', keyword: 'unsupported', message }])
      expect(open.validate({ a: make() })).toEqual([{ pointer: '/a', keyword: 'unsupported', message }])
      expect(native.checkLimits([make()], 1e6, 8)).toEqual({ pointer: '/0', keyword: 'unsupported', message })
      expect(limited.validateConverted({ a: [make()] })).toEqual([expect.objectContaining({ pointer: '/a/0', keyword: 'unsupported' })])
      // Through the registry's usual options (limits + a schema that reads the member).
      expect(compile({ properties: { a: { type: 'object' } } }, { maxBytes: 1e6, maxDepth: 32 }).validate({ a: make() })).toEqual([
        { pointer: '/a', keyword: 'unsupported', message },
      ])
    })

    test('null-prototype objects and objects from other realms are plain', () => {
      const vm = require('vm')
      const foreign = vm.runInNewContext('({ id: 1, type: "t", text: "x", ts: 2, nested: { a: [1, { b: 2 }] } })')
      expect(Object.getPrototypeOf(foreign)).not.toBe(Object.getPrototypeOf(JSON.parse('{}')))
      expect(compile(REF).validate(foreign)).toBeNull()
      expect(compile(REF, { maxBytes: 1e6, maxDepth: 8 }).validate(foreign)).toBeNull()
      expect(native.checkLimits(foreign, 1e6, 8)).toBeNull()
      const bare = Object.assign(Object.create(null), { id: 1, type: 't', text: 'x', ts: 2 })
      expect(compile(REF, { maxBytes: 1e6, maxDepth: 8 }).validate(bare)).toBeNull()
      // ...but another realm's Map or class instance is not.
      const foreignMap = vm.runInNewContext('new Map([[1, 2]])')
      expect(limited.validate({ m: foreignMap })).toEqual([expect.objectContaining({ pointer: '/m', keyword: 'unsupported', message: 'a Map cannot be validated as JSON' })])
      const foreignClass = vm.runInNewContext('new (class Foo { constructor() { this.a = 1 } })()')
      expect(limited.validate({ c: foreignClass })?.[0]).toMatchObject({ keyword: 'unsupported', message: 'a class instance cannot be validated as JSON' })
      // A null-prototype object posing as a prototype is not taken for Object.prototype.
      const fake = Object.create(null)
      fake.constructor = Object
      expect(limited.validate({ f: Object.create(fake) })?.[0]).toMatchObject({ pointer: '/f', keyword: 'unsupported' })
    })

    test('a Proxy is judged by its target-less prototype: its getPrototypeOf trap is never run', () => {
      // Node-API reads a Proxy's prototype without the trap (as null): a Proxy is walked
      // through its get/ownKeys traps like a plain object, and a throwing trap is harmless.
      let ran = false
      const trap = new Proxy({ id: 1, type: 't', text: 'x', ts: 1 }, { getPrototypeOf() { ran = true; throw new TypeError('no proto') } })
      expect(limited.validate({ p: trap })).toBeNull()
      expect(compile(REF).validate(trap)).toBeNull()
      expect(ran).toBe(false)
      expect(compile(REF).validate({ id: 1, type: 't', text: 'x', ts: 1 })).toBeNull()
    })
  })

  test('undefined members are absent, as in JSON', () => {
    expect(v.validate({ a: undefined })).toBeNull()
    expect(at(compile({ required: ['a'] }).validate({ a: undefined }))).toEqual(['/a required'])
  })

  test('cycles are found by the limits walk and by a recursive schema', () => {
    const a: any = { v: 1 }
    a.next = { v: 2, next: a }
    expect(v.validate(a)).toEqual([expect.objectContaining({ keyword: 'cycle', pointer: '/next/next' })])
    const list = compile({ $defs: { n: { type: 'object', properties: { next: { $ref: '#/$defs/n' } } } }, $ref: '#/$defs/n' })
    expect(list.validate(a)).toEqual([expect.objectContaining({ keyword: 'cycle', pointer: '/next/next' })])
    const arr: any[] = []
    arr.push(arr)
    expect(native.checkLimits(arr, 1e6, 10)).toEqual(expect.objectContaining({ keyword: 'cycle', pointer: '/0' }))
  })

  test('a getter that throws is cleared and reported', () => {
    const value = { get text(): string { throw new Error('boom') } }
    const issues = compile(REF).validate(value)
    expect(issues).toContainEqual(expect.objectContaining({ pointer: '/text', keyword: 'exception', message: expect.stringMatching(/boom/) }))
    expect(v.validate(value)).toEqual([expect.objectContaining({ keyword: 'exception', pointer: '/text' })])
    // No exception is left pending: the next call works.
    expect(compile(REF).validate({ id: 1, type: 't', text: 'x', ts: 1 })).toBeNull()
  })

  test('a Proxy is read through its traps, and throwing traps are reported', () => {
    const proxied = new Proxy({ id: 1, type: 't', text: 'x', ts: 1 }, {})
    expect(compile(REF).validate(proxied)).toBeNull()
    const hostile = new Proxy({}, { get() { throw new TypeError('trap') }, ownKeys() { throw new TypeError('keys') } })
    expect(compile(REF).validate(hostile)?.some((i: Issue) => i.keyword === 'exception')).toBe(true)
    expect(v.validate(hostile)).toEqual([expect.objectContaining({ keyword: 'exception', message: expect.stringMatching(/keys/) })])
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    expect(compile(REF).validate(proxy)?.[0].keyword).toBe('exception')
  })

  test('__proto__ is read only as an own data property and nothing is polluted', () => {
    // A literal `__proto__:` would set the prototype: the schema comes from JSON text.
    const pv = compile(JSON.parse('{"properties": {"__proto__": {"type": "object", "properties": {"polluted": {"type": "boolean"}}}}, "required": ["__proto__"]}'))
    expect(at(pv.validate({}))).toEqual(['/__proto__ required'])
    const own = JSON.parse('{"__proto__": {"polluted": "yes"}}')
    expect(at(pv.validate(own))).toEqual(['/__proto__/polluted type'])
    expect(pv.validate(JSON.parse('{"__proto__": {"polluted": true}}'))).toBeNull()
    expect(({} as any).polluted).toBeUndefined()
    expect(at(compile({ required: ['constructor', 'toString'] }).validate({}))).toEqual(['/constructor required', '/toString required'])
  })

  test('deep nesting does not overflow the stack', () => {
    let deep: any = 1
    for (let i = 0; i < 100000; i++) deep = [deep]
    expect(compile(true, { maxDepth: 64 }).validate(deep)?.[0].keyword).toBe('maxDepth')
    expect(compile({ pattern: 'a' }).validateConverted(deep)?.[0].keyword).toBe('maxDepth')
  })
})

describe('maxDepth: Infinity is no cap (regression: it was silently 1000)', () => {
  function deepObject(depth: number) {
    let v: any = {}
    for (let i = 0; i < depth; i++) v = { a: v }
    return v
  }
  const UNCAPPED = 0x7fffffff

  test.each([5_000, 100_000])('%p levels pass with and without a schema, without overflowing the stack', (depth) => {
    const deep = deepObject(depth)
    for (const maxDepth of [Infinity, UNCAPPED]) {
      expect(native.checkLimits(deep, 1e9, maxDepth)).toBeNull()
      expect(native.checkLimits(deep, Infinity, maxDepth)).toBeNull()
      expect(compile({ type: 'object' }, { maxBytes: 1e9, maxDepth }).validate(deep)).toBeNull()
      expect(compile({ type: 'object' }, { maxDepth }).validate(deep)).toBeNull()
      expect(compile({ type: 'object' }, { maxBytes: Infinity, maxDepth }).validate(deep)).toBeNull()
    }
    expect(compile({ type: 'object' }).validate(deep)).toBeNull()
  })

  test('a finite cap gives the same issue with and without a schema', () => {
    const deep = deepObject(5_000)
    const limits = native.checkLimits(deep, 1e9, 64)
    expect(limits).toMatchObject({ keyword: 'maxDepth' })
    expect(compile({ type: 'object' }, { maxBytes: 1e9, maxDepth: 64 }).validate(deep)).toEqual([limits])
  })

  test('a cycle is still found when there is no cap, however deep it closes', () => {
    const top: any = deepObject(300)
    let inner = top
    while (Object.keys(inner.a).length) inner = inner.a
    inner.a = top
    expect(native.checkLimits(top, Infinity, Infinity)).toMatchObject({ keyword: 'cycle' })
    expect(native.checkLimits([top], Infinity, Infinity)).toMatchObject({ keyword: 'cycle' })
  })

  test('a recursive schema stops at the validator\'s ceiling with a clear issue', () => {
    const list = compile({ $defs: { n: { type: 'object', properties: { a: { $ref: '#/$defs/n' } } } }, $ref: '#/$defs/n' }, { maxDepth: Infinity })
    expect(list.validate(deepObject(100))).toBeNull()
    const issues = list.validate(deepObject(5_000))
    expect(issues).toEqual([expect.objectContaining({ keyword: 'maxDepth', message: expect.stringMatching(/ipcflow's validator cannot walk deeper than \d+ levels/) })])
    // The converting path copies the value first, and stops there too.
    const converted = list.validateConverted(deepObject(5_000))
    expect(converted).toEqual([expect.objectContaining({ keyword: 'maxDepth', message: expect.stringMatching(/cannot walk deeper/) })])
  })
})

describe('every draft 2020-12 keyword natively, with ECMA-262 patterns (ajv as the reference)', () => {
  const Ajv2020 = require('ajv/dist/2020')
  const ajv = new Ajv2020({ allErrors: true, strict: false })
  const cases: [string, object, unknown[]][] = [
    ['pattern', { properties: { s: { type: 'string', pattern: '^a+$' } } }, [{ s: 'aaa' }, { s: 'ab' }, { s: 1 }]],
    ['pattern: \\s, ., \\u escapes', { pattern: '^\\s\\u0041.$' }, ['\u00a0Ax', ' A\r', 'xAx', '\u2003A😀']],
    ['patternProperties', { patternProperties: { '^x-': { type: 'number' } }, additionalProperties: false }, [{ 'x-a': 1 }, { 'x-a': 'b' }, { y: 1 }, {}]],
    ['propertyNames', { propertyNames: { pattern: '^[a-z]+$', maxLength: 3 } }, [{ ab: 1 }, { Ab: 1 }, { abcd: 1 }, []]],
    ['contains', { contains: { type: 'integer' }, minContains: 2, maxContains: 3 }, [[1, 2], [1, 'a'], [1, 2, 3, 4], []]],
    ['dependentRequired', { dependentRequired: { a: ['b'] } }, [{ a: 1, b: 2 }, { a: 1 }, {}]],
    ['dependentSchemas', { dependentSchemas: { a: { required: ['c'] } } }, [{ a: 1, c: 2 }, { a: 1 }, { b: 1 }]],
    ['if/then/else', { if: { type: 'string' }, then: { minLength: 2 }, else: { type: 'number' } }, ['ab', 'a', 3, null]],
    ['multipleOf 0.5', { multipleOf: 0.5 }, [1.5, 1.25, 3]],
    ['zod email, uuid, ipv4 patterns', {}, []],
  ]
  test.each(cases.slice(0, -1))('%s agrees with ajv on every value', (_name, schema, values) => {
    const v = compile(schema)
    const check = ajv.compile(schema)
    for (const x of values) expect([x, v.validate(x) === null]).toEqual([x, check(x)])
    expect(values.map((x) => v.validate(x) === null)).toEqual(expect.arrayContaining([true, false]))
    for (const x of values) expect(v.validateConverted(x) === null).toBe(v.validate(x) === null)
  })

  test('zod\'s format patterns (email, uuid, ipv4, datetime) run natively and agree with zod', () => {
    const { z } = require('zod')
    const Contact = z.object({ email: z.email(), id: z.uuid(), ip: z.ipv4(), at: z.iso.datetime() })
    const v = compile(z.toJSONSchema(Contact))
    const good = { email: 'ada@example.com', id: '123e4567-e89b-42d3-a456-426614174000', ip: '10.0.0.1', at: '2026-11-29T10:00:00Z' }
    const samples = [good, { ...good, email: 'ada@' }, { ...good, id: 'x' }, { ...good, ip: '10.0.0.256' }, { ...good, at: '2026-02-30T10:00:00Z' }]
    for (const x of samples) expect([x, v.validate(x) === null]).toEqual([x, Contact.safeParse(x).success])
  })

  test('issues carry pointers', () => {
    const v = compile({ properties: { s: { pattern: '^a' } }, required: ['t'] })
    expect(at(v.validate({ s: 'b' }))).toEqual(['/s pattern', '/t required'])
    expect(v.validate({ s: 'b' })?.[0].message).toBe('must match pattern "^a"')
  })

  test('a pattern this engine cannot run fails compilation, naming the feature and the place', () => {
    const r = native.compileSchema({ properties: { s: { pattern: 'a(?=b)' } } })
    expect(r.ok).toBe(false)
    expect(r.error).toEqual({ pointer: '/properties/s/pattern', message: expect.stringMatching(/lookaround.*does not support/) })
    expect(native.compileSchema({ unevaluatedProperties: false }).error.message).toMatch(/not supported/)
  })
})

export {}
