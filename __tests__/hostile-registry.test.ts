// Hostile input (issue 9) at HandlerRegistry.invoke: every corpus payload gets
// an envelope (a known code when refused), the handler never sees data its
// schema refuses, nothing is polluted, and the heap returns near its baseline.
import { HandlerRegistry, type Envelope } from '../index'
import { payloadCases, schemaCases, channelNames, corpusSize } from './fixtures/hostile'
import { expectUnpolluted, settledHeap, snapshot } from './helpers/hostile'

const REFUSAL_CODES = ['E_VALIDATION', 'E_PAYLOAD_TOO_LARGE', 'E_UNCLONEABLE', 'E_INVALID_ARGUMENT']
const SCHEMA = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] }
const validForHandler = (a: any) => a !== null && typeof a === 'object' && Object.prototype.hasOwnProperty.call(a, 'n') && typeof a.n === 'number'

function checkEnvelope(e: Envelope, allowed: string[]) {
  expect(typeof e).toBe('object')
  expect(typeof e.success).toBe('boolean')
  if (!e.success) {
    expect(allowed).toContain(e.error.code)
    expect(typeof e.error.message).toBe('string')
  }
}

describe('registry.invoke with the payload corpus', () => {
  const registry = new HandlerRegistry()
  const seen: { schema: unknown[][]; open: number } = { schema: [], open: 0 }
  registry.register('schema', (...args: unknown[]) => {
    seen.schema.push(args.slice(0, -1))
    return 'ok'
  }, { schema: SCHEMA })
  registry.register('args', () => 'ok', { argsSchema: { type: 'array', prefixItems: [SCHEMA], minItems: 1, maxItems: 1 } })
  registry.register('cached', (...args: unknown[]) => {
    seen.schema.push(args.slice(0, -1))
    return 'ok'
  }, { schema: SCHEMA, cache: { ttlMs: 60_000 } })
  registry.register('batched', (keys: unknown[]) => {
    for (const k of keys) seen.schema.push([k])
    return keys.map(() => 'ok')
  }, { schema: SCHEMA, batch: { delayMs: 1 } })
  registry.registerStream('stream', function* (...args: unknown[]) {
    seen.schema.push(args.slice(0, -1))
    yield 1
  }, { schema: SCHEMA })
  registry.register('open', () => {
    seen.open++
    return 'ok'
  })
  let baseline = 0
  let before: Record<string, string[]>
  const objects = () => ({ registry, 'HandlerRegistry.prototype': HandlerRegistry.prototype, metrics: registry.getMetrics().totals })
  beforeAll(async () => {
    // warm up, so first-use allocations are not counted as growth
    for (const c of payloadCases().slice(12, 20)) await registry.invoke('schema', c.args())
    baseline = await settledHeap()
    before = snapshot(objects())
  })
  afterAll(async () => {
    await registry.close()
  })

  const cases = payloadCases()
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    seen.schema.length = 0
    for (const channel of ['schema', 'args', 'cached', 'batched', 'stream', 'open']) {
      const e = await registry.invoke(channel, c.args())
      checkEnvelope(e, channel === 'open' ? [...REFUSAL_CODES, 'E_HANDLER'] : REFUSAL_CODES)
    }
    for (const args of seen.schema) {
      expect(args).toHaveLength(1)
      // A live object (README "HandlerRegistry"): validated as read, then passed as is.
      if (!c.live) expect(validForHandler(args[0])).toBe(true)
    }
    expectUnpolluted(before, objects())
  })

  test('memory returns near its baseline after the corpus', async () => {
    const after = await settledHeap()
    const growth = after - baseline
    console.log(`hostile corpus: heap+external baseline ${(baseline / 1048576).toFixed(1)} MB, after ${(after / 1048576).toFixed(1)} MB, growth ${(growth / 1048576).toFixed(2)} MB`)
    expect(growth).toBeLessThan(16 * 1024 * 1024)
  })
})

describe('register() with the schema corpus', () => {
  const before = snapshot()
  test.each(schemaCases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = new HandlerRegistry()
    let calls = 0
    try {
      let registered = true
      try {
        r.register('s', () => ++calls, { schema: c.schema() as any })
      } catch (error: any) {
        registered = false
        expect(error.code).toBe('E_INVALID_ARGUMENT')
      }
      if (registered) {
        for (const payload of [{ n: 1 }, 'a'.repeat(40), { child: { child: { n: 'x' } } }, JSON.parse('{"__proto__":{"polluted":1}}')]) {
          const e = await r.invoke('s', [payload])
          checkEnvelope(e, ['E_VALIDATION', 'E_PAYLOAD_TOO_LARGE'])
        }
      }
      expectUnpolluted(before)
    } finally {
      await r.close()
    }
  })
})

describe('documented behaviour', () => {
  test('in-process invoke hands a checked channel a plain copy read once, and an unchecked one the caller\'s own object', async () => {
    const r = new HandlerRegistry()
    const seen: unknown[] = []
    r.register('n', (a: unknown) => seen.push(a), { schema: SCHEMA })
    r.register('free', (a: unknown) => seen.push(a), { maxBytes: Infinity, maxDepth: Infinity })
    const arg = { n: 1 }
    expect(await r.invoke('n', [arg])).toMatchObject({ success: true })
    expect(await r.invoke('free', [arg])).toMatchObject({ success: true })
    expect(seen[0]).toEqual(arg)
    expect(seen[0]).not.toBe(arg)
    expect(seen[1]).toBe(arg)
    await r.close()
  })
})

describe('channel names', () => {
  test('the corpus holds at least 250 distinct cases', () => {
    expect(corpusSize()).toBeGreaterThanOrEqual(250)
  })
  test.each(channelNames())('%s: register refuses with E_INVALID_ARGUMENT or works; invoke answers with a code', async (_label, name) => {
    const before = snapshot()
    const r = new HandlerRegistry()
    let registered = false
    try {
      r.register(name as any, () => 'ok')
      registered = true
    } catch (error: any) {
      expect(error.code).toBe('E_INVALID_ARGUMENT')
    }
    const e = await r.invoke(name as any, [])
    if (registered) expect(e).toMatchObject({ success: true, data: 'ok' })
    else expect(['E_NOT_FOUND', 'E_INVALID_ARGUMENT']).toContain((e as any).error.code)
    expect(r.channels().length).toBe(registered ? 1 : 0)
    await r.close()
    expectUnpolluted(before)
  })
})

describe('regressions: names users choose', () => {
  test("registry.getMetrics() and getCacheStats(): a channel named '__proto__' is an own key, the result's prototype stays Object.prototype", async () => {
    const r = new HandlerRegistry()
    r.register('__proto__', () => 1, { cache: { ttlMs: 1000 } })
    await r.invoke('__proto__', [])
    const m = r.getMetrics()
    expect(Object.getPrototypeOf(m.channels)).toBe(Object.prototype)
    expect(Object.keys(m.channels)).toEqual(['__proto__'])
    expect(Object.getOwnPropertyDescriptor(m.channels, '__proto__')!.value.calls).toBe(1)
    const stats = r.getCacheStats()
    expect(Object.getPrototypeOf(stats)).toBe(Object.prototype)
    expect(Object.keys(stats)).toEqual(['__proto__'])
    await r.close()
  })
})
