// Opens a stand-in window whose renderer (a child process or worker, so every
// frame goes through V8's structured clone) records what the renderer client
// dispatched, and spies on what main sent, without skipping serialization.
import path from 'path'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createWindow } = require('../../test/standin')

const RECORDER = path.join(__dirname, '../../test/standin/renderers/recorder.js')

export interface Received {
  messages: Array<{ channel: string; payload: any }>
  gaps: Array<{ expected: number; received: number; lost: number }>
  stats: { frames: number; messages: number; gaps: number; lostFrames: number; malformed: number; duplicates: number }
}

export interface TestWindow {
  win: any
  wc: any
  ipcMain: any
  /** Every send main made: [channel, value] in order. */
  sends: Array<[string, any]>
  received(): Promise<Received>
  waitForMessages(n: number, timeoutMs?: number): Promise<Received>
  close(): Promise<void>
}

export async function openWindow(channels: string[], kind: 'process' | 'worker' = 'process', windowOptions: Record<string, unknown> = {}): Promise<TestWindow> {
  const win = await createWindow({ kind, renderer: RECORDER, rendererOptions: { channels }, ...windowOptions })
  const wc = win.webContents
  const sends: Array<[string, any]> = []
  const realSend = wc.send.bind(wc)
  wc.send = (channel: string, ...args: any[]) => {
    realSend(channel, ...args)
    sends.push([channel, args[0]])
  }
  const received = (): Promise<Received> => win.request('dump')
  return {
    win,
    wc,
    ipcMain: win.ipcMain,
    sends,
    received,
    async waitForMessages(n, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs
      for (;;) {
        const r = await received()
        if (r.messages.length >= n) return r
        if (Date.now() > until) throw new Error(`renderer got ${r.messages.length} of ${n} messages`)
        await sleep(10)
      }
    },
    close: () => win.close(),
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function frames(sends: Array<[string, any]>) {
  return sends.filter(([channel]) => channel === 'ipcflow:frame').map(([, frame]) => frame)
}
