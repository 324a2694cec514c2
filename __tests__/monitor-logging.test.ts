// D1: core `tracing` events and ipcflow's JS events reach the logger on the
// JS thread, filtered by a level changeable at run time; a full queue is counted.
import { setLogger, setLogLevel, getLogLevel, getLogStats, enableDebugLogging, PerformanceMonitor, MemoryManager, type LogRecord } from '../index'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const binding = require('../binding.js')

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
afterEach(() => setLogger(null))

test('core events at or above the level reach the logger, from the JS thread and from native threads', async () => {
  const records: LogRecord[] = []
  setLogger((r) => void records.push(r), { level: 'info' })
  binding.__logForTests('debug', 'too verbose', false)
  binding.__logForTests('info', 'hello', false)
  binding.__logForTests('error', 'from a thread', true)
  await sleep(20)
  expect(records.map((r) => [r.level, r.target, r.message])).toEqual([
    ['info', 'ipcflow::test', 'hello'],
    ['error', 'ipcflow::test', 'from a thread'],
  ])
  expect(records[0].time).toBeGreaterThan(0)
  setLogLevel('debug')
  expect(getLogLevel()).toBe('debug')
  binding.__logForTests('debug', 'now wanted', false)
  setLogLevel('off')
  binding.__logForTests('error', 'off means off', false)
  await sleep(20)
  expect(records.map((r) => r.message)).toEqual(['hello', 'from a thread', 'now wanted'])
  expect(() => setLogLevel('loud' as any)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
})

test('a full queue drops records but counts them, and says so in the next record', async () => {
  const records: LogRecord[] = []
  setLogger((r) => void records.push(r), { level: 'warn' })
  // The JS thread is busy in this loop, so nothing is delivered meanwhile.
  for (let i = 0; i < 1500; i++) binding.__logForTests('warn', `n${i}`, true)
  await sleep(50)
  const { delivered, dropped } = getLogStats()
  expect(delivered + dropped).toBe(1500)
  expect(dropped).toBeGreaterThan(0)
  expect(records).toHaveLength(delivered)
  binding.__logForTests('warn', 'after', false)
  await sleep(20)
  expect(records[records.length - 1]).toMatchObject({ message: 'after', droppedBefore: dropped })
})

test('the stall warning is logged while the stall lasts, then its end; a throwing logger is contained', async () => {
  const records: LogRecord[] = []
  const monitor = new PerformanceMonitor({ watchdog: { thresholdMs: 30 }, logger: (r) => {
    records.push(r)
    throw new Error('logger bug')
  } })
  await sleep(10)
  setTimeout(() => {
    const end = performance.now() + 80
    while (performance.now() < end);
  }, 0)
  await sleep(150)
  monitor.close()
  const watchdog = records.filter((r) => r.target === 'ipcflow::watchdog')
  expect(watchdog.map((r) => r.message)).toEqual([expect.stringMatching(/has not turned its event loop/), 'JS thread stall ended'])
  expect(Number(watchdog[0].fields.stalled_ms)).toBeGreaterThanOrEqual(30)
  expect(getLogStats().loggerErrors).toBeGreaterThanOrEqual(2)
})

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
