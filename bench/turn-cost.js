'use strict'
// What a microtask costs per event-loop turn, in the main thread's own CPU
// (`node bench/turn-cost.js`): a 1 ms setTimeout loop alone, with a
// queueMicrotask per turn, and with a resolved promise's then per turn. Why
// producer-turn flushes (lib/batch/turn-flush.js) watch only near the end of a batch.
const { threadCpuNs, median } = require('./stats')

function run(mode, turns) {
  return new Promise((resolve) => {
    let n = 0
    const resolved = Promise.resolve()
    const check = () => performance.now()
    const start = threadCpuNs()
    const tick = () => {
      if (mode === 'queueMicrotask') queueMicrotask(check)
      else if (mode === 'promise') resolved.then(check)
      if (++n < turns) setTimeout(tick, 1)
      else resolve((threadCpuNs() - start) / turns)
    }
    tick()
  })
}

async function main() {
  const modes = ['none', 'queueMicrotask', 'promise']
  const runs = Object.fromEntries(modes.map((m) => [m, []]))
  for (let round = 0; round < 7; round++) for (const m of modes) runs[m].push(await run(m, 1000))
  const base = median(runs.none)
  for (const m of modes) {
    const ns = median(runs[m])
    console.log(`${m.padEnd(15)} ${(ns / 1000).toFixed(1)} us of thread CPU per turn${m === 'none' ? '' : ` (+${((ns - base) / 1000).toFixed(1)} us)`}`)
  }
}

main()
