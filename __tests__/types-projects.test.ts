// Type checks with Electron's own types. A consumer project (test/consumer: strict tsconfig, Electron's own types)
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

function typeErrors(project: string): string {
  ensureRendererTypes()
  try {
    execFileSync(process.execPath, [TSC, '--noEmit', '-p', path.join(ROOT, project)], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' })
    return ''
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error)
  }
}

test('test/consumer compiles under tsc --strict against Electron types', () => {
  expect(typeErrors('test/consumer')).toBe('')
}, 120_000)

// The example app is type-checked, never run here (no Electron binary in CI).
test('examples/electron-app compiles under tsc --strict against Electron types', () => {
  expect(typeErrors('examples/electron-app')).toBe('')
}, 120_000)
