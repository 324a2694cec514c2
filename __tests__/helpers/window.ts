// Opens a stand-in window whose renderer (a child process or worker, so every
// frame goes through V8's structured clone) records what the renderer client
// dispatched, and spies on what main sent, without skipping serialization.
import fs from 'fs'
import os from 'os'
import path from 'path'
import { setTimeout as realSleep } from 'timers/promises'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createWindow } = require('../../test/standin')

const RECORDER = path.join(__dirname, '../../test/standin/renderers/recorder.js')
/** A recorder that main can hang until it releases it (openWindow(..., { renderer: HANG_RENDERER }), hangRenderer). */
export const HANG_RENDERER = path.join(__dirname, 'hang-renderer.js')

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
  /** Polls the renderer (on real time, even under fake timers) until it got `n` messages; fails only after `timeoutMs` (default 30 s). */
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
    async waitForMessages(n, timeoutMs = 30_000) {
      const until = process.hrtime.bigint() + BigInt(timeoutMs) * 1_000_000n
      for (;;) {
        const r = await received()
        if (r.messages.length >= n) return r
        if (process.hrtime.bigint() > until) throw new Error(`renderer got ${r.messages.length} of ${n} messages`)
        await realSleep(10)
      }
    },
    close: () => win.close(),
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Hangs the renderer of a window opened with `{ renderer: HANG_RENDERER }`: resolves once its
 * thread is busy-waiting (it reads no IPC from then on) and stays so until `release()`;
 * `done` resolves when the renderer answers again. No fixed time: as long as the test needs.
 */
export async function hangRenderer(win: any): Promise<{ release(): void; done: Promise<unknown> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ipcflow-hang-'))
  const hung = path.join(dir, 'hung')
  const release = path.join(dir, 'release')
  const done = win.request('hang', { hung, release }, 600_000).finally(() => fs.rmSync(dir, { recursive: true, force: true }))
  const until = process.hrtime.bigint() + 60_000_000_000n
  while (!fs.existsSync(hung)) {
    if (process.hrtime.bigint() > until) throw new Error('the renderer did not hang')
    await realSleep(2)
  }
  return { release: () => fs.writeFileSync(release, ''), done }
}

export function frames(sends: Array<[string, any]>) {
  return sends.filter(([channel]) => channel === 'ipcflow:frame').map(([, frame]) => frame)
}
