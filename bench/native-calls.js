'use strict'
// What BatchManager pays per frame on the native side: the per-batch calls
// (in a tight loop, and as a paced source makes them: the first call after
// the thread slept), and a timer wake through the weak ThreadsafeFunction
// against a libuv timer wake, both as main-thread CPU (`node bench/native-calls.js`).
const binding = require('../binding.js')
const { NativeClock } = require('../lib/timers/clock')
const { threadCpuNs, median, sleep } = require('./stats')

const CALLS = 200_000
const WAKES = 500

function perCall(fn) {
  const samples = []
  for (let round = 0; round < 7; round++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < CALLS; i++) fn(i)
    samples.push(Number(process.hrtime.bigint() - start) / CALLS)
  }
  return median(samples)
}

// Timer owners are held only weakly by their clocks: keep the benchmark's alive.
const owners = []

function nativeWakes() {
  return new Promise((resolve) => {
    let n = 0
    let generation = 1
    const start = threadCpuNs()
    const owner = {
      _onDue() {
        if (++n >= WAKES) {
          clock.close()
          resolve((threadCpuNs() - start) / WAKES)
        } else clock.arm(0, ++generation, performance.now() + 1)
      },
    }
    owners.push(owner)
    const clock = new NativeClock(owner, 1)
    clock.arm(0, generation, performance.now() + 1)
  })
}

function timerWakes() {
  return new Promise((resolve) => {
    let n = 0
    const start = threadCpuNs()
    const tick = () => (++n >= WAKES ? resolve((threadCpuNs() - start) / WAKES) : setTimeout(tick, 1))
    setTimeout(tick, 1)
  })
}

// A paced source calls into the addon once or twice per frame, each time after
// the thread slept: time a trivial call then (cold), a second one right after
// (warm), and the same for a C++ builtin of Node's, every 5 ms.
function coldCalls(samples = 300) {
  const clock = new binding.BindingBatchClock(() => {}, 16)
  const handle = clock.handle
  const out = { cold: [], warm: [], builtinCold: [], builtinWarm: [] }
  const time = (list, fn) => {
    const start = process.hrtime.bigint()
    fn()
    list.push(Number(process.hrtime.bigint() - start))
  }
  return new Promise((resolve) => {
    let n = 0
    const tick = () => {
      time(out.builtinCold, () => process.hrtime())
      time(out.builtinWarm, () => process.hrtime())
      time(out.cold, () => binding.batchIdleSent(handle, 0, 0))
      time(out.warm, () => binding.batchIdleSent(handle, 0, 0))
      if (++n < samples) setTimeout(tick, 5)
      else {
        clock.close()
        resolve(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, median(v)])))
      }
    }
    setTimeout(tick, 5)
  })
}

async function runNativeCalls() {
  const owner = {}
  owners.push(owner)
  const clock = new NativeClock(owner, 60_000)
  clock.arm(1, 1, performance.now() + 60_000)
  await sleep(20) // the timer task looks, and publishes when it looks next
  // A paced batch's arm: its deadline is no earlier than the task's plan, so it is stores only.
  let generation = 1
  const armNs = perCall(() => clock.arm(1, ++generation, performance.now() + 60_000))
  // An arm earlier than the plan calls batchWake; its frame leaving early is a store.
  const wakeNs = perCall(() => binding.batchWake(clock.handle))
  clock.close()
  // The weak ThreadsafeFunction does not keep the loop alive: hold it open.
  const keepAlive = setInterval(() => {}, 1000)
  const native = []
  const timer = []
  for (let round = 0; round < 5; round++) {
    native.push(await nativeWakes())
    timer.push(await timerWakes())
  }
  clearInterval(keepAlive)
  const cold = await coldCalls()
  return { armNs, wakeNs, nativeWakeNs: median(native), timerWakeNs: median(timer), cold }
}

module.exports = { runNativeCalls }

if (require.main === module) {
  runNativeCalls().then((r) => {
    console.log(`arm, deadline after the timer's plan (stores, no call): ${r.armNs.toFixed(0)} ns`)
    console.log(`batchWake (an arm earlier than the timer's plan): ${r.wakeNs.toFixed(0)} ns`)
    console.log(`main-thread CPU per timer wake: ThreadsafeFunction ${(r.nativeWakeNs / 1000).toFixed(1)} us, setTimeout ${(r.timerWakeNs / 1000).toFixed(1)} us`)
    console.log(`a trivial addon call 5 ms after the thread slept: ${(r.cold.cold / 1000).toFixed(1)} us, right after it ${(r.cold.warm / 1000).toFixed(1)} us; process.hrtime() ${(r.cold.builtinCold / 1000).toFixed(1)} / ${(r.cold.builtinWarm / 1000).toFixed(1)} us`)
  })
}
