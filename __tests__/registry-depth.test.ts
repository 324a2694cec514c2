// maxDepth: Infinity turns the depth cap off, the same way whether or not a
// schema or a byte cap is set (it used to be a silent 1000 in some paths only).
import { HandlerRegistry } from '../index'

const nested = (levels: number) => {
  let value: unknown = {}
  for (let i = 0; i < levels; i++) value = { a: value }
  return value
}
const registries: HandlerRegistry[] = []
afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.close()))
})

test.each([
  ['no schema, a byte cap', { maxBytes: 1e9 }],
  ['no schema, no caps', { maxBytes: Infinity }],
  ['schema {type: object}', { schema: { type: 'object' }, maxBytes: 1e9 }],
  ['argsSchema', { argsSchema: { type: 'array' } }],
])('maxDepth Infinity accepts 5,000 and 100,000 levels: %s', async (_what, options) => {
  const r = new HandlerRegistry()
  registries.push(r)
  const handler = jest.fn(() => 'ok')
  r.register('deep', handler, { maxDepth: Infinity, ...options })
  for (const levels of [5000, 100_000]) {
    expect(await r.invoke('deep', [nested(levels)])).toMatchObject({ success: true, data: 'ok' })
  }
  expect(handler).toHaveBeenCalledTimes(2)
})

test('a finite maxDepth refuses the same value with or without a schema, naming the cap', async () => {
  const r = new HandlerRegistry()
  registries.push(r)
  r.register('plain', () => 1, { maxDepth: 2000 })
  r.register('schema', () => 1, { maxDepth: 2000, schema: { type: 'object' } })
  for (const channel of ['plain', 'schema']) {
    const reply: any = await r.invoke(channel, [nested(5000)])
    expect(reply.error).toMatchObject({ code: 'E_PAYLOAD_TOO_LARGE', details: { limit: 'maxDepth', maxDepth: 2000 } })
    expect(reply.error.message).toMatch(/nested deeper than 2000/)
  }
})

test('a self-referencing schema stops at the validator ceiling with a message that says so', async () => {
  const r = new HandlerRegistry()
  registries.push(r)
  const handler = jest.fn()
  const tree = { type: 'object', properties: { a: { $ref: '#' } } }
  r.register('tree', handler, { maxDepth: Infinity, schema: tree })
  expect(await r.invoke('tree', [nested(100)])).toMatchObject({ success: true })
  const reply: any = await r.invoke('tree', [nested(5000)])
  expect(reply.error.code).toBe('E_PAYLOAD_TOO_LARGE')
  expect(reply.error.message).toMatch(/nested too deeply to validate .*cannot walk deeper than \d+ levels/)
  expect(handler).toHaveBeenCalledTimes(1)
})

describe('flat arguments skip the measuring walk only when it could find nothing', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fc = require('fast-check')
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { flatWithinCaps } = require('../lib/registry/pipeline/guard')
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const native = require('../binding.js')
  const schema = { type: 'object', properties: { a: { type: 'string', maxLength: 5 }, n: { type: 'integer' } }, required: ['a'] }
  const scalar = fc.oneof(fc.string({ maxLength: 30 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constant(NaN))
  const value = fc.oneof(scalar, fc.dictionary(fc.constantFrom('a', 'n', 'x', '__proto__', 'é'), scalar), fc.array(scalar, { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 2 }), fc.oneof(scalar, fc.array(scalar))))

  test('whenever the JS check says a value is flat and within the caps, measuring or not gives the same issues', () => {
    for (const maxBytes of [8, 40, 120]) {
      const capped = native.compileSchema(schema, { maxBytes, maxDepth: 3 }).validator
      const uncapped = native.compileSchema(schema).validator
      let skipped = 0
      fc.assert(fc.property(value, (v: unknown) => {
        if (!flatWithinCaps(v, maxBytes, 3)) return
        skipped++
        expect(uncapped.validate(v)).toEqual(capped.validate(v))
      }), { numRuns: 400 })
      if (maxBytes === 120) expect(skipped).toBeGreaterThan(50)
    }
  })

  test('a channel without a schema skips the native caps walk only for argument lists the walk would pass', () => {
    const list = fc.array(fc.oneof(scalar, fc.string({ maxLength: 200 })), { minLength: 1, maxLength: 6 })
    for (const maxBytes of [16, 64, 400]) {
      let skipped = 0
      fc.assert(fc.property(list, (args: unknown[]) => {
        if (!flatWithinCaps(args, maxBytes, 2)) return
        skipped++
        expect(native.checkLimits(args, maxBytes, 2)).toBeNull()
      }), { numRuns: 400 })
      if (maxBytes === 400) expect(skipped).toBeGreaterThan(50)
    }
  })

  test('values that could trip a cap or be refused go through the measuring walk', () => {
    expect(flatWithinCaps({ a: 'x'.repeat(10) }, 20, 3)).toBe(false) // 3 bytes per unit could pass 20
    expect(flatWithinCaps({ a: 'x' }, 20, 3)).toBe(true)
    for (const v of [{ a: NaN }, { a: {} }, [undefined], { a: () => 1 }, new Map(), Object.create(Array.prototype), { a: 1n }]) {
      expect(flatWithinCaps(v, 1e6, 3)).toBe(false)
    }
    expect(flatWithinCaps({ a: 1 }, 1e6, 0)).toBe(false)
  })
})
