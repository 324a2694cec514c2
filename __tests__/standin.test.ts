import * as path from 'path'
import { types } from 'util'
const { createWindow, IpcMain, ensureRendererBuilt } = require('../test/standin')

const PROBE = path.join(__dirname, '..', 'test', 'standin', 'renderers', 'probe.js')
const RECORDER = path.join(__dirname, '..', 'test', 'standin', 'renderers', 'recorder.js')

// Values cloned in the main realm are not instances of jest's sandboxed Map/Date
// classes, so checks use util.types (realm-independent) instead of instanceof.

const open: any[] = []
async function open_(opts: Record<string, unknown>) {
  const win = await createWindow(opts)
  open.push(win)
  return win
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()))
})

describe.each(['process', 'worker'] as const)('stand-in (%s)', (kind) => {
  test('messages arrive in order, structured-cloned (Map, Date, typed array)', async () => {
    const win = await open_({ kind, renderer: PROBE, rendererOptions: { channels: ['a', 'b'] } })
    const wc = win.webContents
    for (let i = 0; i < 100; i++) wc.send(i % 3 ? 'a' : 'b', i)
    wc.send('a', new Map([['k', { deep: [1, 2] }]]), new Date(1234), new Float64Array([1.5, 2.5]))
    wc.send('ignored', 'nobody listens')
    const got = await win.request('dump')
    expect(got).toHaveLength(101)
    expect(got.slice(0, 100).map((m: any) => m.args[0])).toEqual([...Array(100).keys()])
    const [map, date, floats] = got[100].args
    expect(types.isMap(map) && map.get('k')).toEqual({ deep: [1, 2] })
    expect(types.isDate(date) && date.getTime()).toBe(1234)
    expect(types.isFloat64Array(floats) && Array.from(floats)).toEqual([1.5, 2.5])
  })

  test('an uncloneable payload throws synchronously and the window keeps working', async () => {
    const win = await open_({ kind, renderer: PROBE, rendererOptions: { channels: ['a'] } })
    win.webContents.send('a', 1)
    expect(() => win.webContents.send('a', { f: () => 1 })).toThrow('Failed to serialize arguments')
    expect(() => win.webContents.send('a', Symbol('s'))).toThrow('Failed to serialize arguments')
    win.webContents.send('a', 2)
    expect((await win.request('dump')).map((m: any) => m.args[0])).toEqual([1, 2])
  })

  test('destroy: isDestroyed, send throws, destroyed event', async () => {
    const win = await open_({ kind, renderer: PROBE })
    const wc = win.webContents
    const destroyed = jest.fn()
    wc.once('destroyed', destroyed)
    expect(wc.isDestroyed()).toBe(false)
    wc.destroy()
    expect(wc.isDestroyed()).toBe(true)
    expect(destroyed).toHaveBeenCalledTimes(1)
    expect(() => wc.send('a', 1)).toThrow('Object has been destroyed')
    await win.close()
  })

  test('a crashed renderer: render-process-gone, sends dropped silently, reload revives it', async () => {
    const win = await open_({ kind, renderer: PROBE, rendererOptions: { channels: ['a'] } })
    const wc = win.webContents
    const gone = new Promise((resolve) => wc.once('render-process-gone', (_e: unknown, details: unknown) => resolve(details)))
    wc.forcefullyCrashRenderer()
    expect(await gone).toMatchObject({ reason: 'crashed' })
    expect(wc.isDestroyed()).toBe(false)
    wc.send('a', 'lost')
    expect(() => wc.send('a', () => 1)).toThrow('Failed to serialize arguments')
    await wc.reload()
    wc.send('a', 'back')
    expect(await win.request('dump')).toEqual([{ channel: 'a', args: ['back'] }])
  })

  test('reload restarts the renderer and keeps the webContents and its id', async () => {
    const win = await open_({ kind, renderer: PROBE, rendererOptions: { channels: ['a'] } })
    const wc = win.webContents
    const id = wc.id
    wc.send('a', 'before')
    expect(await win.request('dump')).toHaveLength(1)
    await wc.reload()
    expect(win.webContents).toBe(wc)
    expect(wc.id).toBe(id)
    expect(wc.isDestroyed()).toBe(false)
    expect(await win.request('dump')).toEqual([]) // a fresh page
    wc.send('a', 'after')
    expect(await win.request('dump')).toEqual([{ channel: 'a', args: ['after'] }])
  })

  test('ipcMain.on receives renderer sends with sender and senderFrame', async () => {
    const ipcMain = new IpcMain()
    const win = await open_({ kind, renderer: PROBE, ipcMain, url: 'app://main/settings.html?x=1' })
    const got = new Promise<any[]>((resolve) => ipcMain.once('hello', (event: any, ...args: any[]) => resolve([event, args])))
    expect(await win.request('send', { channel: 'hello', args: [1, new Map([[2, 3]])] })).toEqual({ ok: true })
    const [event, args] = await got
    expect(event.sender).toBe(win.webContents)
    expect(event.senderFrame).toMatchObject({ origin: 'app://main', url: 'app://main/settings.html?x=1' })
    expect(args[0]).toBe(1)
    expect(types.isMap(args[1])).toBe(true)
  })

  test('an uncloneable renderer send throws in the renderer', async () => {
    const win = await open_({ kind, renderer: PROBE })
    expect(await win.request('send', { channel: 'x', args: [], uncloneable: true })).toEqual({
      ok: false,
      message: 'An object could not be cloned.',
    })
  })

  test('invoke round trips: result, throwing handler, missing handler, handleOnce', async () => {
    const ipcMain = new IpcMain()
    let sender: unknown
    ipcMain.handle('add', async (event: any, a: number, b: number) => {
      sender = event.sender
      return a + b
    })
    ipcMain.handle('fail', () => {
      throw new Error('no luck')
    })
    ipcMain.handleOnce('once', () => 'first')
    expect(() => ipcMain.handle('add', () => 0)).toThrow("Attempted to register a second handler for 'add'")
    const win = await open_({ kind, renderer: PROBE, ipcMain })
    const invoke = (channel: string, ...args: unknown[]) => win.request('invoke', { channel, args })

    expect(await invoke('add', 2, 3)).toEqual({ ok: true, value: 5 })
    expect(sender).toBe(win.webContents)
    expect(await invoke('fail')).toEqual({ ok: false, message: "Error invoking remote method 'fail': Error: no luck" })
    expect(await invoke('nope')).toEqual({
      ok: false,
      message: "Error invoking remote method 'nope': Error: No handler registered for 'nope'",
    })
    expect(await invoke('once')).toEqual({ ok: true, value: 'first' })
    expect((await invoke('once')).message).toMatch("No handler registered for 'once'")
    ipcMain.removeHandler('add')
    expect((await invoke('add', 1, 1)).message).toMatch("No handler registered for 'add'")
  })

  test('windows get distinct ids; a shared ipcMain tells them apart by event.sender', async () => {
    const ipcMain = new IpcMain()
    const senders: number[] = []
    ipcMain.on('who', (event: any) => senders.push(event.sender.id))
    const [w1, w2] = await Promise.all([
      open_({ kind, renderer: PROBE, ipcMain }),
      open_({ kind, renderer: PROBE, ipcMain }),
    ])
    expect(w1.webContents.id).not.toBe(w2.webContents.id)
    await w1.request('send', { channel: 'who', args: [] })
    await w2.request('send', { channel: 'who', args: [] })
    expect(senders).toEqual([w1.webContents.id, w2.webContents.id])
  })
})

describe('recorder renderer (with the ipcflow client)', () => {
  beforeAll(() => ensureRendererBuilt())

  test.each(['process', 'worker'] as const)('records frames, direct messages and gaps (%s)', async (kind) => {
    const ipcMain = new IpcMain()
    const ready = new Promise((resolve) => ipcMain.once('ipcflow:ready', (event: any) => resolve(event.sender)))
    const win = await open_({ kind, renderer: RECORDER, ipcMain, rendererOptions: { channels: ['a', 'b'] } })
    expect(await ready).toBe(win.webContents)
    const wc = win.webContents
    const frame = (seq: number, channels: string[], payloads: unknown[]) => ({ ipcflow: 'frame', v: 1, stream: 1, seq, channels, payloads })
    wc.send('ipcflow:frame', frame(1, ['a', 'b', 'c'], [new Map([[1, 'one']]), 2, 3]))
    wc.send('b', 'direct')
    wc.send('ipcflow:frame', frame(4, ['a'], [4]))
    await win.waitForReport('gap')
    const dump = await win.request('dump')
    expect(dump.messages.map((m: any) => m.channel)).toEqual(['a', 'b', 'b', 'a'])
    expect(types.isMap(dump.messages[0].payload) && [...dump.messages[0].payload]).toEqual([[1, 'one']])
    expect(dump.messages.slice(1).map((m: any) => m.payload)).toEqual([2, 'direct', 4])
    expect(dump.gaps).toEqual([{ expected: 2, received: 4, lost: 2 }])
    expect(dump.stats).toMatchObject({ frames: 2, gaps: 1, lostFrames: 2 })
    expect(await win.request('clear')).toBe(true)
    expect((await win.request('dump')).messages).toEqual([])
  })
})

test('close resolves once the renderer is gone and is idempotent', async () => {
  const win = await createWindow({ renderer: PROBE })
  await win.close()
  await win.close()
  expect(win.webContents.isDestroyed()).toBe(true)
  await expect(win.request('dump')).rejects.toThrow('not running')
})
