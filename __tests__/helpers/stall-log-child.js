'use strict'
// Run by monitor-logging.test.ts in a process of its own, so no watchdog of
// another test's monitor (threads outlive their test file in a jest worker)
// logs into this one's records. A PerformanceMonitor logs through a throwing
// logger while an 80 ms busy loop stalls the JS thread; once the stall's end
// has been logged (however long a loaded machine takes), prints the watchdog's
// records and the logger error count as JSON.
const { PerformanceMonitor, getLogStats } = require(process.argv[2])

const records = []
const monitor = new PerformanceMonitor({
  watchdog: { thresholdMs: 30 },
  logger: (r) => {
    records.push(r)
    throw new Error('logger bug')
  },
})
const watchdog = () => records.filter((r) => r.target === 'ipcflow::watchdog')
let busyEnded = 0
setTimeout(() => {
  const end = performance.now() + 80
  while (performance.now() < end);
  busyEnded = Date.now()
}, 10)
const started = Date.now()
const poll = setInterval(() => {
  const ended = watchdog().some((r) => r.message === 'JS thread stall ended' && r.time >= busyEnded)
  if (!(busyEnded > 0 && ended) && Date.now() - started < 60_000) return
  clearInterval(poll)
  monitor.close()
  const out = watchdog().map((r) => ({ message: r.message, fields: r.fields, time: r.time }))
  process.stdout.write(JSON.stringify({ records: out, busyEnded, loggerErrors: getLogStats().loggerErrors }))
}, 10)
