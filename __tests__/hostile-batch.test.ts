// Hostile payloads at BatchManager.addMessage (issue 9): every corpus payload,
// with and without the byte budget and dedupe, to a target whose send
// structured-clones like Electron. addMessage never throws for a payload; an
// uncloneable one is reported (E_UNCLONEABLE) and counted, and the other
// messages of its frame still arrive, in order.
import { BatchManager } from '../index'
import { payloadCases } from './fixtures/hostile'
import { expectUnpolluted, settledHeap, snapshot } from './helpers/hostile'

function cloningTarget(id: number) {
  const got: unknown[] = []
  return {
    got,
    target: {
      id,
      send(channel: string, frame: any) {
        const copy = structuredClone(frame) // throws like Electron's send for uncloneables
        if (channel === 'ipcflow:frame') got.push(...copy.payloads)
        else got.push(copy) // enabled: false sends each message on its own channel
      },
    },
  }
}

const variants: Array<[string, Record<string, unknown>]> = [
  ['defaults', { adaptive: false }],
  ['maxBatchBytes', { adaptive: false, maxBatchBytes: 256 * 1024 }],
  ['dedupe', { adaptive: false, dedupe: true }],
  ['direct sends', { enabled: false }],
]

describe('BatchManager with the payload corpus (defaults, maxBatchBytes, dedupe, direct sends)', () => {
  const before = snapshot({ 'BatchManager.prototype': BatchManager.prototype })
  let baseline = 0
  beforeAll(async () => {
    baseline = await settledHeap()
  })
  afterAll(async () => {
    const growth = (await settledHeap()) - baseline
    console.log(`BatchManager: heap+external growth after the corpus x ${variants.length} variants ${(growth / 1048576).toFixed(2)} MB`)
  })
  // The multi-MB cases run with defaults only; in every variant with IPCFLOW_LONG=1.
  const heavy = /64 MB|1,000,000|100,000/
  const cases = payloadCases().filter((c) => c.args().length === 1)
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    for (const [label, options] of variants) {
      if (label !== 'defaults' && process.env.IPCFLOW_LONG !== '1' && heavy.test(c.name)) continue
      const errors: any[] = []
      const { got, target } = cloningTarget(1)
      const m = new BatchManager({ ...options, onError: (e: any) => errors.push(e) } as any)
      try {
        let accepted: unknown
        expect(() => {
          m.addMessage('c', 'before', target)
          accepted = m.addMessage('c', c.args()[0], target)
          m.addMessage('c', 'after', target)
          m.flush()
        }).not.toThrow()
        expect([label, typeof accepted]).toEqual([label, 'boolean'])
        expect([label, got[0], got[got.length - 1]]).toEqual([label, 'before', 'after'])
        for (const e of errors) expect([label, e.code]).toEqual([label, expect.stringMatching(/^E_(UNCLONEABLE|PAYLOAD_TOO_LARGE)$/)])
        const metrics = m.getMetrics()
        if (got.length === 2) expect(metrics.drops.total + metrics.duplicates).toBeGreaterThanOrEqual(1)
      } finally {
        await m.close()
      }
    }
    expectUnpolluted(before, { 'BatchManager.prototype': BatchManager.prototype })
  })
})

describe('regressions', () => {
  test('BatchManager: a payload whose getter or Proxy trap throws does not make addMessage throw with maxBatchBytes or dedupe', async () => {
    const errors: any[] = []
    const { got, target } = cloningTarget(2)
    const m = new BatchManager({ adaptive: false, maxBatchBytes: 1024, dedupe: true, onError: (e: any) => errors.push(e) })
    const bad = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('getter boom') } })
    expect(m.addMessage('c', bad, target)).toBe(true)
    expect(m.addMessage('c', new Proxy(new Map(), {}), target)).toBe(true)
    m.addMessage('c', 'ok', target)
    m.flush()
    expect(got).toEqual(['ok'])
    expect(errors.map((e) => e.code)).toEqual(['E_UNCLONEABLE', 'E_UNCLONEABLE'])
    expect(m.getMetrics().drops.uncloneable).toBe(2)
    await m.close()
  })
})
