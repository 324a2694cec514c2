'use strict'
// Where the burst source's CPU above the transport floor goes (`node bench/cold-burst.js`):
// the main thread's wall time for one turn that makes a burst of 100 messages
// after the thread slept 20 ms (as the burst source's 50 ms loop does), through
//   floor     a plain send, then frames of 50 posted as they fill, the rest at the end of the loop;
//   minimal   the same decisions as ipcflow makes for a burst, in a few lines of JS: the first
//             message to a target quiet for maxWaitMs is a plain send, the rest are batched,
//             frames leave by size and what is left at the end of the turn (a microtask);
//   ipcflow   a BatchManager with the bench's options;
//   floor + 30 functions  the floor, calling 30 distinct trivial functions at each frame it posts:
//             what a function costs the first time a turn runs it after a sleep.
// "functions" counts the distinct JS functions one burst runs beyond the harness's own (V8 precise
// coverage, after the timed rounds).
// Every send structured-clones its value (v8.serialize), as a child process's channel does (turns.js).
// The variants take turns burst by burst; ratios are per round of one burst each, their median
// shown with its 95% confidence interval. "hot" runs each variant's bursts back to back instead.
const inspector = require('inspector')
const { BatchManager } = require('..')
const { FRAME_CHANNEL, makeFrame } = require('../lib/protocol')
const { median, medianInterval, rotation, sleep, fmt } = require('./stats')
const { CHANNEL, makeTarget, makePayload } = require('./turns')

const BURST = 100
const ROUNDS = Number(process.env.BENCH_ROUNDS || 300)
// Back to back: blocks of bursts with no sleep, the first of each block left out.
const HOT_BLOCKS = 20
const HOT_WARM_UP = 5
const HOT_BURSTS = 20
const OPTIONS = { maxBatchSize: 50, maxWaitMs: 16 }
class Floor {
  constructor() {
    this.channels = []
    this.payloads = []
    this.seq = 0
    this.first = true
  }

  addMessage(channel, payload, target) {
    this.target = target
    if (this.first) {
      this.first = false
      target.send(channel, payload)
      return
    }
    this.channels.push(channel)
    this.payloads.push(payload)
    if (this.channels.length >= OPTIONS.maxBatchSize) this.post()
  }

  post() {
    if (this.channels.length === 0) return
    this.target.send(FRAME_CHANNEL, makeFrame(1, ++this.seq, this.channels, this.payloads, false))
    this.channels = []
    this.payloads = []
  }

  /** The producer's loop ended (the floor knows the sizes in advance, so no microtask). */
  end() {
    this.post()
    this.first = true
  }
}

class Minimal extends Floor {
  constructor() {
    super()
    this.lastFrameAt = -Infinity
    this.queued = false
    this.onTurnEnd = () => {
      this.queued = false
      this.post()
    }
  }

  addMessage(channel, payload, target) {
    if (this.channels.length === 0) {
      const now = performance.now()
      if (now - this.lastFrameAt >= OPTIONS.maxWaitMs) {
        this.target = target
        this.lastFrameAt = now
        target.send(channel, payload)
        if (!this.queued) {
          this.queued = true
          Promise.resolve().then(this.onTurnEnd)
        }
        return
      }
    }
    this.first = false // the floor's own first-message rule is replaced by the one above
    super.addMessage(channel, payload, target)
  }

  post() {
    if (this.channels.length === 0) return
    super.post()
    this.lastFrameAt = performance.now()
  }

  end() {}
}

// Each its own bytecode: 30 distinct functions, not one called 30 times.
const EXTRA_FUNCTIONS = Array.from({ length: 30 }, (_, i) => new Function('s', `s.n = (s.n * ${i + 3} + ${i + 1}) % 1000003; return s.n`))

class FloorPlusFunctions extends Floor {
  constructor() {
    super()
    this.state = { n: 0 }
  }

  post() {
    if (this.channels.length === 0) return
    for (const f of EXTRA_FUNCTIONS) f(this.state)
    super.post()
  }
}

class Ipcflow extends BatchManager {
  constructor() {
    super(OPTIONS)
  }

  end() {}
}

const VARIANTS = { floor: Floor, minimal: Minimal, ipcflow: Ipcflow, 'floor + 30 functions': FloorPlusFunctions }

// Runs no code of its own: what the harness alone runs in a burst.
class Nothing {
  addMessage() {}
  end() {}
}

/** The distinct functions one burst of each variant runs, less those a burst of `Nothing` runs (V8 precise coverage). */
async function functionsPerBurst(names, senders) {
  const session = new inspector.Session()
  session.connect()
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))))
  const ran = async (sender, target) => {
    await post('Profiler.takePreciseCoverage') // resets the counts
    await burst(sender, target, 20) // as timed: the first message finds the target quiet
    const { result } = await post('Profiler.takePreciseCoverage')
    const keys = new Set()
    for (const script of result) for (const f of script.functions) if (f.ranges[0].count > 0) keys.add(`${script.scriptId}:${f.ranges[0].startOffset}`)
    return keys
  }
  try {
    await post('Profiler.enable')
    await post('Profiler.startPreciseCoverage', { callCount: true, detailed: false })
    const nothing = new Nothing()
    await burst(nothing, makeTarget(), 0) // the harness's first-call paths, out of the count
    const harness = await ran(nothing, makeTarget())
    const counts = {}
    for (const name of names) {
      const keys = await ran(senders[name].sender, senders[name].target)
      counts[name] = [...keys].filter((k) => !harness.has(k)).length
    }
    await post('Profiler.stopPreciseCoverage')
    return counts
  } finally {
    session.disconnect()
  }
}

// A burst turn's phases, each ended by its `last` message (1-based); the last phase is the loop's
// end() and the turn's microtasks (the floor posts its tail in end(), the others when the turn ends).
const PHASES = [
  { name: 'message 1 (the target was quiet: a plain send)', last: 1 },
  { name: 'message 2 (opens a batch)', last: 2 },
  { name: 'messages 3-50', last: 50 },
  { name: 'message 51 (a frame of 50 leaves by size)', last: 51 },
  { name: 'messages 52-100', last: 100 },
  { name: "the turn's end (a frame of the last 49)", last: Infinity },
]

/** Wall time (us) of each of PHASES of one burst turn, its microtasks included, after sleeping `sleepMs`. */
async function burst(sender, target, sleepMs) {
  if (sleepMs > 0) await sleep(sleepMs)
  return new Promise((resolve) =>
    setTimeout(() => {
      const marks = new Float64Array(PHASES.length + 1)
      marks[0] = performance.now()
      let phase = 0
      for (let i = 1; i <= BURST; i++) {
        sender.addMessage(CHANNEL, makePayload(), target)
        if (i === PHASES[phase].last) marks[++phase] = performance.now()
      }
      sender.end()
      setImmediate(() => {
        marks[PHASES.length] = performance.now()
        resolve(PHASES.map((_, i) => (marks[i + 1] - marks[i]) * 1000))
      })
    }, 0),
  )
}

const sum = (values) => values.reduce((a, b) => a + b, 0)

async function runColdBurst() {
  const names = Object.keys(VARIANTS)
  const senders = Object.fromEntries(names.map((n) => [n, { sender: new VARIANTS[n](), target: makeTarget() }]))
  const cold = Object.fromEntries(names.map((n) => [n, []])) // per round: the phases' us
  for (let round = -20; round < ROUNDS; round++) {
    for (const name of rotation(names, round + 20)) {
      const phases = await burst(senders[name].sender, senders[name].target, 20)
      if (round >= 0) cold[name].push(phases)
    }
  }
  // Back to back: each variant's bursts in a row (the code stays hot), the variants taking turns in blocks.
  const hot = Object.fromEntries(names.map((n) => [n, []]))
  for (let block = 0; block < HOT_BLOCKS; block++) {
    for (const name of rotation(names, block)) {
      for (let i = 0; i < HOT_WARM_UP + HOT_BURSTS; i++) {
        const us = sum(await burst(senders[name].sender, senders[name].target, 0))
        if (i >= HOT_WARM_UP) hot[name].push(us)
      }
    }
  }
  const functions = await functionsPerBurst(names, senders)
  for (const name of names) await senders[name].sender.close?.()
  const total = (name) => cold[name].map(sum)
  const ratio = (name) => total(name).map((us, i) => us / total('floor')[i])
  const phase = (name, p) => median(cold[name].map((phases) => phases[p]))
  return {
    rounds: ROUNDS,
    rows: names.map((name) => ({ name, functions: functions[name], cold: median(total(name)), hot: median(hot[name]), ratio: median(ratio(name)), ratioCi: medianInterval(ratio(name)) })),
    phases: PHASES.map((p, i) => ({ name: p.name, floor: phase('floor', i), minimal: phase('minimal', i), ipcflow: phase('ipcflow', i) })),
  }
}

function coldBurstMarkdown({ rounds, rows, phases }) {
  return [
    `A burst of ${BURST} messages in one turn, ${rounds} rounds; wall time of the turn with its microtasks, medians.`,
    `Back to back: ${HOT_BLOCKS} blocks per variant, taking turns, of ${HOT_BURSTS} bursts with no sleep (after ${HOT_WARM_UP} left out).`,
    '"functions": the distinct JS functions one burst runs (V8 precise coverage, the harness\'s own left out).',
    '',
    '| variant | functions | after a 20 ms sleep, us | vs floor (per round) | back to back, us |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${r.functions} | ${fmt(r.cold, 1)} | ${fmt(r.ratio, 2)}x [${fmt(r.ratioCi[0], 2)}, ${fmt(r.ratioCi[1], 2)}] | ${fmt(r.hot, 1)} |`),
    '',
    'The same cold turns by phase (medians of each phase over the rounds, so they need not add up to the totals):',
    '',
    '| phase | floor, us | minimal, us | ipcflow, us | ipcflow - floor, us |',
    '|---|---|---|---|---|',
    ...phases.map((p) => `| ${p.name} | ${fmt(p.floor, 1)} | ${fmt(p.minimal, 1)} | ${fmt(p.ipcflow, 1)} | ${fmt(p.ipcflow - p.floor, 1)} |`),
    '',
  ].join('\n')
}

module.exports = { runColdBurst, coldBurstMarkdown }

if (require.main === module) {
  runColdBurst().then(
    (result) => console.log(coldBurstMarkdown(result)),
    (error) => {
      console.error(error)
      process.exitCode = 1
    },
  )
}
