// Read-ahead validation (lib/registry/read-ahead.js): JS reads the root
// object's named members (or an array's leading items) and passes them to the
// native check in one call. It must give exactly the issues the native walk
// gives, on every value, and take the walk for whatever it cannot read ahead.
import * as vm from 'vm'
const native = require('../binding.js')
const { withReadAhead } = require('../lib/registry/read-ahead')
const { compileSchema } = require('../lib/registry/native')

type Issue = { pointer: string; keyword: string; message: string }
type Validator = { validate(v: unknown): Issue[] | null; readAhead?: { kind: string; keys: (string | number)[]; allKeys: boolean; check: Function; keysCode: Function } }

function raw(schema: object, limits?: object): Validator {
  const result = native.compileSchema(schema, limits)
  if (!result.ok) throw new Error(result.error.message)
  return result.validator
}

/** A front over `walk` whose check is counted (the binding's own fields are read-only). */
function counted(walk: Validator) {
  const plan = walk.readAhead!
  const check = jest.fn(plan.check as (...a: unknown[]) => Issue[] | null)
  const front: Validator = withReadAhead({ validate: walk.validate, readAhead: { ...plan, check } })
  return { front, check }
}

const REF = {
  type: 'object',
  properties: { id: { type: 'number' }, type: { type: 'string' }, text: { type: 'string', maxLength: 500 }, ts: { type: 'number' } },
  required: ['id', 'type', 'text', 'ts'],
}
const SCHEMAS: [string, object][] = [
  ['reference', REF],
  ['additionalProperties false', { ...REF, additionalProperties: false }],
  ['nested members', {
    type: 'object',
    properties: {
      user: { type: 'object', properties: { name: { type: 'string', pattern: '^[a-z]+$' } }, required: ['name'], additionalProperties: false },
      tags: { type: 'array', items: { enum: ['a', 'b'] }, uniqueItems: true },
      n: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] },
    },
    required: ['user'],
  }],
  ['recursive member', {
    $defs: { node: { type: 'object', properties: { next: { $ref: '#/$defs/node' }, v: { type: 'number' } } } },
    type: 'object',
    properties: { head: { $ref: '#/$defs/node' } },
  }],
  ['seven names', { properties: Object.fromEntries('abcdefg'.split('').map((k) => [k, { type: 'number' }])), additionalProperties: false }],
  ['an argument list', {
    type: 'array',
    prefixItems: [{ type: 'string', maxLength: 5 }, REF, { type: 'integer' }],
    items: false,
    minItems: 2,
  }],
  ['an argument list with more items', { prefixItems: [{ type: 'number' }, { type: 'number' }], items: { type: 'string' }, maxItems: 4 }],
]

function cyclic() {
  const head: Record<string, unknown> = { v: 1 }
  head.next = { v: 2, next: head }
  return { head }
}

const throwing = () => ({ get id(): number { throw new Error('boom') }, type: 't', text: '', ts: 1 })
const VALUES: [string, () => unknown][] = [
  ['valid reference', () => ({ id: 1, type: 'token', text: 'hello world', ts: 1700000000000 })],
  ['wrong types', () => ({ id: 'x', type: 3, text: null, ts: true })],
  ['missing members', () => ({ ts: 1 })],
  ['undefined members', () => ({ id: undefined, type: 't', text: 'a', ts: 1 })],
  ['NaN and Infinity', () => ({ id: NaN, type: 't', text: 'a', ts: Infinity })],
  ['too long text (code points)', () => ({ id: 1, type: 't', text: '😀'.repeat(501), ts: 1 })],
  ['an extra key', () => ({ id: 1, type: 't', text: 'a', ts: 1, extra: 2 })],
  ['an extra undefined key', () => ({ id: 1, type: 't', text: 'a', ts: 1, extra: undefined })],
  ['an extra function', () => ({ id: 1, type: 't', text: 'a', ts: 1, f: () => 1 })],
  ['fourteen keys', () => Object.fromEntries('abcdefghijklmn'.split('').map((k, i) => [k, i]))],
  ['seven numbers', () => Object.fromEntries('abcdefg'.split('').map((k, i) => [k, i]))],
  ['seven with a string', () => ({ ...Object.fromEntries('abcdefg'.split('').map((k, i) => [k, i])), d: 'x' })],
  ['nested valid', () => ({ user: { name: 'ada' }, tags: ['a', 'b'], n: null })],
  ['nested invalid', () => ({ user: { name: 'Ada', x: 1 }, tags: ['a', 'a', 'c'], n: -1.5 })],
  ['a cycle through a member', cyclic],
  ['a getter that throws', throwing],
  ['a null-prototype object', () => Object.assign(Object.create(null), { id: 1, type: 't', text: 'a', ts: 1 })],
  ['another realm\'s object', () => vm.runInNewContext('({ id: 1, type: 3, text: "a", ts: 1 })')],
  ['a class instance', () => new (class P { id = 1 })()],
  ['a Map', () => new Map([['id', 1]])],
  ['an array', () => [1, 2]],
  ['null', () => null],
  ['a string', () => 'text'],
  ['undefined', () => undefined],
  ['a Proxy with a throwing trap', () => new Proxy({ id: 1 }, { get() { throw new Error('trap') } })],
  ['a Proxy over a plain object', () => new Proxy({ id: 1, type: 't', text: 'a', ts: 1 }, {})],
  ['a symbol key', () => ({ id: 1, type: 't', text: 'a', ts: 1, [Symbol('s')]: 1 })],
  ['valid arguments', () => ['abc', { id: 1, type: 't', text: 'a', ts: 1 }, 3]],
  ['short arguments', () => ['abc']],
  ['two numbers', () => [1, 2]],
  ['numbers and strings', () => [1, 2, 'x', 'y']],
  ['too many arguments', () => ['abc', { id: 1, type: 't', text: 'a', ts: 1 }, 3, 4, 5]],
  ['wrong arguments', () => ['too long', { id: 'x' }, 1.5]],
  ['undefined in the list', () => ['abc', undefined, 3]],
  ['a sparse list', () => { const a: unknown[] = ['abc']; a[2] = 3; return a }],
  ['a list with a throwing index getter', () => { const a: unknown[] = ['abc', {}, 3]; Object.defineProperty(a, 1, { get() { throw new Error('index') } }); return a }],
  ['a Proxy over a list', () => new Proxy(['abc', { id: 1, type: 't', text: 'a', ts: 1 }, 3], {})],
  ['another realm\'s list', () => vm.runInNewContext('["abc", { id: 1, type: "t", text: "a", ts: 1 }, 3]')],
  ['a typed array', () => new Uint8Array([1, 2])],
]

// The registry's default caps, and caps small enough for these values to trip them.
const LIMITS: [string, object | undefined][] = [
  ['no caps', undefined],
  ['default caps', { maxBytes: 1024 * 1024, maxDepth: 64 }],
  ['tight caps', { maxBytes: 40, maxDepth: 2 }],
]
const CASES = SCHEMAS.flatMap(([name, schema]) => LIMITS.map(([caps, limits]) => [`${name}, ${caps}`, schema, limits] as const))

describe.each(CASES)('%s: the same issues as the native walk', (_name, schema, limits) => {
  const walk = raw(schema, limits)
  const { front } = counted(walk)

  test('the binding offers read-ahead for this schema', () => {
    expect(walk.readAhead?.keys.length).toBeGreaterThan(0)
  })

  test.each(VALUES)('%s', (_label, make) => {
    expect(front.validate(make())).toEqual(walk.validate(make()))
  })
})

describe('which path a value takes', () => {
  test('a plain object crosses once with its members; anything else takes the walk', () => {
    const { front, check } = counted(raw(REF))
    front.validate({ id: 1, type: 't', text: 'a', ts: 1 })
    expect(check).toHaveBeenCalledTimes(1)
    const [object, code, ...members] = check.mock.calls[0]
    expect(code).toBe(-1) // no key list needed without additionalProperties: false
    expect(members).toEqual([1, 'a', 1, 't']) // the plan's name order: id, text, ts, type
    expect(object).toEqual({ id: 1, type: 't', text: 'a', ts: 1 })
    check.mockClear()
    for (const value of [null, [1], new Map(), 'x', vm.runInNewContext('({})'), throwing()]) front.validate(value)
    expect(check).not.toHaveBeenCalled()
  })

  test.each([
    ['additionalProperties false', { ...REF, additionalProperties: false }, undefined],
    ['caps', REF, { maxBytes: 1024 }],
  ])('with %s the keys cross as one code', (_name, schema, limits) => {
    const { front, check } = counted(raw(schema, limits))
    front.validate({ ts: 1, id: 1 })
    expect(check.mock.calls[0][1]).toBe(3 + 1 * 16) // ts (index 2, +1), then id (index 0, +1)
    front.validate({ id: 1, other: 2 })
    expect(check.mock.calls[1][1]).toBe(-1)
  })

  test('an argument list crosses once with its leading items', () => {
    const { front, check } = counted(raw({ type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] }))
    const list = ['a', 1, 'extra']
    front.validate(list)
    expect(check).toHaveBeenCalledTimes(1)
    expect(check.mock.calls[0]).toEqual([list, -1, 'a', 1])
    check.mockClear()
    for (const value of [{ 0: 'a', length: 1 }, 'ab', null, new Proxy({}, {})]) front.validate(value)
    expect(check).not.toHaveBeenCalled()
  })

  test('the check called with too few arguments or a non-object answers as the walk does', () => {
    const walk = raw(REF)
    const check = walk.readAhead!.check
    expect(check()).toEqual(walk.validate(undefined))
    expect(check(5, -1, 1, 'a', 1, 't')).toEqual(walk.validate(5))
    expect(check({ id: 'x' })).toEqual(walk.validate({ id: 'x' }))
    expect(check({ id: 'x' }, -1)).toEqual(walk.validate({ id: 'x' }))
  })

  test('schemas that read more than names have no read-ahead', () => {
    expect(raw({ ...REF, minProperties: 1 }).readAhead).toBeUndefined()
    expect(raw({ type: 'array' }).readAhead).toBeUndefined()
  })

  test('the registry\'s door puts the read-ahead front in place', () => {
    const compiled = compileSchema(REF)
    expect(compiled.ok).toBe(true)
    const walk = raw(REF)
    expect(compiled.validator.validate).not.toBe(walk.validate)
    expect(compiled.validator.validate({ id: 'x' })).toEqual(walk.validate({ id: 'x' }))
  })
})
