// Hostile input through the stand-in renderer (issue 9): the corpus cases that
// survive structured clone, sent by a renderer process with the ipcflow client
// and with raw ipcRenderer.invoke, answered with codes; the handler never sees
// data its schema refuses; main's prototypes stay clean.
import { payloadCases, ODD_STRINGS } from './fixtures/hostile'
import { useRegistryFixtures } from './helpers/registry'
import { expectUnpolluted, snapshot } from './helpers/hostile'

const SCHEMA = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] }
const fx = useRegistryFixtures()

test('cloneable corpus cases through a renderer process: codes, handler only sees valid data, nothing polluted', async () => {
  const before = snapshot()
  const r = fx.registry()
  const seen: unknown[] = []
  r.register('h', (a: unknown) => {
    seen.push(a)
    return 'ok'
  }, { schema: SCHEMA })
  const win = await fx.open(undefined, { registry: r })
  r.attach(win.ipcMain)
  const cases = payloadCases().filter((c) => c.cloneable)
  expect(cases.length).toBeGreaterThan(50)
  const results = await win.request('many', { calls: cases.map((c) => ({ channel: 'h', args: c.args() })) })
  results.forEach((res: any, i: number) => {
    if (!res.ok) expect([cases[i].name, res.error.code]).toEqual([cases[i].name, expect.stringMatching(/^E_(VALIDATION|PAYLOAD_TOO_LARGE|UNCLONEABLE)$/)])
  })
  for (const a of seen) expect(a !== null && typeof a === 'object' && typeof (a as any).n === 'number' && Object.prototype.hasOwnProperty.call(a, 'n')).toBe(true)
  // raw ipcRenderer.invoke with built-in hostile values, bypassing the client
  for (const hostile of [{ kind: 'proto' }, { kind: 'cycle' }, { kind: 'map' }, { kind: 'bigint' }, { kind: 'deep', depth: 100_000 }, { kind: 'huge', length: 64 * 1024 * 1024 }]) {
    const reply = await win.request('raw', { channel: 'h', hostile })
    // refused by main, or (too deep / too big for V8's serializer) never sent
    const outcome = reply.thrown !== undefined ? `thrown: ${reply.thrown}` : reply.error?.code
    expect([hostile.kind, outcome]).toEqual([hostile.kind, expect.stringMatching(/^(E_VALIDATION|E_PAYLOAD_TOO_LARGE|thrown: .*)$/)])
  }
  // forged protocol shapes on a registry channel
  for (const args of [[{ ipcflow: 'invoke', v: 99, id: 'x', args: [] }], [{ ipcflow: 'invoke', v: 1, id: 5, args: 'no' }], [{ ipcflow: 'batch', v: 1, calls: 'no' }], [{ ipcflow: 'batch', v: 1, calls: new Array(5000).fill({ id: 'a', args: [{ n: 1 }] }) }], [{ ipcflow: 'batch', v: 1, calls: [{ id: ODD_STRINGS[0][1], args: [{ n: 1 }] }, null] }]]) {
    const reply = await win.request('raw', { channel: 'h', args })
    expect(reply.thrown).toBeUndefined()
    expect(reply === null || typeof reply === 'object').toBe(true)
  }
  expectUnpolluted(before)
  expect(await win.request('invoke', { channel: 'h', args: [{ n: 1 }] })).toMatchObject({ ok: true, value: 'ok' })
})
