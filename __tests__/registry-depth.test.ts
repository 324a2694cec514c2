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
