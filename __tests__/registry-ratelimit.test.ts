// Rate limits on real time (the native limiter keeps its own clock; its arithmetic is tested
// with an injected clock by `cargo test`, src/ratelimit). A burst is refused only if it comes
// within one token's interval: the intervals here (window / requests) are 500 ms and more, so
// no stall of a loaded machine between a burst's calls refills a token, and waits for a refill
// are lower bounds.
import { useRegistryFixtures, sleep } from './helpers/registry'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { IpcMain } = require('../test/standin')

const { registry: make, open } = useRegistryFixtures()

const codeOf = (e: any) => (e.success ? 'ok' : e.error.code)

test('per channel: a burst of `requests`, then E_RATE_LIMITED with retryAfterMs; allowed again after it', async () => {
  const r = make()
  let runs = 0
  r.register('ch', () => ++runs, { rateLimit: { requests: 3, windowMs: 1500 } })
  const first = await Promise.all([1, 2, 3, 4].map(() => r.invoke('ch', [])))
  expect(first.map(codeOf)).toEqual(['ok', 'ok', 'ok', 'E_RATE_LIMITED'])
  const limited: any = first[3]
  expect(limited.error.details).toMatchObject({ channel: 'ch', per: 'channel', retryAfterMs: expect.any(Number) })
  const wait = limited.error.details.retryAfterMs
  expect(wait).toBeGreaterThan(0)
  expect(wait).toBeLessThanOrEqual(1500)
  expect(runs).toBe(3) // the refused call never ran
  await sleep(wait + 15)
  expect(codeOf(await r.invoke('ch', []))).toBe('ok')
  await sleep(1520) // a full window refills the burst
  const again = await Promise.all([1, 2, 3].map(() => r.invoke('ch', [])))
  expect(again.map(codeOf)).toEqual(['ok', 'ok', 'ok'])
  expect(r.getMetrics().channels.ch.errorsByCode).toEqual({ E_RATE_LIMITED: 1 })
})

test('per sender: each sender has its own budget', async () => {
  const r = make()
  r.register('ch', () => 1, { rateLimit: { requests: 2, windowMs: 10_000, per: 'sender' } })
  const calls = [1, 1, 1, 2, 2, 2].map((senderId) => r.invoke('ch', [], { senderId }))
  expect((await Promise.all(calls)).map(codeOf)).toEqual(['ok', 'ok', 'E_RATE_LIMITED', 'ok', 'ok', 'E_RATE_LIMITED'])
})

test('both limits: the sender limit is checked first and does not spend the channel budget', async () => {
  const r = make()
  r.register('ch', () => 1, {
    rateLimit: [
      { requests: 3, windowMs: 10_000, per: 'channel' },
      { requests: 2, windowMs: 10_000, per: 'sender' },
    ],
  })
  const seq = [1, 1, 1, 1, 2, 2]
  const results: any[] = []
  for (const senderId of seq) results.push(await r.invoke('ch', [], { senderId }))
  expect(results.map(codeOf)).toEqual(['ok', 'ok', 'E_RATE_LIMITED', 'E_RATE_LIMITED', 'ok', 'E_RATE_LIMITED'])
  expect(results.map((e) => (e.success ? undefined : e.error.details.per))).toEqual([undefined, undefined, 'sender', 'sender', undefined, 'channel'])
})

test('through renderers: per-sender limits keep one flooding window from starving another', async () => {
  const ipcMain = new IpcMain()
  const r = make()
  r.register('ping', () => 'pong', { rateLimit: { requests: 5, windowMs: 10_000, per: 'sender' } })
  r.attach(ipcMain)
  const [flood, quiet] = await Promise.all(
    [0, 1].map(async () => {
      const win = await open(ipcMain)
      return win
    }),
  )
  const flooded = await flood.request('many', { calls: Array.from({ length: 20 }, () => ({ channel: 'ping' })) })
  const codes = flooded.map((x: any) => (x.ok ? 'ok' : x.error.code))
  expect(codes.filter((c: string) => c === 'ok')).toHaveLength(5)
  expect(codes.filter((c: string) => c === 'E_RATE_LIMITED')).toHaveLength(15)
  expect(flooded.find((x: any) => !x.ok).error.details.retryAfterMs).toBeGreaterThan(0)
  expect(await quiet.request('invoke', { channel: 'ping', args: [] })).toMatchObject({ ok: true, value: 'pong' })
})

test("a destroyed window's per-sender budget is forgotten", async () => {
  const ipcMain = new IpcMain()
  const r = make()
  r.register('ping', () => 'pong', { rateLimit: { requests: 1, windowMs: 60_000, per: 'sender' } })
  r.attach(ipcMain)
  const win = await open(ipcMain)
  const sender = win.webContents
  const entry = (r as any)._entries.get('ping')
  const reset = jest.spyOn(entry.limits[0].limiter, 'reset')
  expect(await win.request('invoke', { channel: 'ping', args: [] })).toMatchObject({ ok: true })
  expect(await win.request('invoke', { channel: 'ping', args: [] })).toMatchObject({ ok: false, error: { code: 'E_RATE_LIMITED' } })
  expect(sender.listenerCount('destroyed')).toBe(1) // one watch per sender, not per call
  await win.close()
  expect(reset).toHaveBeenCalledWith(String(sender.id))
  expect(entry.limits[0].limiter.check(String(sender.id))).toBe(0)
})
