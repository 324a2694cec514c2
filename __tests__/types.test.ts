// Type test: ts-jest type-checks this file, so if Electron's real types stop
// fitting ipcflow's structural ones, compilation (and so this test) fails.
import type { IpcMain, IpcRenderer, WebContents } from 'electron'
import type { Frame as MainFrame, IpcMainLike, WebContentsLike } from '../index'
import type { Frame as RendererFrame, IpcRendererLike } from '../renderer'
import { FRAME_CHANNEL, READY_CHANNEL, PROTOCOL_VERSION } from '../renderer'

const webContents: WebContentsLike = null as unknown as WebContents
const ipcMain: IpcMainLike = null as unknown as IpcMain
const ipcRenderer: IpcRendererLike = null as unknown as IpcRenderer

// The main-side and renderer-side frame types describe the same value.
const toRenderer = (f: MainFrame): RendererFrame => f
const toMain = (f: RendererFrame): MainFrame => f
const mainConstants: { frame: typeof FRAME_CHANNEL; ready: typeof READY_CHANNEL; v: typeof PROTOCOL_VERSION } = {
  frame: null as unknown as typeof import('../index').FRAME_CHANNEL,
  ready: null as unknown as typeof import('../index').READY_CHANNEL,
  v: null as unknown as typeof import('../index').PROTOCOL_VERSION,
}

test("Electron's WebContents, IpcMain and IpcRenderer fit ipcflow's types", () => {
  expect([webContents, ipcMain, ipcRenderer, toRenderer, toMain, mainConstants]).toHaveLength(6)
  expect([FRAME_CHANNEL, READY_CHANNEL, PROTOCOL_VERSION]).toEqual(['ipcflow:frame', 'ipcflow:ready', 1])
})
