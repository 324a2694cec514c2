'use strict'
// Where a paced source's CPU above the transport floor goes, turn by turn
// (`node bench/paced-turns.js`): the main thread's wall time for each turn of a
// source that wakes every 5 ms with 10 messages (as the thread source's
// arrivals do), its microtasks included, through
//   floor     frames of 50 posted as they fill;
//   ipcflow   a BatchManager whose frames also leave by size (maxWaitMs 1000,
//             adaptive off), so both send the same frames on the same turns.
// A frame spans 5 turns: the first opens the batch (and gives it a native
// deadline), the fifth sends it. The variants take turns frame by frame; each
// turn's ratio is taken per round, and its median shown with its 95% confidence interval.
const { BatchManager } = require('..')
const { FRAME_CHANNEL, makeFrame } = require('../lib/protocol')
const { median, medianInterval, rotation, fmt } = require('./stats')
const { CHANNEL, makeTarget, makePayload, timeTurn } = require('./turns')

const PER_TURN = 10
const TURNS_PER_FRAME = 5
const ROUNDS = Number(process.env.BENCH_ROUNDS || 300)
const OPTIONS = { maxBatchSize: PER_TURN * TURNS_PER_FRAME, maxWaitMs: 1000, adaptive: false }
class Floor {
  constructor() {
    this.channels = []
    this.payloads = []
    this.seq = 0
  }

  addMessage(channel, payload, target) {
    this.target = target
    this.channels.push(channel)
    this.payloads.push(payload)
    if (this.channels.length >= OPTIONS.maxBatchSize) {
      target.send(FRAME_CHANNEL, makeFrame(1, ++this.seq, this.channels, this.payloads, false))
      this.channels = []
      this.payloads = []
    }
  }
}

class Ipcflow extends BatchManager {
  constructor() {
    super(OPTIONS)
  }
}

const VARIANTS = { floor: Floor, ipcflow: Ipcflow }

/** Wall time (us) of one turn of PER_TURN messages, its microtasks included, after a 5 ms sleep. */
function turn(sender, target) {
  return timeTurn(5, () => {
    for (let i = 0; i < PER_TURN; i++) sender.addMessage(CHANNEL, makePayload(), target)
  })
}

async function runPacedTurns() {
  const names = Object.keys(VARIANTS)
  const senders = Object.fromEntries(names.map((n) => [n, { sender: new VARIANTS[n](), target: makeTarget() }]))
  // times[name][k]: the k-th turn of each frame, one entry per round.
  const times = Object.fromEntries(names.map((n) => [n, Array.from({ length: TURNS_PER_FRAME }, () => [])]))
  for (let round = -20; round < ROUNDS; round++) {
    for (const name of rotation(names, round + 20)) {
      for (let k = 0; k < TURNS_PER_FRAME; k++) {
        const us = await turn(senders[name].sender, senders[name].target)
        if (round >= 0) times[name][k].push(us)
      }
    }
  }
  for (const name of names) await senders[name].sender.close?.()
  const frameTotals = (name) => times[name][0].map((_, i) => times[name].reduce((sum, turns) => sum + turns[i], 0))
  const row = (label, a, b) => {
    const ratio = a.map((x, i) => x / b[i])
    const gap = a.map((x, i) => x - b[i])
    return { label, floor: median(b), ipcflow: median(a), gap: median(gap), ratio: median(ratio), ratioCi: medianInterval(ratio) }
  }
  const labels = ['1 (opens the batch)', '2', '3', '4', '5 (sends the frame)']
  const rows = labels.map((label, k) => row(label, times.ipcflow[k], times.floor[k]))
  rows.push(row('the whole frame', frameTotals('ipcflow'), frameTotals('floor')))
  return { rounds: ROUNDS, rows }
}

function pacedTurnsMarkdown({ rounds, rows }) {
  return [
    `${PER_TURN} messages per turn, a turn every 5 ms, frames of ${OPTIONS.maxBatchSize} by size; ${rounds} rounds of one frame per variant;`,
    'wall time of each turn with its microtasks, medians; gap and ratio per round.',
    '',
    '| turn of the frame | floor, us | ipcflow, us | gap, us | ipcflow vs floor |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.label} | ${fmt(r.floor, 1)} | ${fmt(r.ipcflow, 1)} | ${fmt(r.gap, 1)} | ${fmt(r.ratio, 2)}x [${fmt(r.ratioCi[0], 2)}, ${fmt(r.ratioCi[1], 2)}] |`),
    '',
  ].join('\n')
}

module.exports = { runPacedTurns, pacedTurnsMarkdown }

if (require.main === module) {
  runPacedTurns().then(
    (result) => console.log(pacedTurnsMarkdown(result)),
    (error) => {
      console.error(error)
      process.exitCode = 1
    },
  )
}
