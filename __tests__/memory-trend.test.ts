// MemoryManager's trend and pressure on real processes: a leaking child
// reads 'growing', a steady one 'stable'; real allocation crosses the
// pressure levels and freeing it clears them.
import path from 'path'
import { fork } from 'child_process'

const CHILD = path.join(__dirname, 'helpers', 'memory-child.js')
// The children wait for what they need (a settled RSS, a full window) however long a loaded machine takes.
jest.setTimeout(90_000)
const ROOT = path.join(__dirname, '..')

function run(mode: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [ROOT, mode], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    let result: any
    child.on('message', (m) => (result = m))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`child ${mode} exited ${code}`))))
  })
}

test('a leaking process reads growing, with its growth rate', async () => {
  const { stats } = await run('leak')
  expect(stats.trend).toBe('growing')
  expect(stats.r2).toBeGreaterThan(0.6)
  // 1 MiB per 50 ms is ~72 GiB/h; allow for the allocator.
  expect(stats.growthBytesPerHour).toBeGreaterThan(10 * 1024 ** 3)
  expect(stats.samples).toBe(40)
})

// A real process on a loaded CI machine may still be growing its heap when
// sampling starts (a 2-core run once read 'growing'): the child samples its
// steady workload only once the RSS has settled.
test('a steady process reads stable', async () => {
  const { stats } = await run('steady')
  expect(stats.trend).toBe('stable')
})

test('real allocation raises warning then critical, and freeing it returns to normal', async () => {
  const { levels } = await run('pressure')
  expect(levels.slice(0, 2)).toEqual(['warning', 'critical'])
  expect(levels[levels.length - 1]).toBe('normal')
})
