'use strict'
// Benchmark baselines: `npm run bench -- --save-baseline NAME` stores this
// run's figures as bench/baselines/NAME.json; `--compare NAME` prints every
// figure against it with its ratio and flags regressions beyond the threshold
// (`--threshold 0.1`, the default), then exits non-zero if there was one.
// Figures are the numeric leaves of the results object; where a figure has
// p95/p99 siblings, the tail is what is judged (the p50 is shown).
const fs = require('fs')
const os = require('os')
const path = require('path')

const DIR = path.join(__dirname, 'baselines')
const NAME = /^[A-Za-z0-9._-]{1,64}$/

function parseBaselineArgs(argv) {
  const out = { save: undefined, compare: undefined, threshold: 0.1 }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`)
      return v
    }
    if (flag === '--save-baseline') out.save = value()
    else if (flag === '--compare') out.compare = value()
    else if (flag === '--threshold') out.threshold = Number(value())
    else throw new Error(`unknown argument ${flag} (known: --save-baseline NAME, --compare NAME, --threshold 0.1)`)
  }
  for (const name of [out.save, out.compare]) {
    if (name !== undefined && !NAME.test(name)) throw new Error(`baseline name '${name}' must be letters, digits, '.', '_' or '-'`)
  }
  if (!(out.threshold > 0 && out.threshold < 10)) throw new Error('--threshold must be a number above 0 (0.1 = 10%)')
  return out
}

// An array element's label: its name (and rate) when it has them, else its index.
function labelOf(element, i) {
  if (element === null || typeof element !== 'object') return String(i)
  const parts = [element.rate, element.name].filter((p) => p !== undefined)
  return parts.length > 0 ? parts.join(' ') : String(i)
}

/** The numeric leaves of `results` as `{ 'a.b.c': n }`; arrays of plain numbers (raw samples) are left out. */
function flattenFigures(results, prefix = '', out = {}) {
  if (Array.isArray(results)) {
    if (results.every((v) => typeof v === 'number')) return out
    results.forEach((v, i) => flattenFigures(v, `${prefix}[${labelOf(v, i)}]`, out))
    return out
  }
  if (results !== null && typeof results === 'object') {
    for (const [k, v] of Object.entries(results)) flattenFigures(v, prefix ? `${prefix}.${k}` : k, out)
    return out
  }
  if (typeof results === 'number' && Number.isFinite(results)) out[prefix] = results
  return out
}

const LAST = (key) => key.slice(key.lastIndexOf('.') + 1)
// Checked in this order on the last path segment; bench/enqueue figures are ns without a unit in the name.
const SIZE_ONLY = /^(messages|rounds|rate|textLength|count|samples|maxQueueSize|callers|items|answered|handlerCalls|produced|itemCostUs|counted)$/i
const HIGHER_IS_BETTER = /hitRate|throughput|perS(ec)?$|delivered|fewer|speedup/i
const LOWER_IS_BETTER = /ns|ms|mb|cpu|latency|wait|overhead|frames|bytes|heap|rss|drop|lost|pending|ratio|^vs/i
const LOWER_PATHS = /^enqueue\./
const PERCENTILE = /p(50|95|99)$/i

/** 'lower' or 'higher' (which way is better), or undefined for a figure only shown (counts, sizes of the run). */
function directionOf(key) {
  const last = LAST(key)
  if (SIZE_ONLY.test(last)) return undefined
  if (HIGHER_IS_BETTER.test(last)) return 'higher'
  if (LOWER_IS_BETTER.test(last) || LOWER_PATHS.test(key)) return 'lower'
  return undefined
}

/**
 * Every figure of `current` beside `baseline`: ratio current/baseline, and
 * whether it regressed beyond `threshold` in its bad direction. A p50 whose
 * p95 or p99 exists is shown, not judged.
 */
function compareFigures(baseline, current, threshold = 0.1) {
  const keys = [...new Set([...Object.keys(baseline), ...Object.keys(current)])].sort()
  const has = (stem, p) => keys.some((k) => k.toLowerCase() === `${stem}p${p}`.toLowerCase())
  return keys.map((key) => {
    // A baseline file edited by hand may hold anything: non-numbers count as absent.
    const before = typeof baseline[key] === 'number' ? baseline[key] : undefined
    const now = typeof current[key] === 'number' ? current[key] : undefined
    let direction = directionOf(key)
    const stem = PERCENTILE.test(key) ? key.replace(PERCENTILE, '') : undefined
    if (stem !== undefined && /50$/.test(key) && (has(stem, 95) || has(stem, 99))) direction = undefined
    const row = { key, baseline: before, current: now, ratio: undefined, direction, regression: false }
    if (before === undefined || now === undefined) return row
    row.ratio = before === 0 ? (now === 0 ? 1 : Infinity) : now / before
    if (direction === 'lower' && before !== 0) row.regression = row.ratio > 1 + threshold
    if (direction === 'higher' && before !== 0) row.regression = row.ratio < 1 - threshold
    return row
  })
}

function formatComparison(rows, name, threshold) {
  const num = (n) => (n === undefined ? '-' : Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3))
  const lines = [`Against baseline '${name}' (regression: worse by more than ${Math.round(threshold * 100)}%)`, '']
  const width = Math.max(...rows.map((r) => r.key.length), 6)
  for (const r of rows) {
    const ratio = r.ratio === undefined ? (r.baseline === undefined ? 'new' : 'gone') : `${r.ratio.toFixed(3)}x`
    const mark = r.regression ? '  REGRESSION' : r.direction === undefined ? '  (shown only)' : ''
    lines.push(`${r.key.padEnd(width)}  ${num(r.baseline).padStart(10)}  ${num(r.current).padStart(10)}  ${ratio.padStart(9)}${mark}`)
  }
  const bad = rows.filter((r) => r.regression)
  lines.push('', bad.length === 0 ? 'No regressions.' : `${bad.length} regression(s): ${bad.map((r) => r.key).join(', ')}`)
  return lines.join('\n')
}

function saveBaseline(name, results, dir = DIR) {
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${name}.json`)
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${os.platform()}`
  fs.writeFileSync(file, JSON.stringify({ name, date: new Date().toISOString(), machine, figures: flattenFigures(results) }, null, 2) + '\n')
  return file
}

function loadBaseline(name, dir = DIR) {
  const file = path.join(dir, `${name}.json`)
  if (!fs.existsSync(file)) {
    const known = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)) : []
    throw new Error(`no baseline '${name}' in ${dir} (saved: ${known.join(', ') || 'none'})`)
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

/** What run.js calls with the finished results: saves and/or compares; returns the exit code (1 on a regression). */
function applyBaselineArgs(args, results, dir = DIR, print = console.log) {
  let code = 0
  if (args.compare !== undefined) {
    const base = loadBaseline(args.compare, dir)
    const rows = compareFigures(base.figures, flattenFigures(results), args.threshold)
    print(formatComparison(rows, args.compare, args.threshold))
    if (rows.some((r) => r.regression)) code = 1
  }
  if (args.save !== undefined) print(`Baseline saved: ${saveBaseline(args.save, results, dir)}`)
  return code
}

module.exports = { parseBaselineArgs, flattenFigures, directionOf, compareFigures, formatComparison, saveBaseline, loadBaseline, applyBaselineArgs }
