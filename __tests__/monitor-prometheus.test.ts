// toPrometheus() parsed by a real Prometheus text parser, and by promtool
// where Debian's prometheus package is installed.
import { execFileSync, spawnSync } from 'child_process'
import { PerformanceMonitor } from '../index'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parse = require('parse-prometheus-text-format')

function filled() {
  const m = new PerformanceMonitor({ watchdog: false, buckets: [1, 10, 100] })
  m.increment('ipcflow.invoke.calls', 3, { channel: 'save' })
  m.increment('ipcflow.invoke.calls', 1, { channel: 'we"ird\\chan\nnel' })
  m.increment('jobs_total', 2)
  m.gauge('queue depth', 4.5)
  m.describe('ipcflow.invoke', { help: 'Handler latency (ms)\nper channel' })
  for (const v of [0.5, 1, 5, 50, 500]) m.record('ipcflow.invoke', v, { channel: 'save' })
  m.describe('sizes', { buckets: [2, 4] })
  m.record('sizes', 3)
  return m
}

test('the exposition parses and every value, label and bucket is what was recorded', () => {
  const m = filled()
  const text = m.toPrometheus()
  m.close()
  const families = parse(text)
  const byName = Object.fromEntries(families.map((f: any) => [f.name, f]))
  expect(Object.keys(byName).sort()).toEqual(['ipcflow_invoke', 'ipcflow_invoke_calls_total', 'jobs_total', 'queue_depth', 'sizes'])
  for (const name of Object.keys(byName)) expect(name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/)
  const calls = byName.ipcflow_invoke_calls_total
  expect(calls.type).toBe('COUNTER')
  expect(calls.metrics).toEqual([
    { value: '3', labels: { channel: 'save' } },
    { value: '1', labels: { channel: 'we"ird\\chan\nnel' } },
  ])
  expect(byName.jobs_total).toMatchObject({ type: 'COUNTER', metrics: [{ value: '2' }] })
  expect(byName.queue_depth).toMatchObject({ type: 'GAUGE', metrics: [{ value: '4.5' }] })
  const lat = byName.ipcflow_invoke
  expect(lat.type).toBe('HISTOGRAM')
  expect(lat.help).toBe('Handler latency (ms)\nper channel')
  expect(lat.metrics[0].buckets).toEqual({ '1': '2', '10': '3', '100': '4', '+Inf': '5' })
  // The parser keeps _sum/_count only for unlabelled histograms (it folds
  // labelled ones by `le`), so those two lines are checked as text.
  expect(text).toContain('ipcflow_invoke_sum{channel="save"} 556.5\nipcflow_invoke_count{channel="save"} 5\n')
  expect(byName.sizes.metrics[0]).toEqual({ buckets: { '2': '0', '4': '1', '+Inf': '1' }, count: '1', sum: '3' })
  // Every family has its HELP and TYPE line, counters as <name>_total.
  expect(text).toContain('# HELP ipcflow_invoke_calls_total ')
  expect(text).toContain('# TYPE ipcflow_invoke_calls_total counter\n')
  expect(text.match(/^# HELP /gm)!.length).toBe(5)
  expect(text.match(/^# TYPE /gm)!.length).toBe(5)
})

test('the watchdog adds its stall histogram', () => {
  const m = new PerformanceMonitor({ watchdog: { thresholdMs: 50 } })
  const families = parse(m.toPrometheus())
  m.close()
  expect(families.find((f: any) => f.name === 'ipcflow_js_stall_ms')).toMatchObject({ type: 'HISTOGRAM' })
})

const promtool = spawnSync('promtool', ['--version']).status === 0
;(promtool ? test : test.skip)('promtool check metrics accepts it', () => {
  const m = filled()
  const text = m.toPrometheus()
  m.close()
  execFileSync('promtool', ['check', 'metrics'], { input: text })
})

test('prometheus-reserved-and-clashing-label-names: __-prefixed, le and names that sanitise alike are renamed, never repeated', () => {
  const m = new PerformanceMonitor({ watchdog: false, buckets: [1] })
  // An own __proto__ key, as JSON.parse makes from a renderer's data.
  m.increment('hits', 1, JSON.parse('{"__proto__":"p","__name__":"n"}'))
  m.record('lat', 0.5, { le: 'mine', 'a.b': 'x', a_b: 'y' })
  const text = m.toPrometheus()
  m.close()
  const labelNames = [...text.matchAll(/\{([^}]*)\}/g)].map((g) => [...g[1].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map((n) => n[1]))
  for (const names of labelNames) {
    expect(new Set(names).size).toBe(names.length)
    for (const n of names) expect(n).not.toMatch(/^__/)
  }
  const byName = Object.fromEntries(parse(text).map((f: any) => [f.name, f]))
  expect(byName.hits_total.metrics).toEqual([{ value: '1', labels: { _name__: 'n', _proto__: 'p' } }])
  expect(text).toContain('lat_bucket{a_b="x",a_b_="y",le_="mine",le="1"} 1\n')
  expect(text).toContain('lat_count{a_b="x",a_b_="y",le_="mine"} 1\n')
})
