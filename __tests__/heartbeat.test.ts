// HeartbeatMonitor: healthy -> stale -> dead on missed probes, back to healthy
// on an answer; reconnect with capped attempts and backoff; a hung stand-in
// window is detected from main through the renderer client's pong.
// The in-process cases run on fake time (helpers/clock.ts, the monitor's clock
// seam): probes, timeouts and backoff waits happen when the test moves time.
import fs from 'fs'
import os from 'os'
import path from 'path'
import { HeartbeatMonitor, pingProbe, PING_CHANNEL } from '../index'
import { advance, clock, fakeTime, settle, untilOnFakeTime as until } from './helpers/clock'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TIMER_EARLY_MS } = require('../lib/timers/clock')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { backoffDelay } = require('../lib/heartbeat/options')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createWindow, IpcMain } = require('../test/standin')

const HANG_RENDERER = path.join(__dirname, 'helpers', 'hang-renderer.js')
type Options = ConstructorParameters<typeof HeartbeatMonitor>[0]
// The clock seam (deps.clock) is not in HeartbeatMonitor's public type.
const OnClock = HeartbeatMonitor as unknown as new (options: Options, deps: { clock: typeof clock }) => HeartbeatMonitor
const open: HeartbeatMonitor[] = []
/** A monitor on fake time (the default) or, with `real`, on the native timer. */
function monitor(options: Options, { real = false } = {}) {
  const m = real ? new HeartbeatMonitor(options) : new OnClock(options, { clock })
  open.push(m)
  return m
}
beforeEach(fakeTime)
afterEach(() => {
  open.splice(0).forEach((m) => m.close())
  jest.clearAllTimers()
  jest.useRealTimers()
})


/** Real time: polls `check()` until it holds, failing only after `limitMs` (far beyond any wait the test expects). */
async function untilReal(check: () => boolean, limitMs = 30_000) {
  const end = performance.now() + limitMs
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

test('answers keep it healthy; misses make it stale, then dead; an answer makes it healthy again', async () => {
  let answering = true
  const probe = () => (answering ? Promise.resolve() : new Promise(() => {}))
  const m = monitor({ probe, intervalMs: 10, timeoutMs: 20, staleAfter: 1, deadAfter: 3 })
  const changes: string[] = []
  m.on('status', (status: string, previous: string) => changes.push(`${previous}->${status}`))
  await until(() => m.getStats().probes >= 3)
  expect(m.status).toBe('healthy')
  expect(m.getStats().lastRttMs).toEqual(expect.any(Number))
  answering = false
  await until(() => m.status === 'dead')
  // Dead at the third miss: 3 misses, not a 4th from a probe since (time stopped when it turned dead).
  expect(m.getStats()).toMatchObject({ consecutiveMisses: 3, lastError: { code: 'E_TIMEOUT' } })
  answering = true
  await until(() => m.status === 'healthy')
  expect(changes).toEqual(['healthy->stale', 'stale->dead', 'dead->healthy'])
})

test('a rejecting or throwing probe is a miss', async () => {
  let n = 0
  const m = monitor({
    probe: () => {
      if (n++ % 2) throw new Error('sync')
      return Promise.reject(new Error('async'))
    },
    intervalMs: 5,
    deadAfter: 2,
  })
  let dead: unknown
  m.once('dead', (info) => (dead = info))
  await until(() => dead !== undefined)
  expect(dead).toMatchObject({ misses: 2 })
  expect(m.getStats().failures).toBeGreaterThanOrEqual(2)
})

test('dead: reconnect() with exponential backoff until the source answers; attempts reset', async () => {
  let up = false
  let reconnects = 0
  const m = monitor({
    probe: () => (up ? Promise.resolve() : Promise.reject(new Error('down'))),
    intervalMs: 5,
    deadAfter: 1,
    reconnect: async ({ attempt }: { attempt: number }) => {
      reconnects++
      if (attempt < 3) throw new Error(`still down ${attempt}`)
      up = true
    },
    backoff: { initialMs: 10, factor: 2, jitter: 0.5 },
  })
  const events: Array<[string, any]> = []
  for (const e of ['reconnecting', 'reconnect-failed', 'reconnected', 'healthy'] as const) m.on(e as 'healthy', (info: any) => events.push([e, info]))
  await until(() => m.status === 'healthy' && events.some(([e]) => e === 'healthy'))
  expect(reconnects).toBe(3)
  expect(events.map(([e, i]) => `${e}:${i.attempt ?? ''}`)).toEqual([
    'reconnecting:1', 'reconnect-failed:1', 'reconnecting:2', 'reconnect-failed:2', 'reconnecting:3', 'reconnected:3', 'healthy:',
  ])
  const delays = events.filter(([e]) => e === 'reconnecting').map(([, i]) => i.delayMs)
  expect(delays[0]).toBeGreaterThanOrEqual(5)
  expect(delays[0]).toBeLessThanOrEqual(10)
  expect(delays[2]).toBeGreaterThanOrEqual(20)
  expect(delays[2]).toBeLessThanOrEqual(40)
  expect(m.getStats()).toMatchObject({ reconnectAttempts: 0, reconnects: 1, gaveUp: false })
})

test('reconnect attempts are capped: gave-up once, then probing goes on', async () => {
  const m = monitor({
    probe: () => Promise.reject(new Error('down')),
    intervalMs: 5,
    deadAfter: 1,
    maxReconnectAttempts: 2,
    reconnect: () => Promise.reject(new Error('no')),
    backoff: { initialMs: 1 },
  })
  const gaveUp = jest.fn()
  m.on('gave-up', gaveUp)
  await until(() => gaveUp.mock.calls.length === 1)
  const probes = m.getStats().probes
  await until(() => m.getStats().probes > probes + 2)
  expect(gaveUp).toHaveBeenCalledTimes(1)
  expect(gaveUp).toHaveBeenCalledWith({ attempts: 2 })
  expect(m.getStats()).toMatchObject({ status: 'dead', reconnectAttempts: 2, gaveUp: true })
})

test('backoff: doubles up to the cap; jitter takes off at most its share', () => {
  const b = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 }
  expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, b, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000])
  expect([1, 2, 5].map((a) => backoffDelay(a, b, () => 1))).toEqual([50, 100, 500])
})

test('close() stops probing and closes a probe that has close()', async () => {
  const probe = Object.assign(jest.fn(() => Promise.resolve()), { close: jest.fn() })
  const m = monitor({ probe, intervalMs: 5 })
  await until(() => probe.mock.calls.length >= 2)
  m.close()
  const calls = probe.mock.calls.length
  await advance(1000) // 200 intervals
  expect(probe.mock.calls.length).toBe(calls)
  expect(probe.close).toHaveBeenCalledTimes(1)
})

test('options are checked', () => {
  expect(() => new HeartbeatMonitor({} as any)).toThrow('options.probe')
  expect(() => new HeartbeatMonitor({ probe: () => Promise.resolve(), intervalMs: 0 })).toThrow('options.intervalMs')
  expect(() => new HeartbeatMonitor({ probe: () => Promise.resolve(), staleAfter: 3, deadAfter: 2 })).toThrow('options.deadAfter')
  expect(() => new HeartbeatMonitor({ probe: () => Promise.resolve(), backoff: { jitter: 2 } })).toThrow('options.backoff.jitter')
})

test('a hung window (renderer process busy) is detected from main and seen recover', async () => {
  // A real renderer process and the native timer: real time, so nothing here waits a fixed time.
  // The renderer stays hung until the test has seen it dead, however long a loaded machine takes.
  jest.useRealTimers()
  const release = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ipcflow-hang-')), 'release')
  const ipcMain = new IpcMain()
  const win = await createWindow({ kind: 'process', ipcMain, renderer: HANG_RENDERER })
  try {
    const probe = pingProbe(ipcMain, win.webContents)
    const m = monitor({ probe, intervalMs: 30, timeoutMs: 300, deadAfter: 2 }, { real: true })
    const changes: string[] = []
    m.on('status', (status: string) => changes.push(status))
    await untilReal(() => m.getStats().probes >= 2 && m.status === 'healthy')
    const hung = win.request('hang', release, 120_000)
    await untilReal(() => m.status === 'dead')
    fs.writeFileSync(release, '')
    await hung
    await untilReal(() => m.status === 'healthy')
    expect(changes.slice(-3)).toEqual(['stale', 'dead', 'healthy'])
  } finally {
    fs.writeFileSync(release, '')
    await win.close()
    fs.rmSync(path.dirname(release), { recursive: true, force: true })
  }
}, 120_000)

test('on the native timer (real time): probes go on every intervalMs, never sooner', async () => {
  jest.useRealTimers()
  const at: number[] = []
  const m = monitor({ probe: () => void at.push(performance.now()), intervalMs: 20 }, { real: true })
  await untilReal(() => at.length >= 3)
  m.close()
  // Each probe is armed when the answer before it came (a microtask after the probe): at least intervalMs later.
  for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(20 - TIMER_EARLY_MS)
})

test('pingProbe ignores pongs from other windows and a destroyed window rejects', async () => {
  const ipcMain = new IpcMain()
  const sent: unknown[] = []
  const wc = { id: 1, destroyed: false, send: (c: string, v: unknown) => sent.push([c, v]), isDestroyed() { return this.destroyed } }
  const probe = pingProbe(ipcMain, wc)
  let answered = false
  probe().then(() => (answered = true))
  expect(sent).toEqual([[PING_CHANNEL, { ipcflow: 'ping', v: 1, id: 1 }]])
  ipcMain.emit('ipcflow:pong', { sender: { id: 2 } }, { ipcflow: 'pong', v: 1, id: 1 })
  ipcMain.emit('ipcflow:pong', { sender: wc }, { ipcflow: 'pong', v: 1, id: 7 })
  await settle()
  expect(answered).toBe(false)
  ipcMain.emit('ipcflow:pong', { sender: wc }, { ipcflow: 'pong', v: 1, id: 1 })
  await settle()
  expect(answered).toBe(true)
  wc.destroyed = true
  await expect(probe()).rejects.toMatchObject({ code: 'E_CLOSED' })
  probe.close()
  expect(ipcMain.listenerCount('ipcflow:pong')).toBe(0)
})
