// The accept-first pre-check (lib/registry/accept.js): JS code generated from
// the native plan may only accept. Whatever it accepts the native walk must
// find valid (checked on thousands of random schemas and values), it must
// accept the valid payloads it covers without crossing, and every rejection
// keeps the walk's issues.
import { execFileSync } from 'child_process'
import * as path from 'path'
import * as vm from 'vm'
const native = require('../binding.js')
const { withAccept, compileAccept, codePoints } = require('../lib/registry/accept')
const { compileSchema } = require('../lib/registry/native')

type Issue = { pointer: string; keyword: string; message: string }
type Validator = { validate(v: unknown): Issue[] | null; acceptPlan?: string; acceptPattern?: (i: number, text: string) => boolean }

function raw(schema: unknown, limits?: object): Validator {
  const result = native.compileSchema(schema, limits)
  if (!result.ok) throw new Error(result.error.message)
  return result.validator
}

function acceptOf(schema: unknown): (v: unknown) => boolean {
  const validator = raw(schema)
  if (validator.acceptPlan === undefined) throw new Error('no accept plan')
  const compiled = compileAccept(validator, () => null)
  if (compiled === undefined) throw new Error('no accept function')
  return compiled.accept
}

// A seeded generator: the same schemas and values on every run.
function random(seed: number) {
  let s = seed >>> 0
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(items: T[]): T => items[int(items.length)]
  return { next, int, pick }
}

const TYPES = ['null', 'boolean', 'number', 'integer', 'string', 'array', 'object']
const KEYS = ['a', 'b', 'c', 'constructor']
const STRINGS = ['', 'a', 'ab', 'abc', 'abcdef', '😀', '😀😀', 'a😀', '\ud800', '\ud800\ud800', 'x\udc00y', 'é'.repeat(5), 'ba', 'a b', 'a\u2028', '\u00a0']
const NUMBERS = [0, -0, 1, 2, 3, -1, 1.5, 2.0000001, 1e21, -1e300, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity]

function makeSchema(r: ReturnType<typeof random>, depth: number): unknown {
  const leaf = depth >= 3
  switch (r.int(leaf ? 7 : 14)) {
    case 0: return r.next() < 0.5 ? { type: r.pick(TYPES) } : { type: [r.pick(TYPES), r.pick(TYPES)] }
    case 1: return { ...(r.next() < 0.7 ? { type: 'string' } : {}), minLength: r.int(4), ...(r.next() < 0.5 ? { maxLength: r.int(5) } : {}) }
    case 2: return { type: r.pick(['number', 'integer']), [r.pick(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'])]: r.pick([0, 1, 2, -1, 1.5]) }
    case 3: return { enum: [r.pick(STRINGS), r.pick(NUMBERS.filter(Number.isFinite)), r.pick([true, false, null])] }
    case 4: return { const: r.pick<unknown>([r.pick(STRINGS), 1, 0, null, true]) }
    case 5: return r.pick<unknown>([{}, true, { multipleOf: 2 }, { pattern: '^a' }, { pattern: 'b+$' }, { type: 'string', pattern: '^.{2}$' }, { pattern: '\\s' }, { pattern: '^[^\\uFFFD]{1,3}$' }, { pattern: '^\\S*$' }, { minimum: 1 }, { maxItems: 1 }, { minProperties: 1 }, false])
    case 6: return { uniqueItems: true }
    case 7:
    case 8: {
      const properties: Record<string, unknown> = {}
      for (const key of KEYS) if (r.next() < 0.5) properties[key] = makeSchema(r, depth + 1)
      const schema: Record<string, unknown> = { properties, required: KEYS.filter(() => r.next() < 0.3) }
      if (r.next() < 0.7) schema.type = 'object'
      const additional = r.int(4)
      if (additional === 1) schema.additionalProperties = false
      if (additional === 2) schema.additionalProperties = makeSchema(r, depth + 1)
      if (r.next() < 0.2) schema.maxProperties = r.int(3)
      if (r.next() < 0.2) schema.minProperties = r.int(3)
      if (r.next() < 0.1) schema.patternProperties = { '^b': { type: 'number' } }
      return schema
    }
    case 9:
    case 10: {
      const schema: Record<string, unknown> = { prefixItems: Array.from({ length: 1 + r.int(2) }, () => makeSchema(r, depth + 1)) }
      if (r.next() < 0.7) schema.type = 'array'
      if (r.next() < 0.6) schema.items = r.next() < 0.2 ? false : makeSchema(r, depth + 1)
      if (r.next() < 0.3) schema.minItems = r.int(3)
      if (r.next() < 0.3) schema.maxItems = r.int(4)
      return schema
    }
    case 11: return { anyOf: [makeSchema(r, depth + 1), makeSchema(r, depth + 1)] }
    case 12: return { allOf: [makeSchema(r, depth + 1), makeSchema(r, depth + 1)] }
    default: return r.pick<unknown>([{ oneOf: [makeSchema(r, depth + 1), makeSchema(r, depth + 1)] }, { not: makeSchema(r, depth + 1) }, { if: { type: 'string' }, then: { minLength: 2 } }])
  }
}

function makeValue(r: ReturnType<typeof random>, depth: number): unknown {
  const leaf = depth >= 3
  switch (r.int(leaf ? 6 : 10)) {
    case 0: return r.pick(STRINGS)
    case 1: return r.pick(NUMBERS)
    case 2: return r.pick([true, false, null])
    case 3: return r.pick<unknown>([undefined, () => 1, Symbol('s'), 10n, new Date(0), new Map()])
    case 4: return r.pick(STRINGS)
    case 5: return r.pick(NUMBERS.filter(Number.isFinite))
    case 6:
    case 7: {
      const o: Record<string, unknown> = r.next() < 0.1 ? Object.create(null) : r.next() < 0.05 ? Object.create({ a: 1 }) : {}
      for (const key of KEYS) if (r.next() < 0.5) o[key] = r.next() < 0.1 ? undefined : makeValue(r, depth + 1)
      if (r.next() < 0.2) o.z = makeValue(r, depth + 1)
      return o
    }
    default: {
      const a = Array.from({ length: r.int(4) }, () => makeValue(r, depth + 1))
      if (a.length > 1 && r.next() < 0.1) delete a[0] // a hole
      return a
    }
  }
}

describe('the accept-first pre-check never accepts what the native walk rejects', () => {
  test('random schemas and values (seeded): accepted implies valid, and most valid values are accepted', () => {
    const r = random(20261130)
    let pairs = 0
    let accepted = 0
    let validCovered = 0
    let acceptedCovered = 0
    for (let i = 0; i < 400; i++) {
      const schema = makeSchema(r, 0)
      const walk = raw(schema)
      const { accept } = compileAccept(walk, walk.validate)
      expect(typeof accept).toBe('function')
      const covered = !walk.acceptPlan!.includes('"defer"')
      for (let j = 0; j < 40; j++) {
        const value = makeValue(r, 0)
        const issues = walk.validate(value)
        const yes = accept(value)
        pairs++
        if (yes) {
          accepted++
          if (issues !== null) throw new Error(`accepted what the walk rejects: ${JSON.stringify(schema)} on ${String(JSON.stringify(value))}: ${JSON.stringify(issues)}`)
        }
        if (covered && issues === null) {
          validCovered++
          if (yes) acceptedCovered++
        }
      }
    }
    expect(pairs).toBe(16000)
    expect(accepted).toBeGreaterThan(1000)
    // Valid values of fully covered schemas are refused only for what JS leaves to the walk
    // (values JSON cannot hold under empty schemas, non-plain objects, long strings near a bound).
    expect(acceptedCovered / validCovered).toBeGreaterThan(0.9)
  })

  test('anyOf: a value the walk refuses in one branch is reported even when another branch accepts, so it goes to the walk', () => {
    for (const [schema, value] of [
      [{ anyOf: [{ properties: { a: { type: 'number' } } }, {}] }, { a: NaN }],
      [{ anyOf: [{ properties: { a: { type: 'number' } } }, {}] }, { a: () => 1 }],
      [{ anyOf: [{ items: { type: 'number' } }, {}] }, [1, , 2]],
      [{ anyOf: [{ properties: { a: { type: 'object' } } }, true] }, { a: new Map() }],
      // allOf comes before type in the plan (keyword order): the walk reaches the NaN before the type fails.
      [{ anyOf: [{ allOf: [{ properties: { a: { type: 'number' } } }], type: 'string' }, {}] }, { a: NaN }],
    ] as [object, unknown][]) {
      expect(raw(schema).validate(value)).not.toBeNull()
      expect(acceptOf(schema)(value)).toBe(false)
    }
    // A branch that fails by its keywords alone leaves the other branch to decide.
    expect(acceptOf({ anyOf: [{ properties: { a: { type: 'string' } } }, {}] })({ a: 1 })).toBe(true)
  })

  test('random anyOf schemas whose other branch accepts anything (seeded): accepted implies valid', () => {
    const r = random(7)
    let accepted = 0
    for (let i = 0; i < 300; i++) {
      const schema = { anyOf: [makeSchema(r, 1), r.next() < 0.5 ? {} : makeSchema(r, 2)] }
      const walk = raw(schema)
      const { accept } = compileAccept(walk, walk.validate)
      for (let j = 0; j < 30; j++) {
        const value = makeValue(r, 0)
        if (!accept(value)) continue
        accepted++
        if (walk.validate(value) !== null) throw new Error(`accepted what the walk rejects: ${JSON.stringify(schema)} on ${String(JSON.stringify(value))}`)
      }
    }
    expect(accepted).toBeGreaterThan(1000)
  })

  test('recursive schemas: cycles and deep data go to the walk', () => {
    const schema = { $defs: { node: { type: 'object', properties: { next: { $ref: '#/$defs/node' }, v: { type: 'number' } } } }, $ref: '#/$defs/node' }
    const walk = raw(schema)
    const accept = acceptOf(schema)
    expect(accept({ v: 1, next: { v: 2, next: { v: 3 } } })).toBe(true)
    const cyclic: Record<string, unknown> = { v: 1 }
    cyclic.next = { v: 2, next: cyclic }
    expect(accept(cyclic)).toBe(false)
    expect(walk.validate(cyclic)?.[0].keyword).toBe('cycle')
    let deep: Record<string, unknown> = { v: 0 }
    for (let i = 0; i < 100; i++) deep = { v: i, next: deep }
    expect(accept(deep)).toBe(false)
    expect(walk.validate(deep)).toBeNull()
    // A value met again below itself is a cycle to the walk even where the schema stops recursing.
    const shallow = { $defs: { o: { type: 'object', properties: { a: { type: 'object' } } } }, $ref: '#/$defs/o' }
    const loop: Record<string, unknown> = {}
    loop.a = loop
    expect(acceptOf(shallow)(loop)).toBe(false)
    expect(raw(shallow).validate(loop)?.[0].keyword).toBe('cycle')
  })
})

describe('what the pre-check decides', () => {
  const REF = {
    type: 'object',
    properties: { id: { type: 'number' }, type: { type: 'string' }, text: { type: 'string', maxLength: 500 }, ts: { type: 'number' } },
    required: ['id', 'type', 'text', 'ts'],
  }

  test('a valid reference payload is accepted without the native walk; an invalid one gets the walk issues', () => {
    const base = raw(REF)
    const walk = jest.fn(base.validate)
    const front = withAccept({ validate: walk, acceptPlan: base.acceptPlan, acceptPattern: base.acceptPattern })
    expect(front.validate({ id: 1, type: 'token', text: 'hello world', ts: 1700000000000 })).toBeNull()
    expect(front.validate({ id: 1, type: 'token', text: 'x'.repeat(480), ts: 1 })).toBeNull()
    expect(walk).not.toHaveBeenCalled()
    const bad = { id: 'x', type: 'token', text: 'hi', ts: 1 }
    expect(front.validate(bad)).toEqual(base.validate(bad))
    expect(front.validate(bad)?.[0]).toMatchObject({ pointer: '/id', keyword: 'type' })
    expect(walk).toHaveBeenCalledTimes(2)
  })

  test('string lengths count code points, as the walk does', () => {
    expect(codePoints('a😀b')).toBe(3)
    expect(codePoints('\ud800\ud800')).toBe(2)
    expect(codePoints('\udc00\ud800')).toBe(2)
    const max = acceptOf({ type: 'string', maxLength: 2 })
    expect(max('😀😀')).toBe(true) // four UTF-16 units, two code points
    expect(max('😀😀😀')).toBe(false)
    const min = acceptOf({ type: 'string', minLength: 2 })
    expect(min('😀')).toBe(false)
    expect(min('😀a')).toBe(true)
  })

  test('Object.prototype names count only as own data; inherited members are read as the walk reads them', () => {
    const accept = acceptOf({ type: 'object', properties: { constructor: { type: 'string' } }, required: ['constructor'] })
    expect(accept({ constructor: 'mine' })).toBe(true)
    expect(accept({})).toBe(false)
    expect(raw({ required: ['constructor'] }).validate({})?.[0].keyword).toBe('required')
  })

  test('what JSON cannot hold, objects of other realms or classes, and throwing getters go to the walk', () => {
    const accept = acceptOf(REF)
    const good = { id: 1, type: 't', text: 'a', ts: 1 }
    expect(accept({ ...good, id: NaN })).toBe(false)
    // A Proxy of an array is no array to Node-API: the walk refuses what JS would take for one.
    const list = new Proxy([1, 2], {})
    expect(raw({ type: 'array', items: { type: 'number' } }).validate(list)).not.toBeNull()
    expect(acceptOf({ type: 'array', items: { type: 'number' } })(list)).toBe(false)
    expect(acceptOf({ items: { type: 'number' } })(list)).toBe(false)
    expect(acceptOf({ type: 'object', properties: { a: true } })({ a: list })).toBe(false)
    expect(accept(vm.runInNewContext('({ id: 1, type: "t", text: "a", ts: 1 })'))).toBe(false)
    expect(raw(REF).validate(vm.runInNewContext('({ id: 1, type: "t", text: "a", ts: 1 })'))).toBeNull()
    expect(accept(new (class Payload { id = 1; type = 't'; text = 'a'; ts = 1 })())).toBe(false)
    expect(accept({ ...good, get ts(): number { throw new Error('boom') } })).toBe(false)
    expect(compileSchema(REF).validator.validate({ ...good, get ts(): number { throw new Error('boom') } })?.[0].keyword).toBe('exception')
    expect(acceptOf({})(() => 1)).toBe(false)
    const anything = acceptOf({ type: 'object', properties: { a: true, b: {} } })
    expect(anything({ a: undefined, b: 1 })).toBe(true)
    for (const bad of [NaN, Infinity, () => 1, new Map(), 1n]) {
      expect(anything({ a: bad })).toBe(false)
      expect(anything({ b: bad })).toBe(false)
    }
  })

  test('a pattern of unbounded matches is matched natively, string by string; a bounded one by a JS RegExp', () => {
    const base = raw({ type: 'object', properties: { id: { type: 'string', pattern: '^[0-9a-f]{8}$' }, n: { pattern: '^x+' } } })
    const matcher = jest.fn(base.acceptPattern!)
    const walk = jest.fn(base.validate)
    const front = withAccept({ validate: walk, acceptPlan: base.acceptPlan, acceptPattern: matcher })
    expect(front.validate({ id: 'deadbeef', n: 3 })).toBeNull()
    expect(matcher).not.toHaveBeenCalled()
    expect(front.validate({ id: 'deadbeef', n: 'xx' })).toBeNull()
    expect(matcher).toHaveBeenCalledTimes(1)
    expect(matcher).toHaveBeenLastCalledWith(1, 'xx')
    // A string with a lone surrogate is matched natively, even for a bounded pattern, with the u-flag
    // meaning: '\ud800' is a code point of its own, not U+FFFD (as /^[^\uFFFD]$/u.test('\ud800')).
    const notFffd = acceptOf({ type: 'string', pattern: '^[^\\uFFFD]$' })
    expect(notFffd('a')).toBe(true)
    expect(notFffd('\ud800')).toBe(true)
    expect(notFffd('\ufffd')).toBe(false)
    expect(raw({ type: 'string', pattern: '^[^\\uFFFD]$' }).validate('\ud800')).toBeNull()
    expect(raw({ type: 'string', pattern: '^[^\\uFFFD]$' }).validate('\ufffd')?.[0].keyword).toBe('pattern')
    expect(walk).not.toHaveBeenCalled()
    expect(front.validate({ id: 'DEADBEEF' })?.[0]).toMatchObject({ pointer: '/id', keyword: 'pattern' })
    expect(walk).toHaveBeenCalledTimes(1)
    expect(base.acceptPattern!(0, 'deadbeef')).toBe(true)
    expect(base.acceptPattern!(9, 'deadbeef')).toBe(false)
    expect(base.acceptPattern!(0, 3 as unknown as string)).toBe(false)
  })

  test('capped validators have no plan: they measure the whole value natively', () => {
    expect(raw(REF, { maxBytes: 1024, maxDepth: 8 }).acceptPlan).toBeUndefined()
    expect(typeof raw(REF).acceptPlan).toBe('string')
  })

  test('schema values are written into the code as literals, never as code', () => {
    const name = "a'); throw new Error('injected'); ('"
    const accept = acceptOf({ type: 'object', properties: { [name]: { enum: ["x'); throw 1; ('", 2] } }, required: [name] })
    expect(accept({ [name]: 2 })).toBe(true)
    expect(accept({ [name]: 3 })).toBe(false)
  })

  test('where code cannot be generated from strings, every value takes the native walk', () => {
    const script = `
      const { compileSchema } = require(${JSON.stringify(path.join(__dirname, '../lib/registry/native'))})
      const { validator } = compileSchema({ type: 'object', properties: { n: { type: 'number' } }, required: ['n'] })
      const out = [validator.validate({ n: 1 }), validator.validate({ n: 'x' })[0].keyword]
      process.stdout.write(JSON.stringify(out))`
    const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '-e', script], { encoding: 'utf8' })
    expect(JSON.parse(out)).toEqual([null, 'type'])
  })
})
