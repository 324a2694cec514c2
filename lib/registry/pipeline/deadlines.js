'use strict'
// Call timeouts on one timer per registry. A setTimeout per call costs an
// insert and an unenroll in Node's timer lists (about a tenth of a short
// invoke, bench/RESULTS.md); here starting a call is an array push. Calls with
// the same timeoutMs reach their deadlines in the order they started, so each
// length has a FIFO, and one timer is armed for the earliest deadline. A call
// that settled is skipped when it reaches its FIFO's head.
//
// The timer keeps the process alive only while calls are pending (as a
// per-call timer did): it is unref'd when the last one settles.

class Deadlines {
  /** `expire(call)` runs for each call still pending at its deadline. */
  constructor(expire) {
    this.expire = expire
    this.queues = new Map() // timeoutMs -> { calls, head }
    this.timer = undefined
    this.armedFor = Infinity
    this.pending = 0
    this.onTimer = () => this._fire()
  }

  /** Tracks `call` (with `call.done` and `call.start`, a performance.now()) until `start + timeoutMs`. */
  add(call, timeoutMs) {
    let queue = this.queues.get(timeoutMs)
    if (queue === undefined) {
      queue = { calls: [], head: 0 }
      this.queues.set(timeoutMs, queue)
    }
    dropSettled(queue)
    queue.calls.push(call)
    if (this.pending++ === 0 && this.timer !== undefined) this.timer.ref()
    const due = call.start + timeoutMs
    if (due < this.armedFor) this._arm(due)
  }

  /** A tracked call settled (before or at its deadline). */
  settled() {
    if (--this.pending === 0 && this.timer !== undefined) this.timer.unref()
  }

  close() {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.armedFor = Infinity
    this.queues.clear()
  }

  _arm(due) {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.armedFor = due
    this.timer = setTimeout(this.onTimer, Math.max(0, due - performance.now()))
    if (this.pending === 0) this.timer.unref()
  }

  // The walk reads and changes only this object's state; the expired calls are
  // expired after it, because expire() runs user code (abort listeners) that
  // may re-enter the registry: add() (which compacts a FIFO), settled(),
  // close(), another call's cancel. Nothing here holds an index across that.
  _fire() {
    this.timer = undefined
    this.armedFor = Infinity
    const now = performance.now()
    let next = Infinity
    let expired
    for (const [timeoutMs, queue] of this.queues) {
      const { calls } = queue
      while (queue.head < calls.length) {
        const call = calls[queue.head]
        if (!call.done && call.start + timeoutMs > now) {
          next = Math.min(next, call.start + timeoutMs)
          break
        }
        calls[queue.head++] = undefined
        if (!call.done) (expired ??= []).push(call)
      }
      if (queue.head === calls.length) this.queues.delete(timeoutMs)
    }
    if (next !== Infinity) this._arm(next)
    if (expired === undefined) return
    for (let i = 0; i < expired.length; i++) {
      const call = expired[i]
      if (call.done) continue // settled by an earlier call's listener (a cancel, close())
      try {
        this.expire(call)
      } catch {
        // expire() does not throw for anything user code does; were it ours, the
        // other calls still time out, and a timer callback must not throw in main.
      }
    }
  }
}

// Settled calls at the head leave, so a run of quick calls keeps the FIFO short.
function dropSettled(queue) {
  const { calls } = queue
  while (queue.head < calls.length && calls[queue.head].done) calls[queue.head++] = undefined
  if (queue.head === calls.length) {
    calls.length = 0
    queue.head = 0
  } else if (queue.head > 1024 && queue.head * 2 > calls.length) {
    queue.calls = calls.slice(queue.head)
    queue.head = 0
  }
}

module.exports = { Deadlines }
