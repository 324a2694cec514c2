'use strict'
// A simulated agent session, the same every run (seeded): bursts of tokens,
// a state snapshot after every few tokens (latest wins), tool progress, and
// two critical errors. `play(emit)` calls emit(channel, payload, options) in
// real time and resolves when the session is over.

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = ['The', ' agent', ' reads', ' the', ' file', ',', ' plans', ' a', ' change', ' and', ' runs', ' tests', '.', '\n']

// Content depends only on the seed (not on timing), so two runs of the same
// session deliver the same transcript.
function play(emit, { bursts = 150, seed = 42 } = {}) {
  const random = mulberry32(seed)
  let token = 0
  let step = 0
  let burstIndex = 0
  const errorsAt = [Math.floor(bursts * 0.35), Math.floor(bursts * 0.8)]
  return new Promise((resolve) => {
    const burst = () => {
      burstIndex++
      // A burst of 10-60 tokens, as a model streams them in chunks.
      const n = 10 + Math.floor(random() * 50)
      for (let i = 0; i < n; i++) {
        emit('agent:token', { i: token, text: WORDS[token % WORDS.length], t: performance.now() })
        token++
        if (token % 8 === 0) {
          emit('agent:state', { step, tokens: token, progress: burstIndex / bursts, t: performance.now() }, { coalesceKey: 'agent:state' })
        }
      }
      if (random() < 0.2) emit('agent:progress', { step: step++, tool: 'run_tests', done: random(), t: performance.now() })
      if (burstIndex === errorsAt[0]) {
        errorsAt.shift()
        emit('agent:error', { message: 'tool failed: exit code 1', step, t: performance.now() }, { priority: 'critical' })
      }
      if (burstIndex < bursts) setTimeout(burst, 5 + random() * 25)
      else resolve({ tokens: token })
    }
    burst()
  })
}

module.exports = { play }
