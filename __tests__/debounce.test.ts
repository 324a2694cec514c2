// Debouncer against lodash.debounce's documented semantics, per key: trailing
// by default, each call postpones, maxWait caps the postponement, leading runs
// the first call, trailing after leading only if called again during the wait.
// On fake time (helpers/clock.ts): lodash.debounce and the Debouncer (through
// its clock seam) see the same clock, which moves only when a test advances it.
import path from 'path'
import { Debouncer } from '../index'
import { advance, clock, useFakeTime } from './helpers/clock'

useFakeTime()
// The clock seam (deps.clock) is not in Debouncer's public type.
const OnClock = Debouncer as unknown as new (options: ConstructorParameters<typeof Debouncer>[0], deps: { clock: typeof clock }) => Debouncer
const open: Debouncer[] = []
function make(options?: ConstructorParameters<typeof Debouncer>[0]) {
  const d = new OnClock(options, { clock })
  open.push(d)
  return d
}
afterEach(() => open.splice(0).forEach((d) => d.close()))

test('trailing: a burst runs once, the latest fn, after the delay', async () => {
  const d = make({ delays: { normal: 30 } })
  const ran: number[] = []
  for (let i = 0; i < 5; i++) d.debounce('k', () => ran.push(i))
  expect(ran).toEqual([])
  expect(d.pending()).toEqual(['k'])
  await advance(29)
  expect(ran).toEqual([])
  await advance(1)
  expect(ran).toEqual([4])
  expect(d.pending()).toEqual([])
  expect(d.getStats()).toMatchObject({ runs: 1, errors: 0, pending: 0 })
})

test('each call postpones the run; keys are independent', async () => {
  const d = make({ delays: { normal: 150 } })
  const ran: string[] = []
  for (let i = 0; i < 8; i++) {
    d.debounce('a', () => ran.push(`a${i}`))
    await advance(15)
  }
  d.debounce('b', () => ran.push('b'))
  expect(ran).toEqual([]) // 120 ms of calls 15 ms apart, delay 150: never ran
  await advance(350)
  expect(ran.sort()).toEqual(['a7', 'b'])
})

test('maxWaitMs: a steady stream still runs at least every maxWait', async () => {
  const d = make({ delays: { normal: 50 }, maxWaitMs: 80 })
  const ran: number[] = []
  const start = Date.now()
  let i = 0
  while (Date.now() - start < 400) {
    const n = i++
    d.debounce('k', () => ran.push(n))
    await advance(10)
  }
  expect(ran.length).toBeGreaterThanOrEqual(2) // without maxWait: 0 until the stream stops
  await advance(150)
  expect(ran.at(-1)).toBe(i - 1) // the last call still runs
  expect(ran).toEqual([...ran].sort((a, b) => a - b))
})

test('critical shortens a key to its own delay, and the burst stays critical', async () => {
  const d = make({ delays: { normal: 5000, critical: 20 } })
  const ran: string[] = []
  d.debounce('k', () => ran.push('normal'))
  d.debounce('k', () => ran.push('critical'), 'critical')
  d.debounce('k', () => ran.push('normal again'))
  await advance(150)
  expect(ran).toEqual(['normal again'])
})

test('leading: the first call runs at once; trailing only if called again during the wait', async () => {
  const d = make({ delays: { normal: 30 }, leading: true })
  const ran: number[] = []
  d.debounce('once', () => ran.push(0))
  expect(ran).toEqual([0])
  await advance(100)
  expect(ran).toEqual([0])
  d.debounce('twice', () => ran.push(1))
  d.debounce('twice', () => ran.push(2))
  d.debounce('twice', () => ran.push(3))
  expect(ran).toEqual([0, 1])
  await advance(100)
  expect(ran).toEqual([0, 1, 3])
})

test('leading without trailing: calls during the wait are dropped', async () => {
  const d = make({ delays: { normal: 30 }, leading: true, trailing: false })
  const ran: number[] = []
  d.debounce('k', () => ran.push(0))
  d.debounce('k', () => ran.push(1))
  expect(d.pending()).toEqual([])
  await advance(100)
  d.debounce('k', () => ran.push(2)) // a new burst leads again
  expect(ran).toEqual([0, 2])
})

test('cancel, flush(key), flush()', async () => {
  const d = make({ delays: { normal: 40 } })
  const ran: string[] = []
  for (const k of ['a', 'b', 'c']) d.debounce(k, () => ran.push(k))
  expect(d.cancel('a')).toBe(true)
  expect(d.cancel('a')).toBe(false)
  expect(d.flush('b')).toBe(1)
  expect(ran).toEqual(['b'])
  expect(d.flush('b')).toBe(0)
  expect(d.flush()).toBe(1)
  expect(ran).toEqual(['b', 'c'])
  await advance(120)
  expect(ran).toEqual(['b', 'c']) // nothing runs twice
  expect(d.getStats()).toMatchObject({ runs: 2, cancelled: 1, pending: 0 })
})

test('a throwing or rejecting fn is contained, counted and reported', async () => {
  const errors: Array<[string, unknown]> = []
  const d = make({ delays: { normal: 10 }, onError: (error, key) => errors.push([(error as Error).message, key]) })
  d.debounce('sync', () => {
    throw new Error('boom')
  })
  d.debounce('async', async () => {
    throw new Error('later')
  })
  await advance(80)
  expect(errors.sort()).toEqual([['boom', 'sync'], ['later', 'async']])
  expect(d.getStats()).toMatchObject({ runs: 2, errors: 2 })
  d.debounce('sync', () => {}) // still works
  expect(d.flush()).toBe(1)
})

test('options and arguments are checked; close drops pending calls and refuses new ones', async () => {
  expect(() => new Debouncer({ delays: { normal: -1 } })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  expect(() => new Debouncer({ maxWaitMs: 'x' as any })).toThrow('options.maxWaitMs')
  expect(() => new Debouncer({ leading: false, trailing: false })).toThrow('options.trailing')
  const d = make({ delays: { normal: 20, background: 1000 } })
  expect(() => d.debounce('k', 1 as any)).toThrow('fn must be a function')
  expect(() => d.debounce('k', () => {}, 'urgent' as any)).toThrow("'normal', 'critical', 'background'")
  const ran: number[] = []
  d.debounce('k', () => ran.push(1), 'background')
  d.close()
  d.close()
  await advance(60)
  expect(ran).toEqual([])
  expect(() => d.debounce('k', () => {})).toThrow(expect.objectContaining({ code: 'E_CLOSED' }))
})

test('on the native timer (real time): a burst runs once, never before its delay', async () => {
  jest.useRealTimers()
  const d = new Debouncer({ delays: { normal: 30 } })
  open.push(d)
  let last = 0
  const ranAt = await new Promise<number>((resolve) => {
    for (let i = 0; i < 3; i++) {
      last = performance.now()
      d.debounce('k', () => resolve(performance.now()))
    }
  })
  expect(ranAt - last).toBeGreaterThanOrEqual(30)
  expect(d.getStats()).toMatchObject({ runs: 1, pending: 0 })
})

test('a debouncer nobody closed does not keep the process alive', () => {
  const { execFileSync } = require('child_process')
  // On the native timer, in a process of its own (real time). Kept alive, it would run for an hour.
  const DELAY_MS = 3_600_000
  const code = `
    const { Debouncer } = require(${JSON.stringify(path.join(__dirname, '..'))});
    const d = new Debouncer({ delays: { normal: ${DELAY_MS} } });
    d.debounce('k', () => console.log('ran'));
  `
  const started = process.hrtime.bigint()
  const out = execFileSync(process.execPath, ['-e', code], { timeout: 60_000 }).toString()
  expect(out).toBe('')
  expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(DELAY_MS)
}, 90_000)

// The same call schedule through lodash.debounce and one key of a Debouncer:
// the same calls run, in the same order. Gaps are far from the delay, so the
// outcome does not depend on scheduling jitter.
describe('same calls run as lodash.debounce', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lodashDebounce = require('lodash.debounce')
  // [wait before the call, ms]: a burst, a pause, a single call, a pause, a burst.
  const schedule = [0, 10, 10, 10, 250, 250, 10, 10]
  const cases: Array<[string, { leading?: boolean; trailing?: boolean }]> = [
    ['trailing (default)', {}],
    ['leading + trailing', { leading: true }],
    ['leading only', { leading: true, trailing: false }],
  ]
  test.each(cases)('%s', async (_name, options) => {
    const ours: number[] = []
    const theirs: number[] = []
    const d = make({ delays: { normal: 80 }, ...options })
    const l = lodashDebounce((n: number) => theirs.push(n), 80, options)
    for (let i = 0; i < schedule.length; i++) {
      if (schedule[i] > 0) await advance(schedule[i])
      l(i)
      d.debounce('k', () => ours.push(i))
    }
    await advance(300)
    expect(ours).toEqual(theirs)
    expect(ours.length).toBeGreaterThan(0)
  })
})

test('debouncers and heartbeat monitors nobody closed can be garbage-collected', () => {
  const { execFileSync } = require('child_process')
  const child = path.join(__dirname, 'helpers', 'timers-gc-child.js')
  const out = execFileSync(process.execPath, ['--expose-gc', child, path.join(__dirname, '..')], { timeout: 10_000 }).toString()
  expect(JSON.parse(out)).toEqual({ made: 40, alive: 0 })
})

test('maxWait side by side with lodash.debounce: about as many runs in a steady stream, the last call last', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lodashDebounce = require('lodash.debounce')
  const ours: number[] = []
  const theirs: number[] = []
  const d = make({ delays: { normal: 80 }, maxWaitMs: 150 })
  const l = lodashDebounce((n: number) => theirs.push(n), 80, { maxWait: 150 })
  const start = Date.now()
  let i = 0
  while (Date.now() - start < 600) {
    const n = i++
    l(n)
    d.debounce('k', () => ours.push(n))
    await advance(20)
  }
  await advance(300)
  // Which call lands in each maxWait window is each one's own rounding; the counts and the end are not.
  expect(theirs.length).toBeGreaterThanOrEqual(4)
  expect(Math.abs(ours.length - theirs.length)).toBeLessThanOrEqual(1)
  expect(ours.at(-1)).toBe(i - 1)
  expect(theirs.at(-1)).toBe(i - 1)
})
