'use strict'
// Run with --expose-gc: makes Debouncers (with a pending call) and
// HeartbeatMonitors, never closes them, drops them, and prints how many
// survived garbage collection (NativeTimers reaches its owner only weakly).
const { Debouncer, HeartbeatMonitor } = require(process.argv[2])
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// In a function of its own, so no stack slot keeps the last pair alive.
function make(refs) {
  const d = new Debouncer({ delays: { normal: 5000 } })
  d.debounce('k', () => {})
  refs.push(new WeakRef(d))
  refs.push(new WeakRef(new HeartbeatMonitor({ probe: () => Promise.resolve(), intervalMs: 5000 })))
}

;(async () => {
  const refs = []
  for (let i = 0; i < 20; i++) make(refs)
  for (let i = 0; i < 30; i++) {
    await sleep(20)
    global.gc()
  }
  console.log(JSON.stringify({ made: refs.length, alive: refs.filter((r) => r.deref() !== undefined).length }))
})()
