// bench/baseline.js on synthetic results (the full bench is not run here):
// arguments, flattening, which way each figure is better, p95/p99 judged over
// p50, the 10% threshold, save/load and the exit code.
import fs from 'fs'
import os from 'os'
import path from 'path'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const b = require('../bench/baseline')

const results = (scale: (key: string) => number = () => 1) => ({
  streams: {
    timer: {
      ipcflow: { messages: 4000, delivered: 4000 * scale('delivered'), latencyP50: 1 * scale('latencyP50'), latencyP99: 4 * scale('latencyP99'), cpuNsPerMessage: 900 * scale('cpu'), cpuRuns: [1, 2, 3] },
    },
  },
  enqueue: { floor: 5, js: 40, ipcflow: 30 * scale('enqueue') },
  adaptive: { rounds: 5, rows: [{ rate: 20, name: 'ipcflow adaptive', latencyP99: 2 * scale('adaptive') }] },
  cache: { hit: { hitRate: 0.9 * scale('hitRate') } },
})

test('arguments', () => {
  expect(b.parseBaselineArgs([])).toEqual({ save: undefined, compare: undefined, threshold: 0.1 })
  expect(b.parseBaselineArgs(['--save-baseline', 'main', '--compare', 'v0.1', '--threshold', '0.2'])).toEqual({ save: 'main', compare: 'v0.1', threshold: 0.2 })
  expect(() => b.parseBaselineArgs(['--compare'])).toThrow('--compare needs a value')
  expect(() => b.parseBaselineArgs(['--save-baseline', '../x'])).toThrow("baseline name '../x'")
  expect(() => b.parseBaselineArgs(['--fast'])).toThrow('unknown argument --fast')
  expect(() => b.parseBaselineArgs(['--threshold', 'x'])).toThrow('--threshold')
})

test('figures: numeric leaves by path, array rows by name, raw sample arrays left out', () => {
  const f = b.flattenFigures(results())
  expect(f['streams.timer.ipcflow.latencyP99']).toBe(4)
  expect(f['adaptive.rows[20 ipcflow adaptive].latencyP99']).toBe(2)
  expect(f['enqueue.ipcflow']).toBe(30)
  expect(Object.keys(f).some((k) => k.includes('cpuRuns'))).toBe(false)
})

test('which way is better', () => {
  expect(b.directionOf('streams.timer.ipcflow.latencyP99')).toBe('lower')
  expect(b.directionOf('streams.timer.ipcflow.cpuNsPerMessage')).toBe('lower')
  expect(b.directionOf('enqueue.ipcflow')).toBe('lower')
  expect(b.directionOf('cache.hit.hitRate')).toBe('higher')
  expect(b.directionOf('registryStream.streamItemsPerS')).toBe('higher')
  expect(b.directionOf('streams.timer.ipcflow.delivered')).toBe('higher')
  expect(b.directionOf('streams.timer.ipcflow.messages')).toBeUndefined()
  expect(b.directionOf('registryStream.items')).toBeUndefined()
})

test('identical runs: ratios 1, no regression', () => {
  const rows = b.compareFigures(b.flattenFigures(results()), b.flattenFigures(results()))
  expect(rows.every((r: any) => r.ratio === 1 && !r.regression)).toBe(true)
})

test('worse by more than the threshold in the bad direction is a regression; within it or better is not', () => {
  const base = b.flattenFigures(results())
  const worse = b.flattenFigures(results((k) => ({ latencyP99: 1.2, cpu: 1.05, enqueue: 0.5, hitRate: 0.8, delivered: 1 })[k] ?? 1))
  const rows = b.compareFigures(base, worse, 0.1)
  const flagged = rows.filter((r: any) => r.regression).map((r: any) => r.key)
  expect(flagged).toEqual(['cache.hit.hitRate', 'streams.timer.ipcflow.latencyP99'])
  const row = rows.find((r: any) => r.key === 'streams.timer.ipcflow.latencyP99')
  expect(row.ratio).toBeCloseTo(1.2)
  expect(b.compareFigures(base, worse, 0.25).filter((r: any) => r.regression).map((r: any) => r.key)).toEqual([])
})

test('a p50 with a p95/p99 beside it is shown, not judged', () => {
  const base = b.flattenFigures(results())
  const rows = b.compareFigures(base, b.flattenFigures(results((k) => (k === 'latencyP50' ? 3 : 1))))
  const p50 = rows.find((r: any) => r.key === 'streams.timer.ipcflow.latencyP50')
  expect(p50).toMatchObject({ ratio: 3, direction: undefined, regression: false })
})

test('new and gone figures are listed without a ratio; a zero baseline is not judged', () => {
  const rows = b.compareFigures({ a: { x: 1 }, goneMs: 5, zeroMs: 0 } as any, { newMs: 3, zeroMs: 7 })
  expect(rows.find((r: any) => r.key === 'newMs')).toMatchObject({ ratio: undefined, regression: false })
  expect(rows.find((r: any) => r.key === 'goneMs')).toMatchObject({ ratio: undefined, regression: false })
  expect(rows.find((r: any) => r.key === 'zeroMs')).toMatchObject({ ratio: Infinity, regression: false })
  expect(b.formatComparison(rows, 'x', 0.1)).toContain('new')
})

test('save, compare, exit code', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ipcflow-baselines-'))
  try {
    const printed: string[] = []
    const print = (s: string) => printed.push(s)
    expect(b.applyBaselineArgs({ save: 'main', threshold: 0.1 }, results(), dir, print)).toBe(0)
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'main.json'), 'utf8'))
    expect(saved).toMatchObject({ name: 'main', figures: { 'enqueue.ipcflow': 30 } })
    expect(saved.machine).toEqual(expect.any(String))

    expect(b.applyBaselineArgs({ compare: 'main', threshold: 0.1 }, results(), dir, print)).toBe(0)
    expect(printed.at(-1)).toContain('No regressions.')
    expect(b.applyBaselineArgs({ compare: 'main', threshold: 0.1 }, results((k) => (k === 'enqueue' ? 1.5 : 1)), dir, print)).toBe(1)
    expect(printed.at(-1)).toMatch(/enqueue\.ipcflow .*1\.500x  REGRESSION/)
    expect(printed.at(-1)).toContain('1 regression(s): enqueue.ipcflow')
    expect(() => b.applyBaselineArgs({ compare: 'nope', threshold: 0.1 }, results(), dir, print)).toThrow("no baseline 'nope' in")
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
