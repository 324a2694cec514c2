// The native stall watchdog: a busy loop is reported with its duration, idle
// time is not a stall and costs no ping, close() and teardown stop it.
//
// Stalls are wall-clock time by nature, and a loaded machine preempts the JS
// thread into stalls of its own. So nothing here expects a fixed duration or
// count: a stall is checked against what the JS thread saw of it (at least
// the time the busy loop ran, at most from before it was scheduled until the
// loop turned again after it), a busy loop lasts until the watchdog noticed
// it, and events are awaited rather than slept for.
import path from 'path'
import { Worker } from 'worker_threads'
import { PerformanceMonitor, type StallEvent } from '../index'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** Real time: polls `check()` until it holds, failing only after `limitMs` (far beyond any wait the test expects). */
async function until(check: () => boolean, limitMs = 30_000) {
  const end = performance.now() + limitMs
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met')
    await sleep(2)
  }
}
const noticed = (monitor: PerformanceMonitor) => monitor.getMetrics().stalls!.noticed

/** What the JS thread saw of one stall it caused: it ran from `ran[0]` to `ran[1]`, inside [`from`, `to`]. */
interface Seen {
  from: number
  ran: [number, number]
  to: number
  fromWall: number
}

/**
 * Runs `block(untilMs, done)` in a callback of its own: it must keep the thread from turning its loop
 * until performance.now() >= untilMs and `done()` (the watchdog noticed); resolves once the loop turned.
 */
function stallFor(monitor: PerformanceMonitor, ms: number, schedule: (fn: () => void) => void, block: (done: () => boolean, untilMs: number) => void): Promise<Seen> {
  const before = noticed(monitor)
  const from = performance.now()
  const fromWall = Date.now()
  return new Promise((resolve) => {
    schedule(() => {
      const start = performance.now()
      const safety = start + 30_000
      block(() => noticed(monitor) > before || performance.now() > safety, start + ms)
      const end = performance.now()
      // A timer callback runs in the loop's next turn, after the watchdog's hooks ended the stall.
      setTimeout(() => resolve({ from, ran: [start, end], to: performance.now(), fromWall }), 0)
    })
  })
}

/** A busy loop of at least `ms`, until the watchdog noticed it. */
const busy = (done: () => boolean, untilMs: number) => {
  while (performance.now() < untilMs || !done());
}

/** The reported stall that is the one `seen` caused: as long as it ran, within what the thread saw around it. */
function stallOf(stalls: StallEvent[], seen: Seen) {
  const eps = 1 // the native clock and performance.now() read the same monotonic clock, rounded
  return stalls.find((s) => s.durationMs >= seen.ran[1] - seen.ran[0] - eps && s.durationMs <= seen.to - seen.from + eps)
}

test('a 300 ms busy loop is a stall as long as it, noticed while it lasted', async () => {
  const monitor = new PerformanceMonitor({ watchdog: { thresholdMs: 100 } })
  const stalls: StallEvent[] = []
  monitor.on('stall', (s) => stalls.push(s))
  try {
    await sleep(20)
    const seen = await stallFor(monitor, 300, (fn) => setTimeout(fn, 0), busy)
    await until(() => stallOf(stalls, seen) !== undefined)
    const busyStall = stallOf(stalls, seen)!
    expect(busyStall.durationMs).toBeGreaterThanOrEqual(300 - 1)
    expect(busyStall.startedAt).toBeGreaterThanOrEqual(seen.fromWall - 5)
    const m = monitor.getMetrics().stalls!
    expect(m.count).toBeGreaterThanOrEqual(1)
    expect(m.noticed).toBeGreaterThanOrEqual(1) // noticed while it lasted, not only afterwards
    expect(m.durationMs.max).toBeGreaterThanOrEqual(busyStall.durationMs - 1e-6)
  } finally {
    monitor.close()
  }
})

test('a thread blocked without using CPU (Atomics.wait, like execSync or a sync dialog) is a stall too', async () => {
  const monitor = new PerformanceMonitor({ watchdog: { thresholdMs: 100 } })
  const stalls: StallEvent[] = []
  monitor.on('stall', (s) => stalls.push(s))
  try {
    await sleep(20)
    const cell = new Int32Array(new SharedArrayBuffer(4))
    const seen = await stallFor(monitor, 300, (fn) => setTimeout(fn, 0), (done, untilMs) => {
      do Atomics.wait(cell, 0, 0, Math.max(10, untilMs - performance.now()))
      while (performance.now() < untilMs || !done())
    })
    await until(() => stallOf(stalls, seen) !== undefined)
    expect(stallOf(stalls, seen)!.durationMs).toBeGreaterThanOrEqual(300 - 1)
    expect(monitor.getMetrics().stalls!.noticed).toBeGreaterThanOrEqual(1)
  } finally {
    monitor.close()
  }
})

test('a stall inside an I/O callback entered from an idle wait is noticed and measured from when the wait ended', async () => {
  const monitor = new PerformanceMonitor({ watchdog: { thresholdMs: 40 } })
  const stalls: StallEvent[] = []
  monitor.on('stall', (s) => stalls.push(s))
  try {
    const idleFrom = performance.now()
    await sleep(1000) // idle: the watchdog sleeps until the loop wakes (pings elsewhere)
    // Idle time is not a stall: none spans the wait (a loaded machine may preempt the thread's short turns into stalls).
    for (const s of stalls) expect(s.durationMs).toBeLessThan((performance.now() - idleFrom) / 2)
    const idle = stalls.length
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require('fs')
    const seen = await stallFor(monitor, 300, (fn) => fs.stat(__filename, fn), busy)
    await until(() => stallOf(stalls.slice(idle), seen) !== undefined)
    // At most from the stat's request on: not the idle time before it (that would be 1 s more).
    expect(stallOf(stalls.slice(idle), seen)!.durationMs).toBeGreaterThanOrEqual(300 - 1)
    expect(monitor.getMetrics().stalls!.noticed).toBeGreaterThanOrEqual(1)
  } finally {
    monitor.close()
  }
})

const linux = process.platform === 'linux' ? test : test.skip

linux('an idle loop costs no ping and almost no watchdog wakes (Linux: libuv idle time and backend fd)', async () => {
  const monitor = new PerformanceMonitor({ watchdog: { thresholdMs: 40 } })
  const stalls: StallEvent[] = []
  monitor.on('stall', (s) => stalls.push(s))
  try {
    await sleep(50)
    const before = monitor.getMetrics().stalls!.watchdog
    await sleep(600)
    const after = monitor.getMetrics().stalls!.watchdog
    // Pinging an idle loop costs one ping and one wake per 20 ms: 30 here. Jest's
    // own messages may wake the loop (and so the watchdog) a few times.
    expect(after.pings - before.pings).toBeLessThanOrEqual(3)
    expect(after.wakes - before.wakes).toBeLessThanOrEqual(10)
    expect(after.parks).toBeGreaterThanOrEqual(1)
    // A timer after the idle wait wakes the watchdog through the loop's check hook: its stall is noticed.
    const seen = await stallFor(monitor, 200, (fn) => setTimeout(fn, 0), busy)
    await until(() => stallOf(stalls, seen) !== undefined)
    const m = monitor.getMetrics().stalls!
    expect(m.noticed).toBeGreaterThanOrEqual(1)
    expect(m.durationMs.max).toBeGreaterThanOrEqual(200 - 1)
  } finally {
    monitor.close()
  }
})

test('idle time and short turns are not stalls; thresholds down to 10 ms work', async () => {
  // A 500 ms threshold: a short turn (20 ms) or a preempted one stays under it; idle time (a 1 s wait) would not.
  const monitor = new PerformanceMonitor({ watchdog: { thresholdMs: 500 } })
  const stalls: StallEvent[] = []
  monitor.on('stall', (s) => stalls.push(s))
  await sleep(1000) // idle in poll, answering pings
  await new Promise<void>((resolve) => setTimeout(() => {
    const end = performance.now() + 20
    while (performance.now() < end);
    resolve()
  }, 0))
  await sleep(50)
  expect(stalls).toHaveLength(0)
  monitor.close()
  const fine = new PerformanceMonitor({ watchdog: { thresholdMs: 10 } })
  const seen: StallEvent[] = []
  fine.on('stall', (s) => seen.push(s))
  await sleep(20)
  const busy40 = await stallFor(fine, 40, (fn) => setTimeout(fn, 0), busy)
  // On a loaded machine a 10 ms threshold may also catch scheduling delays: find this one.
  await until(() => stallOf(seen, busy40) !== undefined)
  expect(stallOf(seen, busy40)!.durationMs).toBeGreaterThanOrEqual(40 - 1)
  fine.close()
})

test('a throwing stall listener is contained; close() stops the watchdog; false turns it off', async () => {
  const monitor = new PerformanceMonitor({ watchdog: { thresholdMs: 20 } })
  monitor.on('stall', () => {
    throw new Error('listener bug')
  })
  let stalls = 0
  monitor.on('stall', () => stalls++)
  await stallFor(monitor, 40, (fn) => setTimeout(fn, 0), busy)
  await until(() => stalls > 0)
  expect(monitor.listenerErrors).toBeGreaterThanOrEqual(1) // one per stall: a loaded machine may add one
  const counted = monitor.getMetrics().stalls!.count
  expect(counted).toBeGreaterThanOrEqual(1)
  monitor.close()
  setTimeout(() => {
    const end = performance.now() + 40
    while (performance.now() < end);
  }, 0)
  await sleep(80)
  expect(monitor.getMetrics().stalls!.count).toBe(counted)
  const off = new PerformanceMonitor({ watchdog: false })
  expect(off.getMetrics().stalls).toBeNull()
  off.close()
})

test('monitors in worker threads terminated mid-stall and mid-sample leave the process healthy', async () => {
  const script = path.join(__dirname, 'helpers', 'monitor-teardown-worker.js')
  for (let round = 0; round < 4; round++) {
    const worker = new Worker(script, { workerData: { root: path.join(__dirname, '..') } })
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve())
      worker.once('error', reject)
    })
    await sleep(5 + round * 7)
    await worker.terminate()
  }
  // The main thread's own monitor still works afterwards: it reports the busy loop, and nothing under its threshold.
  const monitor = new PerformanceMonitor({ watchdog: { thresholdMs: 20 } })
  const seen: StallEvent[] = []
  monitor.on('stall', (s) => seen.push(s))
  const busy40 = await stallFor(monitor, 40, (fn) => setTimeout(fn, 0), busy)
  await until(() => stallOf(seen, busy40) !== undefined)
  for (const s of seen) expect(s.durationMs).toBeGreaterThanOrEqual(20)
  monitor.close()
})
