import { createRendererClient, FRAME_CHANNEL, READY_CHANNEL, type Frame, type IpcRendererLike } from '../renderer'

type Listener = (event: unknown, ...args: any[]) => void

/** In-process ipcRenderer: records subscriptions and sends, lets the test emit. */
function fakeIpc() {
  const listeners = new Map<string, Listener[]>()
  const sent: { channel: string; args: any[] }[] = []
  const ipc: IpcRendererLike = {
    on(channel, listener) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener])
    },
    removeListener(channel, listener) {
      listeners.set(channel, (listeners.get(channel) ?? []).filter((l) => l !== listener))
    },
    send(channel, ...args) {
      sent.push({ channel, args })
    },
    invoke: async () => undefined,
  }
  const emit = (channel: string, ...args: any[]) => (listeners.get(channel) ?? []).forEach((l) => l({}, ...args))
  const count = (channel: string) => listeners.get(channel)?.length ?? 0
  return { ipc, sent, emit, count }
}

const frame = (seq: number, messages: [string, unknown][], stream = 7): Frame => ({
  ipcflow: 'frame',
  v: 1,
  stream,
  seq,
  channels: messages.map((m) => m[0]),
  payloads: messages.map((m) => m[1]),
})

describe('renderer client', () => {
  test('dispatches a frame in order across channels', () => {
    const f = fakeIpc()
    const client = createRendererClient(f.ipc)
    const seen: string[] = []
    client.on('a', (p) => seen.push(`a:${p}`))
    client.on('b', (p) => seen.push(`b:${p}`))
    f.emit(FRAME_CHANNEL, frame(1, [['a', 1], ['b', 2], ['a', 3], ['c', 4], ['b', 5]]))
    f.emit(FRAME_CHANNEL, frame(2, [['b', 6]]))
    expect(seen).toEqual(['a:1', 'b:2', 'a:3', 'b:5', 'b:6'])
    expect(client.getStats()).toEqual({ frames: 2, messages: 6, gaps: 0, lostFrames: 0, malformed: 0, duplicates: 0 })
  })

  test('several listeners on one channel run in subscription order', () => {
    const f = fakeIpc()
    const client = createRendererClient(f.ipc)
    const seen: string[] = []
    client.on('a', (p) => seen.push(`1:${p}`))
    client.on('a', (p) => seen.push(`2:${p}`))
    f.emit(FRAME_CHANNEL, frame(1, [['a', 'x'], ['a', 'y']]))
    expect(seen).toEqual(['1:x', '2:x', '1:y', '2:y'])
  })

  test('a new stream (a new main-side BatchManager) starts its own seq baseline', () => {
    const f = fakeIpc()
    const gaps: unknown[] = []
    const client = createRendererClient(f.ipc, { onGap: (g) => gaps.push(g) })
    const seen: unknown[] = []
    client.on('a', (p) => seen.push(p))
    f.emit(FRAME_CHANNEL, frame(1, [['a', 1]], 7))
    f.emit(FRAME_CHANNEL, frame(2, [['a', 2]], 7))
    f.emit(FRAME_CHANNEL, frame(1, [['a', 'new']], 8)) // seq 1 again, other stream: delivered
    f.emit(FRAME_CHANNEL, frame(3, [['a', 3]], 7))
    f.emit(FRAME_CHANNEL, frame(2, [['a', 'dup']], 7)) // old seq of stream 7: a duplicate
    expect(seen).toEqual([1, 2, 'new', 3])
    expect(gaps).toEqual([])
    expect(client.getStats()).toMatchObject({ frames: 4, duplicates: 1 })
  })

  test('the first frame is the baseline; a jump forward reports a gap', () => {
    const f = fakeIpc()
    const gaps: unknown[] = []
    const client = createRendererClient(f.ipc, { onGap: (g) => gaps.push(g) })
    const seen: unknown[] = []
    client.on('a', (p) => seen.push(p))
    f.emit(FRAME_CHANNEL, frame(41, [['a', 41]])) // started late: no gap
    f.emit(FRAME_CHANNEL, frame(42, [['a', 42]]))
    f.emit(FRAME_CHANNEL, frame(45, [['a', 45]]))
    expect(gaps).toEqual([{ expected: 43, received: 45, lost: 2 }])
    expect(seen).toEqual([41, 42, 45]) // the frame after a gap is still delivered
    expect(client.getStats()).toMatchObject({ frames: 3, gaps: 1, lostFrames: 2 })
  })

  test('duplicate and old frames are counted and ignored', () => {
    const f = fakeIpc()
    const client = createRendererClient(f.ipc)
    const seen: unknown[] = []
    client.on('a', (p) => seen.push(p))
    f.emit(FRAME_CHANNEL, frame(1, [['a', 1]]))
    f.emit(FRAME_CHANNEL, frame(2, [['a', 2]]))
    f.emit(FRAME_CHANNEL, frame(2, [['a', 'dup']]))
    f.emit(FRAME_CHANNEL, frame(1, [['a', 'old']]))
    f.emit(FRAME_CHANNEL, frame(3, [['a', 3]]))
    expect(seen).toEqual([1, 2, 3])
    expect(client.getStats()).toMatchObject({ frames: 3, duplicates: 2, gaps: 0 })
  })

  test('malformed frames and unknown versions are counted, dispatch nothing, and do not move seq', () => {
    const f = fakeIpc()
    const client = createRendererClient(f.ipc)
    const seen: unknown[] = []
    client.on('a', (p) => seen.push(p))
    const good = frame(1, [['a', 1]])
    const bad: unknown[] = [
      undefined,
      null,
      'frame',
      42,
      { ...good, ipcflow: 'other' },
      { ...good, v: 2 },
      { ...good, seq: '1' },
      { ...good, seq: 1.5 },
      { ...good, seq: -1 },
      { ...good, channels: 'a' },
      { ...good, payloads: undefined },
      { ...good, channels: ['a', 'a'] }, // length mismatch
      { ...good, channels: ['a', 7], payloads: [1, 2] }, // a non-string channel: none of it dispatched
    ]
    for (const b of bad) f.emit(FRAME_CHANNEL, b)
    expect(seen).toEqual([])
    expect(client.getStats()).toMatchObject({ frames: 0, malformed: bad.length })
    f.emit(FRAME_CHANNEL, frame(5, [['a', 5]]))
    expect(client.getStats()).toMatchObject({ frames: 1, gaps: 0 }) // still the baseline
  })

  test('direct (unbatched) messages reach the same listeners; one ipcRenderer subscription per channel', () => {
    const f = fakeIpc()
    const client = createRendererClient(f.ipc)
    const seen: unknown[] = []
    const l1 = (p: unknown) => seen.push(['l1', p])
    const l2 = (p: unknown) => seen.push(['l2', p])
    const off1 = client.on('a', l1)
    client.on('a', l2)
    expect(f.count('a')).toBe(1)
    f.emit('a', { x: 1 })
    f.emit(FRAME_CHANNEL, frame(1, [['a', 2]]))
    expect(seen).toEqual([['l1', { x: 1 }], ['l2', { x: 1 }], ['l1', 2], ['l2', 2]])
    off1()
    off1() // idempotent
    expect(f.count('a')).toBe(1)
    client.off('a', l2)
    expect(f.count('a')).toBe(0) // last listener gone: ipcRenderer unsubscribed
    f.emit(FRAME_CHANNEL, frame(2, [['a', 3]]))
    expect(seen).toHaveLength(4)
    expect(client.getStats().messages).toBe(3)
  })

  test('a throwing listener does not stop the rest of the frame', () => {
    const f = fakeIpc()
    const errors: [unknown, string][] = []
    const client = createRendererClient(f.ipc, { onListenerError: (e, ch) => errors.push([e, ch]) })
    const seen: unknown[] = []
    client.on('a', (p) => {
      if (p === 2) throw new Error('boom')
      seen.push(p)
    })
    client.on('a', (p) => seen.push(`second:${p}`))
    f.emit(FRAME_CHANNEL, frame(1, [['a', 1], ['a', 2], ['a', 3]]))
    expect(seen).toEqual([1, 'second:1', 'second:2', 3, 'second:3'])
    expect(errors).toHaveLength(1)
    expect((errors[0][0] as Error).message).toBe('boom')
    expect(errors[0][1]).toBe('a')
  })

  test('a throwing listener goes to console.error by default', () => {
    const f = fakeIpc()
    const spy = jest.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const client = createRendererClient(f.ipc)
      client.on('a', () => {
        throw new Error('boom')
      })
      f.emit(FRAME_CHANNEL, frame(1, [['a', 1]]))
      expect(spy).toHaveBeenCalledTimes(1)
    } finally {
      spy.mockRestore()
    }
  })

  test('a listener added during dispatch sees only later messages', () => {
    const f = fakeIpc()
    const client = createRendererClient(f.ipc)
    const seen: unknown[] = []
    client.on('a', (p) => {
      seen.push(p)
      if (p === 1) client.on('a', (q) => seen.push(`late:${q}`))
    })
    f.emit(FRAME_CHANNEL, frame(1, [['a', 1], ['a', 2]]))
    expect(seen).toEqual([1, 2, 'late:2'])
  })

  test('announces ready once, after subscribing to the frame channel', () => {
    const f = fakeIpc()
    const order: string[] = []
    const ipc: IpcRendererLike = {
      ...f.ipc,
      on: (channel, listener) => {
        order.push(`on:${channel}`)
        f.ipc.on(channel, listener)
      },
      send: (channel, ...args) => {
        order.push(`send:${channel}`)
        f.ipc.send(channel, ...args)
      },
    }
    createRendererClient(ipc)
    expect(order).toEqual([`on:${FRAME_CHANNEL}`, `send:${READY_CHANNEL}`])
    expect(f.sent).toEqual([{ channel: READY_CHANNEL, args: [] }])

    const quiet = fakeIpc()
    createRendererClient(quiet.ipc, { announceReady: false })
    expect(quiet.sent).toEqual([])
  })

  test('dispose removes every ipcRenderer listener', () => {
    const f = fakeIpc()
    const client = createRendererClient(f.ipc)
    const seen: unknown[] = []
    client.on('a', (p) => seen.push(p))
    client.on('b', (p) => seen.push(p))
    client.dispose()
    expect([f.count(FRAME_CHANNEL), f.count('a'), f.count('b')]).toEqual([0, 0, 0])
    f.emit(FRAME_CHANNEL, frame(1, [['a', 1]]))
    f.emit('a', 2)
    expect(seen).toEqual([])
    expect(() => client.on('a', () => {})).toThrow(/disposed/)
    client.dispose() // idempotent
  })

  test('functions work detached (as after contextBridge)', () => {
    const f = fakeIpc()
    const { on, off, getStats } = createRendererClient(f.ipc)
    const seen: unknown[] = []
    const l = (p: unknown) => seen.push(p)
    const stop = on('a', l)
    f.emit(FRAME_CHANNEL, frame(1, [['a', 1]]))
    stop()
    on('a', l)
    off('a', l)
    f.emit(FRAME_CHANNEL, frame(2, [['a', 2]]))
    expect(seen).toEqual([1])
    expect(getStats().frames).toBe(2)
  })

  test('reserved channels and bad arguments are refused', () => {
    const client = createRendererClient(fakeIpc().ipc)
    expect(() => client.on(FRAME_CHANNEL, () => {})).toThrow(TypeError)
    expect(() => client.on(READY_CHANNEL, () => {})).toThrow(TypeError)
    expect(() => client.on('a', 'nope' as any)).toThrow(TypeError)
  })
})
