// ipcflow/inspector: snapshots from a real BatchManager and HandlerRegistry,
// written as the self-contained page and loaded in headless Chromium (Debian's
// `chromium`, installed by .ci/run), which takes a screenshot; the DOM it
// dumps must show data in every chart that has a source.
import { execFileSync } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
import { BatchManager, HandlerRegistry } from '../index'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createInspector, renderInspector } = require('../inspector')

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p))
// .ci/run installs Chromium and sets this: there a missing browser fails instead of skipping.
const REQUIRED = process.env.IPCFLOW_REQUIRE_CHROMIUM === '1'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let tmp = ''
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ipcflow-inspector-'))
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

// A few seconds of an agent-like session: tokens, coalesced state, a critical
// message, a dead target, requests that succeed, fail validation and throw.
async function session() {
  const target = { id: 1, send: () => undefined }
  const dead = { id: 2, send: () => undefined, isDestroyed: () => true }
  const batcher = new BatchManager({ maxBatchSize: 20, maxWaitMs: 5 })
  const registry = new HandlerRegistry()
  registry.register('db:search', async (q: { q: string }) => (await sleep(1), [q.q]), {
    schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
  })
  registry.register('db:get', (id: number) => ({ id }), { cache: { ttlMs: 60_000 } })
  registry.register('app:fails', () => {
    throw new Error('broken')
  })
  const inspector = createInspector({ batchers: { tokens: batcher }, registries: { main: registry } }, { title: 'ipcflow inspector (test)' })
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < 120; i++) batcher.addMessage('agent:token', { i }, target, i % 10 === 0 ? { coalesceKey: 'state' } : undefined)
    batcher.addMessage('agent:error', 'x', target, { priority: 'critical' })
    batcher.addMessage('agent:token', 'lost', dead)
    await registry.invoke('db:search', [{ q: 'x' }])
    await registry.invoke('db:search', [{ q: 1 }])
    await registry.invoke('app:fails', [])
    await registry.invoke('db:get', [round % 3])
    if (round === 4) {
      const until = Date.now() + 60 // a JS-thread stall
      while (Date.now() < until);
    }
    await sleep(40)
    inspector.snapshot()
  }
  await batcher.close()
  await registry.close()
  const html = inspector.html()
  inspector.close()
  return { html, history: inspector.history() }
}

test('snapshots carry batch, registry, process and event-loop figures', async () => {
  const { html, history } = await session()
  expect(history).toHaveLength(8)
  const s = history[7]
  expect(s).toMatchObject({ v: 1, batch: { tokens: expect.any(Object) }, registry: { main: expect.any(Object) } })
  expect(s.batch.tokens.framesOut).toBeGreaterThan(0)
  expect(s.registry.main.totals.errorsByCode).toMatchObject({ E_VALIDATION: 8, E_HANDLER: 8 })
  expect(s.process.rssBytes).toBeGreaterThan(0)
  expect(Math.max(...history.map((h: { loop: { maxMs: number } }) => h.loop.maxMs))).toBeGreaterThanOrEqual(30)
  // self-contained: no external scripts, styles or fetches at load
  expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|https?:\/\/(?!localhost)/)
  // embedded JSON cannot close the script tag
  expect(renderInspector([{ v: 1, t: 0, batch: {}, registry: {}, note: '</script><b>' }])).not.toContain('</script><b>')
}, 60_000)

test('loopProbeMs sets the loop probe\'s period; false runs none (loop: null); anything else is a typed error', async () => {
  const coarse = createInspector({}, { loopProbeMs: 25 })
  coarse.snapshot()
  const until = Date.now() + 80 // a JS-thread stall
  while (Date.now() < until);
  await sleep(40)
  expect(coarse.snapshot().loop.maxMs).toBeGreaterThanOrEqual(50)
  coarse.close()
  const off = createInspector({}, { loopProbeMs: false })
  expect(off.snapshot().loop).toBeNull()
  expect(off.html()).toContain('ipcflow-data')
  off.close()
  for (const bad of [0, -5, '10', true, NaN, 1e9]) {
    expect(() => createInspector({}, { loopProbeMs: bad })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', details: expect.objectContaining({ argument: 'options.loopProbeMs' }) }))
  }
})

;(CHROMIUM || REQUIRED ? test : test.skip)('headless Chromium draws every chart with data and takes a screenshot', async () => {
  if (!CHROMIUM) throw new Error('chromium is not installed (apt-get install -y chromium)')
  const { html } = await session()
  const page = path.join(tmp, 'inspector.html')
  fs.writeFileSync(page, html)
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', `--user-data-dir=${path.join(tmp, 'profile')}`, '--window-size=1400,1800']
  const dom = execFileSync(CHROMIUM!, [...flags, '--dump-dom', `file://${page}`], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] })
  const charts = [...dom.matchAll(/<section class="chart"([^>]*)>/g)].map((m) => ({
    id: /data-chart="([^"]+)"/.exec(m[1])![1],
    points: Number(/data-points="(\d+)"/.exec(m[1])![1]),
    source: !/data-source="none"/.test(m[1]),
  }))
  expect(charts.map((c) => c.id)).toEqual(['rates', 'batch-size', 'queue-wait', 'flush-reasons', 'drops', 'latency', 'errors', 'cache', 'memory', 'stalls'])
  // Every chart has a source, and every one holds data.
  expect(charts.filter((c) => c.source && c.points === 0)).toEqual([])
  expect(charts.filter((c) => !c.source).map((c) => c.id)).toEqual([])
  expect(dom).toContain('ipcflow inspector (test)')

  const shot = path.join(tmp, 'inspector.png')
  execFileSync(CHROMIUM!, [...flags, `--screenshot=${shot}`, `file://${page}`], { timeout: 60_000, stdio: 'pipe' })
  const png = fs.readFileSync(shot)
  expect(png.subarray(1, 4).toString()).toBe('PNG')
  expect(png.length).toBeGreaterThan(20_000)
  if (process.env.IPCFLOW_INSPECTOR_SHOT) fs.copyFileSync(shot, process.env.IPCFLOW_INSPECTOR_SHOT)
}, 120_000)
