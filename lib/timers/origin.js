'use strict'
// Another clock against performance.now(): its value at performance.now() == 0,
// from the tightest of a few bracketed reads (within half its span, ~1 us; one read preempted between its
// two performance.now() calls would be off by as long as it waited).

/** `readMs()` minus performance.now() at the same instant, over `reads` tries. */
function clockOrigin(readMs, reads) {
  let best = Infinity
  let origin = 0
  for (let i = 0; i < reads; i++) {
    const before = performance.now()
    const otherMs = readMs()
    const after = performance.now()
    if (after - before < best) {
      best = after - before
      origin = otherMs - (before + after) / 2
    }
  }
  return origin
}

module.exports = { clockOrigin }
