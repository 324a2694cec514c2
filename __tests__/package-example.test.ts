// examples/electron-app at run time, without Electron: its compiled ipc.ts runs in
// main against the stand-in's ipcMain, and its compiled preload runs in a stand-in
// renderer process with a fake 'electron' (ipcRenderer from the stand-in,
// contextBridge capturing the API), driven as the page drives it.
import { execFileSync } from 'child_process'
import fs from 'fs'
import os from 'os'
import path from 'path'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createWindow, IpcMain } = require('../test/standin')

const ROOT = path.join(__dirname, '..')
const RUNNER = path.join(ROOT, 'test', 'consumer', 'example-renderer.cjs')
const FAKE_ELECTRON = `'use strict'
// The parts of Electron the example's preload uses, for a stand-in renderer.
const example = global.__ipcflowExample
module.exports = {
  ipcRenderer: example.ipcRenderer,
  contextBridge: { exposeInMainWorld: (key, api) => { example.exposed[key] = api } },
}
`

let tmp = ''
let ipc: any
let win: any

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ipcflow-example-'))
  const tsc = require.resolve('typescript/bin/tsc')
  execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'examples', 'electron-app'), '--outDir', path.join(tmp, 'dist')], { stdio: 'pipe' })
  fs.mkdirSync(path.join(tmp, 'node_modules', 'electron'), { recursive: true })
  fs.writeFileSync(path.join(tmp, 'node_modules', 'electron', 'index.js'), FAKE_ELECTRON)
  fs.symlinkSync(ROOT, path.join(tmp, 'node_modules', 'ipcflow'))
  const ipcMain = new IpcMain()
  ipc = require(path.join(tmp, 'dist', 'ipc.js')).createIpc()
  ipc.attach(ipcMain)
  win = await createWindow({
    renderer: RUNNER,
    ipcMain,
    url: 'file:///app/index.html',
    rendererOptions: { preload: path.join(tmp, 'dist', 'preload.js') },
  })
  ipc.watch(win.webContents)
}, 120_000)

afterAll(async () => {
  if (ipc) await ipc.close()
  if (win) await win.close()
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

test('a run streams every token in order, batched, and ends with a critical state', async () => {
  const started = await win.request('start', { prompt: 'hello', tokens: 300 })
  expect(started).toEqual({ ok: true, value: { runId: expect.stringMatching(/^run-/) } })
  const runId = started.value.runId
  expect(await win.waitForReport('finished', (s: { runId: string }) => s.runId === runId, 20_000)).toEqual({ runId, status: 'done', tokens: 300 })
  const got = await win.request('tokens', runId)
  expect(got).toMatchObject({ count: 300, inOrder: true, first: { runId, seq: 0, text: 'hello:' } })
  expect(got.stats.frames).toBeLessThan(got.stats.messages / 2)
  expect(ipc.summary()).toMatch(/messages in \d+ frames/)
}, 30_000)

test('agent:stop aborts a run; bad input is refused with E_VALIDATION; search answers', async () => {
  const started = await win.request('start', { prompt: 'long', tokens: 100_000 })
  expect(await win.request('stop', started.value.runId)).toEqual({ ok: true, value: true })
  const state = await win.waitForReport('finished', (s: { runId: string }) => s.runId === started.value.runId, 20_000)
  expect(state.status).toBe('stopped')
  expect(state.tokens).toBeLessThan(100_000)
  expect(await win.request('start', { prompt: '' })).toMatchObject({ ok: false, error: { code: 'E_VALIDATION' } })
  // tokens left out: the preload sends `tokens: undefined`, which the schema must accept
  const defaults = await win.request('start', { prompt: 'short' })
  expect(defaults).toMatchObject({ ok: true })
  expect(await win.request('stop', defaults.value.runId)).toEqual({ ok: true, value: true })
  const found = await win.request('search', 'fox')
  expect(found.ok).toBe(true)
  expect(found.value.length).toBeGreaterThan(0)
  expect(found.value.every((n: { title: string }) => n.title.includes('fox'))).toBe(true)
}, 30_000)

test('close() with a run in flight stops it; its final state still reaches the page', async () => {
  const started = await win.request('start', { prompt: 'closing', tokens: 100_000 })
  const closing = ipc
  ipc = undefined
  await closing.close()
  const state = await win.waitForReport('finished', (s: { runId: string }) => s.runId === started.value.runId, 10_000)
  expect(state.status).toBe('stopped')
}, 30_000)
