// The wire protocol (renderer/protocol.ts) and what each side does when the
// other speaks another version: E_PROTOCOL, never a misread message.
import { BatchManager, HandlerRegistry, PROTOCOL_VERSION } from '../index'
import * as protocol from '../renderer/protocol'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { IpcMain } = require('../test/standin')

test('main and the renderer client share one protocol module', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  expect(require('../lib/protocol')).toBe(require('../renderer/dist/protocol.js'))
  expect(PROTOCOL_VERSION).toBe(protocol.PROTOCOL_VERSION)
})

test('checkFrame accepts what makeFrame makes and tells shape from version', () => {
  const frame = protocol.makeFrame(7, 1, ['a'], [1], true)
  expect(protocol.checkFrame(frame)).toEqual({ ok: true, frame })
  expect(protocol.checkFrame({ ...frame, v: 2 })).toEqual({ ok: false, reason: 'version', version: 2 })
  expect(protocol.checkFrame({ ...frame, stream: 1.5 })).toEqual({ ok: false, reason: 'shape' })
  expect(protocol.checkFrame({ ...frame, ipcflow: 'other' })).toEqual({ ok: false, reason: 'shape' })
})

test('checkRequest: requests, plain invokes, and other versions', () => {
  const request = protocol.makeRequest('c.1', [1, 2])
  expect(protocol.checkRequest([request])).toEqual({ kind: 'request', id: 'c.1', args: [1, 2] })
  expect(protocol.checkRequest([{ ...request, v: 9 }])).toEqual({ kind: 'version', version: 9 })
  expect(protocol.checkRequest([{ ...request, extra: 1 }])).toEqual({ kind: 'plain', args: [{ ...request, extra: 1 }] })
  expect(protocol.checkRequest([request, 2])).toEqual({ kind: 'plain', args: [request, 2] })
  expect(protocol.checkRequest([{ ...request, id: 'x'.repeat(129) }]).kind).toBe('plain')
})

test('a request of another protocol version is answered with E_PROTOCOL, and the handler never runs', async () => {
  const ipcMain = new IpcMain()
  const registry = new HandlerRegistry()
  const handler = jest.fn(() => 1)
  registry.register('a', handler)
  registry.attach(ipcMain)
  const reply = await ipcMain.invokeHandler('a', { sender: { id: 1, send() {} } }, { ipcflow: 'invoke', v: 2, id: 'x.1', args: [] })
  expect(reply).toMatchObject({ success: false, error: { code: 'E_PROTOCOL', details: { channel: 'a', received: '2' } } })
  expect(reply.error.message).toMatch(/same ipcflow version/)
  expect(handler).not.toHaveBeenCalled()
  expect(registry.getMetrics().totals.errorsByCode).toEqual({ E_PROTOCOL: 1 })
  await registry.close()
})

test('a renderer announcing another protocol version is reported through onError', async () => {
  const ipcMain = new IpcMain()
  const errors: any[] = []
  const batcher = new BatchManager({ holdUntilReady: true, onError: (e) => errors.push(e) })
  batcher.attach(ipcMain)
  const sent: any[] = []
  const target = { id: 3, send: (_c: string, f: any) => sent.push(f) }
  ipcMain.emit('ipcflow:ready', { sender: target }, { v: 2, acks: true })
  expect(errors).toHaveLength(1)
  expect(errors[0]).toMatchObject({ code: 'E_PROTOCOL', details: { received: '2' } })
  expect(errors[0].message).toMatch(/webContents 3 speaks ipcflow protocol v2/)
  await batcher.close()
})
