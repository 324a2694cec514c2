// Teardown: the addon loaded in 8 worker threads x 20 create/use/terminate
// cycles, each worker terminated with live batch timers, pending batches,
// in-flight invokes, ThreadsafeFunctions, watchdogs and memory samplers.
// Run in a child process so a crash, a callback into a dead env (which aborts)
// or a leaked handle (the child would not exit) shows as such.
import path from 'path'
import { spawnSync } from 'child_process'

jest.setTimeout(120_000)

test('8 workers x 20 teardown cycles: no crash, no handles left, RSS bounded across cycles', () => {
  const child = path.join(__dirname, 'helpers', 'teardown-child.js')
  const run = spawnSync(process.execPath, ['--expose-gc', child, '20', '8'], { encoding: 'utf8', timeout: 110_000 })
  // No abort, no segfault, and it exited on its own (no handle kept it alive). On failure the child's
  // stderr is part of the message: an abort's cause (a panic, a V8 fatal error) is printed there.
  expect({ signal: run.signal, status: run.status, stderr: run.stderr.slice(-4000) }).toEqual({ signal: null, status: 0, stderr: '' })
  const { rss, left, reported, mainFrames } = JSON.parse(run.stdout.trim().split('\n').pop()!)
  expect(reported).toBe(160)
  expect(mainFrames).toBeGreaterThan(100) // the host's own timer callbacks kept arriving
  expect(left).toEqual([])
  const mb = (b: number) => (b / 1048576).toFixed(1)
  // After the first cycles warm up (code, isolates' first pages), RSS stays flat.
  const growth = rss[rss.length - 1] - rss[4]
  console.log(`teardown: RSS after cycle 1 ${mb(rss[0])} MB, cycle 5 ${mb(rss[4])} MB, cycle 20 ${mb(rss[19])} MB, peak ${mb(Math.max(...rss))} MB (growth cycles 5-20: ${mb(growth)} MB)`)
  expect(growth).toBeLessThan(64 * 1048576)
})
