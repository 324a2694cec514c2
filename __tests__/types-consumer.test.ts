// A consumer project (test/consumer: strict tsconfig, Electron's own types)
// imports `ipcflow` and `ipcflow/renderer` as an app does and passes
// win.webContents, ipcMain, ipcRenderer and contextBridge to every API, with
// typed channels (declared and derived from Zod). Its @ts-expect-error lines
// prove mistakes are refused, so a clean `tsc --noEmit` is the assertion.
import { execFileSync } from 'child_process'
import fs from 'fs'
import path from 'path'

const ROOT = path.join(__dirname, '..')
const TSC = require.resolve('typescript/bin/tsc')

// renderer/dist/*.d.ts are what the consumer sees; rebuild them when a source is newer.
function ensureRendererTypes(): void {
  const dir = path.join(ROOT, 'renderer')
  const mtime = (f: string) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0)
  const stale = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .some((f) => mtime(path.join(dir, 'dist', f.replace(/\.ts$/, '.d.ts'))) < mtime(path.join(dir, f)))
  if (stale) execFileSync(process.execPath, [TSC, '-p', path.join(dir, 'tsconfig.json')], { stdio: 'pipe' })
}

test('test/consumer compiles under tsc --strict against Electron types', () => {
  ensureRendererTypes()
  let output = ''
  try {
    execFileSync(process.execPath, [TSC, '--noEmit', '-p', path.join(ROOT, 'test', 'consumer')], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' })
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error)
  }
  expect(output).toBe('')
}, 120_000)
