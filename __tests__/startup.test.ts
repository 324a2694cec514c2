// StartupSequencer: dependency order, bounded parallelism, timeouts, graph
// errors naming the cycle, lazy components, and the report.
import { StartupSequencer, StartupCycleError, MissingDependencyError, StartupError, TimeoutError } from '../index'
import { sleep } from './helpers/window'

function recorder() {
  const events: string[] = []
  let running = 0
  let maxRunning = 0
  const component = (name: string, ms: number, value: unknown = name) => async () => {
    running++
    maxRunning = Math.max(maxRunning, running)
    events.push(`+${name}`)
    await sleep(ms)
    events.push(`-${name}`)
    running--
    return value
  }
  return { events, component, maxRunning: () => maxRunning }
}

test('starts in dependency order, independent components in parallel; the report has the critical path', async () => {
  const r = recorder()
  const s = new StartupSequencer()
    .add('app', { start: r.component('app', 10), dependsOn: ['db', 'ipc'] })
    .add('db', { start: r.component('db', 60), dependsOn: ['config'] })
    .add('ipc', { start: r.component('ipc', 10), dependsOn: ['config'] })
    .add('config', { start: r.component('config', 10) })
    .add('telemetry', { start: r.component('telemetry', 10) })
  const report = await s.start()
  const at = (e: string) => r.events.indexOf(e)
  expect(at('-config')).toBeLessThan(at('+db'))
  expect(at('-config')).toBeLessThan(at('+ipc'))
  expect(at('-db')).toBeLessThan(at('+app'))
  expect(at('+telemetry')).toBeLessThan(at('-config')) // no dependency: starts at once, beside config
  expect(r.maxRunning()).toBeGreaterThanOrEqual(2)
  expect(report.ok).toBe(true)
  expect(report.criticalPath).toEqual(['config', 'db', 'app'])
  const app = report.components.find((c) => c.name === 'app')!
  expect(app).toMatchObject({ status: 'started' })
  expect(app.endMs).toBe(report.totalMs)
  expect(app.startMs).toBeGreaterThanOrEqual(report.components.find((c) => c.name === 'db')!.endMs!)
  expect(await s.get('db')).toBe('db')
  expect(s.start()).toBe(s.start()) // one startup
})

test('at most `concurrency` components run at once', async () => {
  const r = recorder()
  const s = new StartupSequencer({ concurrency: 2 })
  for (let i = 0; i < 6; i++) s.add(`c${i}`, { start: r.component(`c${i}`, 20) })
  await s.start()
  expect(r.maxRunning()).toBe(2)
  const defaults = recorder()
  const d = new StartupSequencer()
  for (let i = 0; i < 8; i++) d.add(`c${i}`, { start: defaults.component(`c${i}`, 20) })
  await d.start()
  expect(defaults.maxRunning()).toBe(4)
})

test('a cycle is an error naming it; a missing dependency names both components', async () => {
  const s = new StartupSequencer()
    .add('a', { start: () => 1, dependsOn: ['b'] })
    .add('b', { start: () => 1, dependsOn: ['c'] })
    .add('c', { start: () => 1, dependsOn: ['a'] })
  const error = await s.start().catch((e) => e)
  expect(error).toBeInstanceOf(StartupCycleError)
  expect(error.code).toBe('E_STARTUP_CYCLE')
  expect(error.details.cycle).toEqual(['a', 'b', 'c', 'a'])
  expect(error.message).toContain('a -> b -> c -> a')

  const self = new StartupSequencer().add('x', { start: () => 1, dependsOn: ['x'] })
  await expect(self.start()).rejects.toMatchObject({ details: { cycle: ['x', 'x'] } })

  const missing = new StartupSequencer().add('a', { start: () => 1, dependsOn: ['nope'] })
  const m = await missing.start().catch((e) => e)
  expect(m).toBeInstanceOf(MissingDependencyError)
  expect(m).toMatchObject({ code: 'E_MISSING_DEPENDENCY', details: { component: 'a', dependency: 'nope' } })
})

test('a component past its timeoutMs fails the startup (its signal aborts); dependents are skipped', async () => {
  let aborted = false
  const s = new StartupSequencer()
    .add('slow', {
      timeoutMs: 30,
      start: ({ signal }: { signal: AbortSignal }) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => (aborted = true))
          setTimeout(resolve, 500)
        }),
    })
    .add('after', { start: () => 1, dependsOn: ['slow'] })
    .add('other', { start: () => 'ok' })
  const error = await s.start().catch((e) => e)
  expect(error).toBeInstanceOf(StartupError)
  expect(error.code).toBe('E_STARTUP_FAILED')
  expect(error.details.component).toBe('slow')
  expect(error.cause).toBeInstanceOf(TimeoutError)
  expect(aborted).toBe(true)
  const byName = Object.fromEntries(error.details.report.components.map((c: any) => [c.name, c]))
  expect(byName.slow).toMatchObject({ status: 'failed', error: { code: 'E_TIMEOUT' } })
  expect(byName.after.status).toBe('skipped')
  expect(byName.other.status).toBe('started')
  expect(error.details.report.ok).toBe(false)
})

test('a throwing component fails the startup with its error as the cause', async () => {
  const s = new StartupSequencer().add('bad', {
    start: () => {
      throw new Error('no config')
    },
  })
  await expect(s.start()).rejects.toMatchObject({ code: 'E_STARTUP_FAILED', message: "Startup component 'bad' failed: no config" })
})

test('lazy components start on first get(), with their dependencies, once', async () => {
  const r = recorder()
  const s = new StartupSequencer()
    .add('base', { start: r.component('base', 5) })
    .add('search', { start: r.component('search', 5, { index: true }), dependsOn: ['dep'], lazy: true })
    .add('dep', { start: r.component('dep', 5), lazy: true })
  const report = await s.start()
  expect(r.events).toEqual(['+base', '-base'])
  expect(report.components.find((c) => c.name === 'search')!.status).toBe('lazy')
  const [a, b] = await Promise.all([s.get('search'), s.get('search')])
  expect(a).toEqual({ index: true })
  expect(b).toBe(a)
  expect(r.events).toEqual(['+base', '-base', '+dep', '-dep', '+search', '-search'])
  expect(s.getReport().components.find((c) => c.name === 'search')!.status).toBe('started')
  await expect(s.get('nope')).rejects.toMatchObject({ code: 'E_NOT_FOUND' })
})

test('arguments are checked', () => {
  expect(() => new StartupSequencer({ concurrency: 0 })).toThrow('options.concurrency')
  const s = new StartupSequencer().add('a', { start: () => 1 })
  expect(() => s.add('a', { start: () => 1 })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  expect(() => s.add('b', { start: 1 as any })).toThrow('components.b.start')
  expect(() => s.add('c', { start: () => 1, dependsOn: 'a' as any })).toThrow('components.c.dependsOn')
  expect(() => s.add('d', { start: () => 1, timeoutMs: -5 })).toThrow('components.d.timeoutMs')
})
