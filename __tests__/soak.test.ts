// The soak (bench/soak.js) for 55 s as part of npm test: 5,000 msg/s main ->
// renderer and 200 invokes/s renderer -> main over the stand-in, memory
// sampled by MemoryManager. Asserts delivery (every message once, in order;
// every invoke answered right); memory growth and trend are printed, not
// asserted (a minute is warm-up dominated: see docs/testing.md, "Soak").
import path from 'path'
import { spawn } from 'child_process'

const SECONDS = Number(process.env.SOAK_SECONDS ?? 55)
jest.setTimeout((SECONDS + 60) * 1000)

test(`soak: ${SECONDS} s of 5,000 msg/s and 200 invokes/s through the stand-in`, async () => {
  const script = path.join(__dirname, '..', 'bench', 'soak.js')
  const child = spawn(process.execPath, ['--expose-gc', script, '--seconds', String(SECONDS), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  expect(err).toBe('')
  const r = JSON.parse(out.trim().split('\n').pop()!)
  console.log(`soak ${r.seconds} s: ${r.messages.sent} messages (${r.messages.perSecond}/s), ${r.invokes.answered} invokes answered (${r.invokes.perSecond}/s); ` +
    `RSS ${r.memory.rssStartMB} -> ${r.memory.rssEndMB} MB, growth ${r.memory.growthMBPerHour} MB/h, trend ${r.memory.trend}`)
  expect(r.messages.received).toBe(r.messages.sent)
  expect(r.messages.outOfOrder).toBe(0)
  expect(r.messages.sent).toBeGreaterThanOrEqual(5000 * (SECONDS - 1))
  expect(r.invokes).toMatchObject({ failed: 0, wrong: 0 })
  expect(r.invokes.answered).toBeGreaterThan(0)
  // The renderer goes on invoking while main drains: some are still in flight, as many as the round
  // trip takes. Ten seconds' worth, 2,000, is room for a loaded machine; a stuck pipeline would hold
  // the whole run's, 11,000.
  expect(r.invokes.started - r.invokes.answered).toBeLessThan(200 * 10)
  expect(r.batch.drops).toBe(0)
  expect(r.memory.samples).toBeGreaterThan(10)
  expect(r.ok).toBe(true)
  expect(code).toBe(0)
})
