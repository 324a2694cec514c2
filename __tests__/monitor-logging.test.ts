// D1: core `tracing` events and ipcflow's JS events reach the logger on the
// JS thread, filtered by a level changeable at run time; a full queue is counted.
// Records cross from native threads: the cases wait for the ones they expect
// rather than a fixed time, and read only their own target (a watchdog left
// by another test file in this jest worker logs warnings too).
import path from 'path'
import { execFileSync } from 'child_process'
import { setLogger, setLogLevel, getLogLevel, getLogStats, enableDebugLogging, PerformanceMonitor, MemoryManager, type LogRecord } from '../index'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const binding = require('../binding.js')

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
afterEach(() => setLogger(null))

/** Real time: polls `check()` until it holds, failing only after `limitMs` (far beyond any wait the test expects). */
async function until(check: () => boolean, limitMs = 30_000) {
  const end = performance.now() + limitMs
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met')
    await sleep(2)
  }
}

test('core events at or above the level reach the logger, from the JS thread and from native threads', async () => {
  const all: LogRecord[] = []
  const records = () => all.filter((r) => r.target === 'ipcflow::test')
  setLogger((r) => void all.push(r), { level: 'info' })
  binding.__logForTests('debug', 'too verbose', false)
  binding.__logForTests('info', 'hello', false)
  binding.__logForTests('error', 'from a thread', true)
  await until(() => records().length >= 2)
  await sleep(20) // nothing more comes
  expect(records().map((r) => [r.level, r.target, r.message])).toEqual([
    ['info', 'ipcflow::test', 'hello'],
    ['error', 'ipcflow::test', 'from a thread'],
  ])
  expect(records()[0].time).toBeGreaterThan(0)
  setLogLevel('debug')
  expect(getLogLevel()).toBe('debug')
  binding.__logForTests('debug', 'now wanted', false)
  setLogLevel('off')
  binding.__logForTests('error', 'off means off', false)
  await until(() => records().length >= 3)
  await sleep(20) // 'off means off' does not come
  expect(records().map((r) => r.message)).toEqual(['hello', 'from a thread', 'now wanted'])
  expect(() => setLogLevel('loud' as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
})

test('a full queue drops records but counts them, and says so in the next record', async () => {
  const records: LogRecord[] = []
  // At 'error': a watchdog's stall warnings (this loop stalls the JS thread) are not counted in.
  setLogger((r) => void records.push(r), { level: 'error' })
  // The JS thread is busy in this loop, so nothing is delivered meanwhile.
  for (let i = 0; i < 1500; i++) binding.__logForTests('error', `n${i}`, true)
  await until(() => records.length > 0 && records.length === getLogStats().delivered && getLogStats().delivered + getLogStats().dropped >= 1500)
  const { delivered, dropped } = getLogStats()
  expect(delivered + dropped).toBe(1500)
  expect(dropped).toBeGreaterThan(0)
  expect(records).toHaveLength(delivered)
  binding.__logForTests('error', 'after', false)
  await until(() => records.length > delivered)
  expect(records[records.length - 1]).toMatchObject({ message: 'after', droppedBefore: dropped })
})

test('the stall warning is logged while the stall lasts, then its end; a throwing logger is contained', () => {
  // In a process of its own (helpers/stall-log-child.js), which prints once the busy loop's end was logged.
  const child = path.join(__dirname, 'helpers', 'stall-log-child.js')
  const out = JSON.parse(execFileSync(process.execPath, [child, path.join(__dirname, '..')], { encoding: 'utf8', timeout: 90_000 }))
  const watchdog: Array<{ message: string; fields: Record<string, string>; time: number }> = out.records
  // Stalls one after another, each warned about (once or more) while it lasts, then ended. A loaded
  // machine may preempt the thread into stalls of its own beside the busy loop's.
  const stalls: Array<typeof watchdog> = [[]]
  for (const r of watchdog) {
    stalls[stalls.length - 1].push(r)
    if (r.message === 'JS thread stall ended') stalls.push([])
  }
  if (stalls[stalls.length - 1].length === 0) stalls.pop() // else a stall still going on when the child printed
  for (const stall of stalls) {
    const warnings = stall.filter((r) => r.message !== 'JS thread stall ended')
    expect(warnings.length).toBeGreaterThanOrEqual(1)
    for (const w of warnings) expect(w.message).toMatch(/has not turned its event loop/)
  }
  // The busy loop's: ended once it was over, warned about with at least the threshold stalled.
  const busy = stalls.find((stall) => stall.some((r) => r.message === 'JS thread stall ended' && r.time >= out.busyEnded))
  expect(busy).toBeDefined()
  expect(Number(busy![0].fields.stalled_ms)).toBeGreaterThanOrEqual(30)
  expect(out.loggerErrors).toBeGreaterThanOrEqual(2)
}, 120_000)

test('memory pressure changes are logged; enableDebugLogging is DEBUG_IPC=1', async () => {
  const records: LogRecord[] = []
  setLogger((r) => void records.push(r), { level: 'warn' })
  const memory = new MemoryManager({ sample: false, warningBytes: 100, criticalBytes: 200, osPressure: false })
  memory.sample({ rssBytes: 150 })
  memory.close()
  expect(records).toEqual([expect.objectContaining({ level: 'warn', target: 'ipcflow::memory', message: 'memory pressure warning' })])
  enableDebugLogging()
  expect(getLogLevel()).toBe('debug')
  enableDebugLogging(false)
  expect(getLogLevel()).toBe('off')
})
