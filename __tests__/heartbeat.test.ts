// HeartbeatMonitor: healthy -> stale -> dead on missed probes, back to healthy
// on an answer; reconnect with capped attempts and backoff; a hung stand-in
// window is detected from main through the renderer client's pong.
import path from 'path'
import { HeartbeatMonitor, pingProbe, PING_CHANNEL } from '../index'
import { sleep } from './helpers/window'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { backoffDelay } = require('../lib/heartbeat/options')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createWindow, IpcMain } = require('../test/standin')

const RECORDER = path.join(__dirname, '../test/standin/renderers/recorder.js')
const open: HeartbeatMonitor[] = []
function monitor(options: ConstructorParameters<typeof HeartbeatMonitor>[0]) {
  const m = new HeartbeatMonitor(options)
  open.push(m)
  return m
}
afterEach(() => open.splice(0).forEach((m) => m.close()))

async function until(check: () => boolean, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met')
    await sleep(5)
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
  const dead = new Promise((resolve) => m.once('dead', resolve))
  expect(await dead).toMatchObject({ misses: 2 })
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
  await sleep(50)
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
  const ipcMain = new IpcMain()
  const win = await createWindow({ kind: 'process', ipcMain, renderer: RECORDER, rendererOptions: { channels: [] } })
  try {
    const probe = pingProbe(ipcMain, win.webContents)
    const m = monitor({ probe, intervalMs: 30, timeoutMs: 300, deadAfter: 2 })
    const changes: string[] = []
    m.on('status', (status: string) => changes.push(status))
    await until(() => m.getStats().probes >= 2 && m.status === 'healthy')
    const blocked = win.request('block', 1500)
    await until(() => m.status === 'dead')
    await blocked
    await until(() => m.status === 'healthy')
    expect(changes.slice(-3)).toEqual(['stale', 'dead', 'healthy'])
  } finally {
    await win.close()
  }
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
  await sleep(5)
  expect(answered).toBe(false)
  ipcMain.emit('ipcflow:pong', { sender: wc }, { ipcflow: 'pong', v: 1, id: 1 })
  await sleep(5)
  expect(answered).toBe(true)
  wc.destroyed = true
  await expect(probe()).rejects.toMatchObject({ code: 'E_CLOSED' })
  probe.close()
  expect(ipcMain.listenerCount('ipcflow:pong')).toBe(0)
})
