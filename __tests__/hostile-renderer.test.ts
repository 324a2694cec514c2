// Malformed frames and replies at the renderer client (issue 9): counted,
// nothing dispatched wrongly, never a throw into ipcRenderer's emit.
import { createRendererClient } from '../renderer/dist/index.js'
import { malformedFrames } from './fixtures/hostile'
import { expectUnpolluted, snapshot } from './helpers/hostile'

type L = (event: unknown, ...args: unknown[]) => void
function fakeIpc(reply: (channel: string, ...args: unknown[]) => unknown = () => ({ success: true, data: 1, metadata: {} })) {
  const listeners = new Map<string, L[]>()
  const sent: unknown[][] = []
  return {
    sent,
    emit(channel: string, ...args: unknown[]) {
      for (const l of listeners.get(channel) ?? []) l({}, ...args)
    },
    on(channel: string, l: L) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), l])
    },
    removeListener(channel: string, l: L) {
      listeners.set(channel, (listeners.get(channel) ?? []).filter((x) => x !== l))
    },
    send(...args: unknown[]) {
      sent.push(args)
    },
    invoke: async (channel: string, ...args: unknown[]) => reply(channel, ...args),
  }
}
const frame = (seq: number, channels = ['c'], payloads: unknown[] = [seq], stream = 1) => ({ ipcflow: 'frame', v: 1, stream, seq, channels, payloads })

function setup() {
  const ipc = fakeIpc()
  const got: unknown[] = []
  const errors: unknown[] = []
  const client = createRendererClient(ipc as any, { onListenerError: (e) => errors.push(e), onProtocolError: () => {} })
  client.on('c', (p) => got.push(p))
  return { ipc, got, errors, client }
}

describe('malformed frames', () => {
  const before = snapshot()
  test.each(malformedFrames())('%s: counted, not dispatched, no throw', (_name, value) => {
    const { ipc, got, client } = setup()
    ipc.emit('ipcflow:frame', frame(1))
    expect(() => ipc.emit('ipcflow:frame', value)).not.toThrow()
    const stats = client.getStats()
    expect(got).toEqual([1])
    expect(stats.frames).toBe(1)
    expect(stats.malformed).toBe(1)
    ipc.emit('ipcflow:frame', frame(2))
    expect(got).toEqual([1, 2])
    expectUnpolluted(before)
    client.dispose()
  })

  test('another protocol version is counted as a version mismatch, not dispatched', () => {
    const { ipc, got, client } = setup()
    ipc.emit('ipcflow:frame', { ...frame(1), v: 2 })
    ipc.emit('ipcflow:frame', { ...frame(1), v: '1' })
    expect(got).toEqual([])
    expect(client.getStats().versionMismatches).toBe(2)
  })

  test('replayed and reordered frames: counted as duplicates, dispatched once', () => {
    const { ipc, got, client } = setup()
    for (const seq of [1, 2, 2, 1, 4, 3, 4, 5]) ipc.emit('ipcflow:frame', frame(seq))
    expect(got).toEqual([1, 2, 4, 5])
    expect(client.getStats()).toMatchObject({ frames: 4, duplicates: 4, gaps: 1, lostFrames: 1 })
  })

  test('separate streams keep separate sequences', () => {
    const { ipc, got } = setup()
    ipc.emit('ipcflow:frame', frame(1, ['c'], ['a1'], 1))
    ipc.emit('ipcflow:frame', frame(1, ['c'], ['b1'], 2))
    ipc.emit('ipcflow:frame', frame(2, ['c'], ['a2'], 1))
    expect(got).toEqual(['a1', 'b1', 'a2'])
  })

  test('frames with reserved or prototype channel names dispatch to nobody', () => {
    const { ipc, got, client } = setup()
    ipc.emit('ipcflow:frame', frame(1, ['ipcflow:frame', '__proto__', 'constructor', 'toString', 'c'], [1, 2, 3, 4, 5]))
    expect(got).toEqual([5])
    expect(client.getStats().messages).toBe(5)
  })

  test('a frame of 100,000 messages and a listener that throws on each: all reported, none lost', () => {
    const ipc = fakeIpc()
    let n = 0
    const errors: unknown[] = []
    const client = createRendererClient(ipc as any, { onListenerError: (e) => errors.push(e) })
    client.on('c', () => {
      n++
      throw new Error('listener boom')
    })
    client.on('c', () => n++)
    const channels = new Array(100_000).fill('c')
    ipc.emit('ipcflow:frame', frame(1, channels, channels.map((_, i) => i)))
    expect(n).toBe(200_000)
    expect(errors).toHaveLength(100_000)
  })

  test('foreign ipcflow:* messages are ignored, never dispatched, never throw', () => {
    const { ipc, got, client } = setup()
    for (const channel of ['ipcflow:ready', 'ipcflow:ack', 'ipcflow:cancel', 'ipcflow:stream-ack', 'ipcflow:unknown', 'ipcflow:']) {
      expect(() => ipc.emit(channel, frame(1))).not.toThrow()
    }
    expect(got).toEqual([])
    expect(client.getStats().frames).toBe(0)
  })

  test('onGap, onListenerError and onProtocolError that throw are contained', () => {
    const ipc = fakeIpc()
    const client = createRendererClient(ipc as any, {
      onGap: () => { throw new Error('gap boom') },
      onListenerError: () => { throw new Error('reporter boom') },
      onProtocolError: () => { throw new Error('protocol boom') },
    })
    client.on('c', () => { throw new Error('listener boom') })
    expect(() => {
      ipc.emit('ipcflow:frame', frame(1))
      ipc.emit('ipcflow:frame', frame(5))
      ipc.emit('ipcflow:frame', { ...frame(6), v: 9 })
    }).not.toThrow()
    expect(client.getStats()).toMatchObject({ frames: 2, gaps: 1, versionMismatches: 1 })
  })

  test('an ack that cannot be sent (send throws) is reported, the frame still dispatched', () => {
    const ipc = fakeIpc()
    ipc.send = () => { throw new Error('send boom') }
    const errors: unknown[] = []
    const got: unknown[] = []
    const client = createRendererClient(ipc as any, { onListenerError: (e) => errors.push(e), announceReady: false })
    client.on('c', (p) => got.push(p))
    ipc.emit('ipcflow:frame', { ...frame(1), ack: true })
    expect(got).toEqual([1])
    expect(errors).toHaveLength(1)
  })
})

describe('regressions', () => {
  test('renderer: a huge seq jump is counted as malformed and does not silence the stream', () => {
    const { ipc, got, client } = setup()
    ipc.emit('ipcflow:frame', frame(1))
    ipc.emit('ipcflow:frame', frame(Number.MAX_SAFE_INTEGER))
    ipc.emit('ipcflow:frame', frame(2))
    expect(got).toEqual([1, 2])
    expect(client.getStats()).toMatchObject({ malformed: 1, duplicates: 0, gaps: 0 })
  })

  test('renderer: a frame whose getters throw is counted as malformed, not thrown into ipcRenderer', () => {
    const { ipc, client } = setup()
    expect(() => ipc.emit('ipcflow:frame', new Proxy({}, { get: () => { throw new Error('trap') } }))).not.toThrow()
    expect(client.getStats().malformed).toBe(1)
  })

  test('renderer: a malformed stream chunk is counted and never handed to the consumer', async () => {
    let id = ''
    const ipc = fakeIpc((_channel, request: any) => {
      id = request.id
      return { success: true, data: { ipcflow: 'stream', v: 1, highWaterMark: 4, chunkSize: 1 }, metadata: {} }
    })
    const client = createRendererClient(ipc as any)
    const it = client.stream('s', [])[Symbol.asyncIterator]()
    await new Promise((r) => setImmediate(r))
    ipc.emit('ipcflow:stream', { ipcflow: 'chunk', id, index: 0, items: 'not an array', itemsSoFar: 1 })
    ipc.emit('ipcflow:stream', { ipcflow: 'bogus', id })
    ipc.emit('ipcflow:stream', null)
    ipc.emit('ipcflow:stream', { ipcflow: 'chunk', id, index: 0, items: [7], itemsSoFar: 1 })
    ipc.emit('ipcflow:stream', { ipcflow: 'error', id, error: 'not an object' })
    expect(await it.next()).toEqual({ done: false, value: { index: 0, items: [7], itemsSoFar: 1 } })
    await expect(it.next()).rejects.toMatchObject({ code: 'E_HANDLER', message: 'The stream failed' })
    expect(client.getStats().malformed).toBe(3)
  })

  test('renderer: a malformed request-batch reply gives every caller E_PROTOCOL, never another call\'s reply', async () => {
    for (const reply of [
      { ipcflow: 'batch', v: 1, envelopes: [{ success: true, data: 'a', metadata: {} }] }, // wrong length
      { ipcflow: 'batch', v: 1, envelopes: [{ success: true, data: 'a', metadata: {} }, 'garbage'] },
      'garbage',
      { data: 'secret of another call' },
    ]) {
      const ipc = fakeIpc(() => reply)
      const client = createRendererClient(ipc as any, { batchChannels: ['b'] })
      const results = await Promise.allSettled([client.invoke('b', 1), client.invoke('b', 2)])
      for (const r of results) {
        if (r.status === 'fulfilled') expect(r.value).toBe('a')
        else expect(r.reason).toMatchObject({ code: 'E_PROTOCOL' })
      }
      expect(results.some((r) => r.status === 'rejected')).toBe(true)
    }
  })
})

describe('through a renderer process (structured clone)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ensureRendererBuilt } = require('../test/standin')
  beforeAll(() => ensureRendererBuilt())

  test('cloneable malformed frames, replays, reorders, a huge seq jump and foreign ipcflow:* messages: counted, only good frames dispatched', async () => {
    const { openWindow } = await import('./helpers/window')
    const w = await openWindow(['c'])
    try {
      const bad = malformedFrames().filter(([, v]) => {
        try {
          structuredClone(v)
          return true
        } catch {
          return false
        }
      })
      expect(bad.length).toBeGreaterThan(15)
      w.wc.send('ipcflow:frame', frame(1))
      for (const [, v] of bad) w.wc.send('ipcflow:frame', v)
      for (const seq of [1, 3, 2, 3, 2 ** 40, 4]) w.wc.send('ipcflow:frame', frame(seq))
      for (const channel of ['ipcflow:ready', 'ipcflow:ack', 'ipcflow:stream', 'ipcflow:unknown']) w.wc.send(channel, frame(9))
      const r = await w.waitForMessages(3)
      expect(r.messages.map((m) => m.payload)).toEqual([1, 3, 4])
      expect(r.stats).toMatchObject({ frames: 3, duplicates: 3, gaps: 1, lostFrames: 1, malformed: bad.length + 1 })
    } finally {
      await w.close()
    }
  })
})
