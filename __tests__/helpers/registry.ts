// Fixtures for HandlerRegistry tests through the stand-in: registries and
// renderer windows made here are closed after each test.
import path from 'path'
import { HandlerRegistry } from '../../index'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createWindow, ensureRendererBuilt } = require('../../test/standin')

export const INVOKER = path.join(__dirname, '..', '..', 'test', 'standin', 'renderers', 'invoker.js')
export { sleep, until } from './wait'

export function useRegistryFixtures() {
  const registries: HandlerRegistry[] = []
  const windows: any[] = []
  beforeAll(() => ensureRendererBuilt())
  afterEach(async () => {
    await Promise.all(registries.splice(0).map((r) => r.close()))
    await Promise.all(windows.splice(0).map((w) => w.close()))
  })
  return {
    registry(options?: ConstructorParameters<typeof HandlerRegistry>[0]) {
      const r = new HandlerRegistry(options)
      registries.push(r)
      return r
    },
    /** A renderer process running the invoker script, attached to `ipcMain`. */
    async open(ipcMain: any, opts: Record<string, unknown> = {}) {
      const win = await createWindow({ kind: 'process', renderer: INVOKER, ipcMain, ...opts })
      windows.push(win)
      return win
    },
  }
}
