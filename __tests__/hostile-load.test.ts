// Load (issue 9): 10,000 concurrent invokes across 50 channels with schema
// validation, rate limits and timeouts. Every call gets exactly one envelope
// with the code its channel and arguments call for; p99 overhead is printed.
import { HandlerRegistry, type Envelope } from '../index'

const CHANNELS = 50
const CALLS = 10_000
const SCHEMA = { type: 'object', properties: { i: { type: 'integer', minimum: 0 } }, required: ['i'], additionalProperties: false }

type Kind = 'plain' | 'limited' | 'hang' | 'async'
const kindOf = (c: number): Kind => (['limited', 'hang', 'async', 'plain', 'plain'] as const)[c % 5]
const LIMIT = 40

test('10,000 concurrent invokes over 50 channels: each answered once, with the right envelope', async () => {
  const r = new HandlerRegistry()
  const handled = new Map<string, number>()
  for (let c = 0; c < CHANNELS; c++) {
    const kind = kindOf(c)
    const name = `load:${c}`
    const handler = (arg: { i: number }) => {
      const key = `${name}#${arg.i}`
      handled.set(key, (handled.get(key) ?? 0) + 1)
      if (kind === 'hang') return new Promise(() => {})
      if (kind === 'async') return new Promise((res) => setTimeout(res, 1, arg.i))
      return arg.i
    }
    r.register(name, handler, {
      schema: SCHEMA,
      timeoutMs: kind === 'hang' ? 100 : 10_000,
      rateLimit: kind === 'limited' ? { requests: LIMIT, windowMs: 60_000 } : undefined,
    })
  }

  const calls: Array<{ channel: number; i: number; valid: boolean; promise: Promise<Envelope> }> = []
  const t0 = performance.now()
  for (let n = 0; n < CALLS; n++) {
    const channel = n % CHANNELS
    const i = Math.floor(n / CHANNELS)
    const valid = n % 17 !== 0
    const arg = valid ? { i } : { i: -1, extra: true }
    calls.push({ channel, i, valid, promise: r.invoke(`load:${channel}`, [arg]) })
  }
  let answers = 0
  const settled = await Promise.all(calls.map((c) => c.promise.then((e) => (answers++, e))))
  const wall = performance.now() - t0
  expect(answers).toBe(CALLS)

  const acceptedPerChannel = new Map<number, number>()
  const plainTimes: number[] = []
  const codes: Record<string, number> = {}
  settled.forEach((e, n) => {
    const { channel, i, valid } = calls[n]
    const kind = kindOf(channel)
    const code = e.success ? 'ok' : e.error.code
    codes[code] = (codes[code] ?? 0) + 1
    if (!valid) {
      expect(code).toBe('E_VALIDATION')
      return
    }
    if (kind === 'limited') {
      const seen = acceptedPerChannel.get(channel) ?? 0
      if (seen < LIMIT) {
        expect(e).toMatchObject({ success: true, data: i })
        acceptedPerChannel.set(channel, seen + 1)
      } else expect(code).toBe('E_RATE_LIMITED')
    } else if (kind === 'hang') {
      expect(code).toBe('E_TIMEOUT')
    } else if (kind === 'async') {
      expect(e).toMatchObject({ success: true, data: i })
    } else {
      expect(e).toMatchObject({ success: true, data: i })
      plainTimes.push(e.metadata.executionTimeMs)
    }
  })
  // the handler ran exactly once per accepted valid call, never for refused ones
  for (const [key, count] of handled) expect([key, count]).toEqual([key, 1])
  const expectedRuns = calls.filter((c) => c.valid && (kindOf(c.channel) !== 'limited')).length + [...acceptedPerChannel.values()].reduce((a, b) => a + b, 0)
  expect(handled.size).toBe(expectedRuns)
  const metrics = r.getMetrics()
  expect(metrics.totals.calls).toBe(CALLS)

  plainTimes.sort((a, b) => a - b)
  const pct = (p: number) => plainTimes[Math.min(plainTimes.length - 1, Math.floor((p / 100) * plainTimes.length))]
  console.log(
    `load: ${CALLS} invokes over ${CHANNELS} channels in ${wall.toFixed(0)} ms; codes ${JSON.stringify(codes)}; ` +
      `pipeline overhead (sync handler, schema) p50 ${(pct(50) * 1000).toFixed(1)} us, p99 ${(pct(99) * 1000).toFixed(1)} us, max ${(pct(100) * 1000).toFixed(1)} us`,
  )
  await r.close()
})
