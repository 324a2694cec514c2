import { createRendererClient, isIpcError, IpcError, ACK_CHANNEL, CANCEL_CHANNEL, FRAME_CHANNEL, READY_CHANNEL, PROTOCOL_VERSION, type Frame, type IpcRendererLike } from '../renderer'

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
    expect(client.getStats()).toEqual({ frames: 2, messages: 6, gaps: 0, lostFrames: 0, malformed: 0, versionMismatches: 0, duplicates: 0, requestBatches: 0, batchedCalls: 0 })
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

  test('frames that ask for it are acknowledged after dispatch, cumulatively', () => {
    const f = fakeIpc()
    const client = createRendererClient(f.ipc, { announceReady: false })
    const seen: unknown[] = []
    client.on('a', (p) => seen.push(p))
    f.emit(FRAME_CHANNEL, frame(1, [['a', 1]]))
    f.emit(FRAME_CHANNEL, { ...frame(2, [['a', 2]]), ack: true })
    f.emit(FRAME_CHANNEL, { ...frame(2, [['a', 'again']]), ack: true }) // a duplicate still acks
    expect(seen).toEqual([1, 2])
    expect(f.sent).toEqual([
      { channel: ACK_CHANNEL, args: [7, 2] },
      { channel: ACK_CHANNEL, args: [7, 2] },
    ])
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
    const client = createRendererClient(f.ipc, { onProtocolError: () => {} })
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
    // The v: 2 frame is well formed for another protocol version: counted apart (see the E_PROTOCOL test).
    expect(client.getStats()).toMatchObject({ frames: 0, malformed: bad.length - 1, versionMismatches: 1 })
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
    expect(order).toEqual([`on:${FRAME_CHANNEL}`, 'on:ipcflow:ping', `send:${READY_CHANNEL}`])
    expect(f.sent).toEqual([{ channel: READY_CHANNEL, args: [{ v: PROTOCOL_VERSION, acks: true }] }])

    const quiet = fakeIpc()
    createRendererClient(quiet.ipc, { announceReady: false })
    expect(quiet.sent).toEqual([])
  })

  test('answers pings with a pong of the same id; answerPings: false does not listen', () => {
    const f = fakeIpc()
    const client = createRendererClient(f.ipc, { announceReady: false })
    f.emit('ipcflow:ping', { ipcflow: 'ping', v: PROTOCOL_VERSION, id: 41 })
    f.emit('ipcflow:ping', { ipcflow: 'ping', v: 99, id: 42 }) // another version: not answered
    f.emit('ipcflow:ping', 'junk')
    expect(f.sent).toEqual([{ channel: 'ipcflow:pong', args: [{ ipcflow: 'pong', v: PROTOCOL_VERSION, id: 41 }] }])
    client.dispose()
    expect(f.count('ipcflow:ping')).toBe(0)
    const quiet = fakeIpc()
    createRendererClient(quiet.ipc, { answerPings: false })
    expect(quiet.count('ipcflow:ping')).toBe(0)
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

  test('reserved channels and bad arguments are refused with IpcError E_INVALID_ARGUMENT', () => {
    const client = createRendererClient(fakeIpc().ipc)
    const invalid = (argument: string) => expect.objectContaining({ name: 'IpcError', code: 'E_INVALID_ARGUMENT', details: expect.objectContaining({ argument }) })
    expect(() => client.on(FRAME_CHANNEL, () => {})).toThrow(invalid('channel'))
    expect(() => client.on(READY_CHANNEL, () => {})).toThrow(invalid('channel'))
    expect(() => client.on('ipcflow:future', () => {})).toThrow(invalid('channel'))
    expect(() => client.on('', () => {})).toThrow(invalid('channel'))
    expect(() => client.on(7 as any, () => {})).toThrow(invalid('channel'))
    expect(() => client.on('a', 'nope' as any)).toThrow(invalid('listener'))
    expect(() => client.on('a', () => {})).not.toThrow()
    client.dispose()
    expect(() => client.on('a', () => {})).toThrow(expect.objectContaining({ code: 'E_CLOSED' }))
  })

  test('a frame of another protocol version is reported as E_PROTOCOL, once per client by default, and not dispatched', () => {
    const f = fakeIpc()
    const errors: any[] = []
    const client = createRendererClient(f.ipc, { onProtocolError: (e) => errors.push(e) })
    const seen: unknown[] = []
    client.on('a', (p) => seen.push(p))
    f.emit(FRAME_CHANNEL, { ...frame(1, [['a', 1]]), v: 2 })
    f.emit(FRAME_CHANNEL, { ...frame(2, [['a', 2]]), v: 2 })
    expect(seen).toEqual([])
    expect(errors).toHaveLength(2)
    expect(errors[0]).toMatchObject({ code: 'E_PROTOCOL', details: { received: '2' } })
    expect(errors[0].message).toMatch(/protocol v2.*v1.*same ipcflow version/)
    expect(client.getStats()).toMatchObject({ versionMismatches: 2, malformed: 0, frames: 0 })

    const logged = jest.spyOn(console, 'error').mockImplementation(() => {})
    const quiet = fakeIpc()
    createRendererClient(quiet.ipc)
    quiet.emit(FRAME_CHANNEL, { ...frame(1, []), v: 2 })
    quiet.emit(FRAME_CHANNEL, { ...frame(2, []), v: 2 })
    expect(logged).toHaveBeenCalledTimes(1)
    logged.mockRestore()
  })
})

/** An ipcRenderer whose invokes the test answers by hand. */
// `on` and `onBatch` each keep one ListenerTable (renderer/listeners.ts).
describe('renderer client listener tables', () => {
  test('onBatch: one ipcRenderer subscription per channel, a throw is reported and the rest still run', () => {
    const f = fakeIpc()
    const errors: [unknown, string][] = []
    const client = createRendererClient(f.ipc, { onListenerError: (e, ch) => errors.push([e, ch]) })
    const seen: unknown[] = []
    const stopThrow = client.onBatch('a', () => {
      throw new Error('boom')
    })
    const stopSeen = client.onBatch('a', (ps) => seen.push(ps))
    expect(f.count('a')).toBe(1)
    f.emit(FRAME_CHANNEL, frame(1, [['a', 1], ['b', 0], ['a', 2]]))
    f.emit('a', 3)
    expect(seen).toEqual([[1, 2], [3]])
    expect(errors.map(([e, ch]) => [(e as Error).message, ch])).toEqual([['boom', 'a'], ['boom', 'a']])
    stopThrow()
    expect(f.count('a')).toBe(1)
    stopSeen()
    expect(f.count('a')).toBe(0) // last listener gone: ipcRenderer unsubscribed
    f.emit(FRAME_CHANNEL, frame(2, [['a', 4]]))
    expect(seen).toHaveLength(2)
  })

  test('the same listener subscribed twice: each unsubscribe removes one subscription, for on and onBatch', () => {
    const f = fakeIpc()
    const client = createRendererClient(f.ipc)
    const seen: unknown[] = []
    const l = (p: unknown) => seen.push(p)
    const offs = [client.on('a', l), client.on('a', l), client.onBatch('a', l), client.onBatch('a', l)]
    expect(f.count('a')).toBe(2) // one per table
    f.emit(FRAME_CHANNEL, frame(1, [['a', 1]]))
    expect(seen).toEqual([1, 1, [1], [1]])
    offs[0]()
    offs[2]()
    f.emit(FRAME_CHANNEL, frame(2, [['a', 2]]))
    expect(seen.slice(4)).toEqual([2, [2]])
    offs[1]()
    offs[3]()
    expect(f.count('a')).toBe(0)
  })

  test('a listener removed during a delivery still runs for that delivery (it iterates a snapshot), not later', () => {
    const f = fakeIpc()
    const client = createRendererClient(f.ipc)
    const seen: unknown[] = []
    let stopSecond = (): void => {}
    client.on('a', (p) => {
      seen.push(`first:${p}`)
      stopSecond()
    })
    stopSecond = client.on('a', (p) => seen.push(`second:${p}`))
    f.emit(FRAME_CHANNEL, frame(1, [['a', 1], ['a', 2]]))
    expect(seen).toEqual(['first:1', 'second:1', 'first:2'])
  })

  test('dispose removes onBatch subscriptions too', () => {
    const f = fakeIpc()
    const client = createRendererClient(f.ipc)
    const seen: unknown[] = []
    client.onBatch('a', (ps) => seen.push(ps))
    client.onLatest('b', (p) => seen.push(p))
    client.dispose()
    expect([f.count('a'), f.count('b')]).toEqual([0, 0])
    f.emit(FRAME_CHANNEL, frame(1, [['a', 1], ['b', 1]]))
    f.emit('a', 2)
    expect(seen).toEqual([])
  })
})

function invokeIpc() {
  const f = fakeIpc()
  const calls: { channel: string; args: any[]; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = []
  f.ipc.invoke = (channel: string, ...args: any[]) =>
    new Promise((resolve, reject) => {
      calls.push({ channel, args, resolve, reject })
    })
  return { ...f, calls }
}
const okEnvelope = (data: unknown) => ({ success: true, data, metadata: { executionTimeMs: 1, cached: false } })
const errEnvelope = (code: string, message: string, details: object) => ({ success: false, error: { code, message, details }, metadata: { executionTimeMs: 1 } })
const caught = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection') }, (e) => e)

describe('renderer client invoke', () => {
  test('sends one request object and resolves with data', async () => {
    const f = invokeIpc()
    const client = createRendererClient(f.ipc)
    const pending = client.invoke('db:search', { q: 'x' }, 2)
    expect(f.calls).toHaveLength(1)
    expect(f.calls[0].channel).toBe('db:search')
    expect(f.calls[0].args).toEqual([{ ipcflow: 'invoke', v: 1, id: expect.any(String), args: [{ q: 'x' }, 2] }])
    f.calls[0].resolve(okEnvelope(['hit']))
    await expect(pending).resolves.toEqual(['hit'])
  })

  test('an error envelope rejects with an IpcError carrying code and details', async () => {
    const f = invokeIpc()
    const client = createRendererClient(f.ipc)
    const pending = caught(client.invoke('a'))
    f.calls[0].resolve(errEnvelope('E_VALIDATION', 'Invalid arguments', { errors: [{ pointer: '/q', keyword: 'type', message: 'not a string' }] }))
    const err = await pending
    expect(err).toBeInstanceOf(IpcError)
    expect(err).toBeInstanceOf(Error)
    expect(isIpcError(err)).toBe(true)
    expect(err).toMatchObject({ name: 'IpcError', code: 'E_VALIDATION', message: 'Invalid arguments', details: { errors: [{ pointer: '/q' }] } })
  })

  test('a malformed error envelope still rejects with an IpcError; a non-envelope value resolves as is', async () => {
    const f = invokeIpc()
    const client = createRendererClient(f.ipc)
    const bad = caught(client.invoke('a'))
    f.calls[0].resolve({ success: false, error: 'nope', metadata: {} })
    expect(await bad).toMatchObject({ code: 'E_HANDLER', details: {} })
    const plain = client.invoke('b')
    f.calls[1].resolve({ some: 'value' })
    await expect(plain).resolves.toEqual({ some: 'value' })
  })

  test.each([
    ["Error invoking remote method 'a': Error: No handler registered for 'a'", 'E_NOT_FOUND', "No handler registered for 'a'"],
    ['An object could not be cloned.', 'E_UNCLONEABLE', 'An object could not be cloned.'],
    ["Error invoking remote method 'a': Error: something else", 'E_HANDLER', 'something else'],
  ])('a rejected ipcRenderer.invoke (%s) becomes %s', async (message, code, clean) => {
    const f = invokeIpc()
    const client = createRendererClient(f.ipc)
    const pending = caught(client.invoke('a'))
    f.calls[0].reject(new Error(message))
    expect(await pending).toMatchObject({ code, message: clean, details: { channel: 'a' } })
  })

  test('abort: rejects with E_CANCELLED at once, tells main, ignores the late reply', async () => {
    const f = invokeIpc()
    const client = createRendererClient(f.ipc, { announceReady: false })
    const controller = new AbortController()
    const pending = caught(client.invokeWithOptions('slow', [1], { signal: controller.signal }))
    controller.abort()
    expect(await pending).toMatchObject({ code: 'E_CANCELLED', details: { channel: 'slow' } })
    expect(f.sent).toEqual([{ channel: CANCEL_CHANNEL, args: [f.calls[0].args[0].id] }])
    f.calls[0].resolve(okEnvelope('late'))
    await Promise.resolve()
    const aborted = caught(client.invokeWithOptions('slow', [], { signal: AbortSignal.abort() }))
    expect(await aborted).toMatchObject({ code: 'E_CANCELLED' })
    expect(f.calls).toHaveLength(1) // never sent
  })

  test('timeoutMs: E_TIMEOUT and a cancel; a fast answer clears the timer', async () => {
    const f = invokeIpc()
    const client = createRendererClient(f.ipc, { announceReady: false })
    const pending = caught(client.invokeWithOptions('slow', [], { timeoutMs: 10 }))
    expect(await pending).toMatchObject({ code: 'E_TIMEOUT', details: { timeoutMs: 10 } })
    expect(f.sent.map((s) => s.channel)).toEqual([CANCEL_CHANNEL])
    const fast = client.invokeWithOptions('fast', [], { timeoutMs: 10_000 })
    f.calls[1].resolve(okEnvelope(1))
    await expect(fast).resolves.toBe(1) // jest would report the 10 s timer if it were left running
  })

  test('bad arguments reject with E_INVALID_ARGUMENT', async () => {
    const client = createRendererClient(invokeIpc().ipc)
    expect(await caught(client.invoke(3 as any))).toMatchObject({ code: 'E_INVALID_ARGUMENT' })
    expect(await caught(client.invokeWithOptions('a', 'x' as any))).toMatchObject({ code: 'E_INVALID_ARGUMENT' })
    expect(await caught(client.invokeWithOptions('a', [], { timeoutMs: -5 }))).toMatchObject({ code: 'E_INVALID_ARGUMENT' })
  })

  test('a trailing options-looking argument is just an argument', async () => {
    const f = invokeIpc()
    const client = createRendererClient(f.ipc)
    void client.invoke('a', { signal: 'not options' })
    expect(f.calls[0].args[0].args).toEqual([{ signal: 'not options' }])
  })

  test('dispose rejects pending requests with E_CLOSED, and later ones too', async () => {
    const f = invokeIpc()
    const client = createRendererClient(f.ipc, { announceReady: false })
    const pending = caught(client.invoke('a'))
    client.dispose()
    expect(await pending).toMatchObject({ code: 'E_CLOSED' })
    expect(f.sent.map((s) => s.channel)).toEqual([CANCEL_CHANNEL])
    expect(await caught(client.invoke('a'))).toMatchObject({ code: 'E_CLOSED' })
  })

  test('works detached; request ids differ across clients; the cancel channel is reserved', async () => {
    const f = invokeIpc()
    const { invoke } = createRendererClient(f.ipc)
    const other = createRendererClient(f.ipc)
    void invoke('a')
    void invoke('a')
    void other.invoke('a')
    const ids = f.calls.map((c) => c.args[0].id)
    expect(new Set(ids).size).toBe(3)
    expect(() => other.on(CANCEL_CHANNEL, () => {})).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })
})
