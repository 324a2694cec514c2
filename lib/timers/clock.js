'use strict'
// The one door to the addon's timer: a BindingBatchClock (a tokio task that
// sleeps until the earliest armed deadline) whose weak ThreadsafeFunction
// calls `owner._onDue([slot, generation, ...])` on the JS thread. Armed
// deadlines do not keep the process alive. The callback reaches the owner
// through a table of WeakRefs, so an owner nobody closed can be
// garbage-collected (its clock then stops in Drop).
//
// Deadlines live in a SharedArrayBuffer the task reads (src/batch/slots.rs):
// arming and forgetting a batch are stores. The task publishes when it will
// next look; only a deadline earlier than that (or none published: the task
// sleeps until woken) costs a call, and the first addon call after the thread
// slept costs ~20 us (bench/RESULTS.md, native cost per frame).
const { BindingBatchClock, batchWake, BATCH_TIMER_EARLY_MS } = require('../../binding.js')
const { clockOrigin } = require('./origin')

// Generations are u32 on the native side and 0 means none: they run 1..2^32-1 and wrap.
const MAX_GENERATION = 0xffffffff

/** The generation after `generation`. */
function nextGeneration(generation) {
  return generation >= MAX_GENERATION ? 1 : generation + 1
}

// The shared header: [plan, awake, _, _] (Int32), as src/batch/slots.rs reads it.
const PLAN = 0 // whole ms since the epoch (rounded up, wrapping u32) when the task looks next
const AWAKE = 1 // 1: no plan to rely on (the task is looking, or sleeps until woken)
const HEADER_LEN = 4
const HEADER_BYTES = HEADER_LEN * 4


const owners = new Map()
const unregister = new FinalizationRegistry((id) => owners.delete(id))
let nextId = 1

function dueCallback(id) {
  return (due) => {
    const owner = owners.get(id)?.deref()
    if (owner !== undefined) owner._onDue(due)
  }
}

class NativeClock {
  /** `lingerMs`: how long the task stays awake after a batch fires (a steady stream re-arms without a wake). */
  constructor(owner, lingerMs) {
    this.id = nextId++
    owners.set(this.id, new WeakRef(owner))
    unregister.register(owner, this.id)
    this.native = new BindingBatchClock(dueCallback(this.id), lingerMs)
    this.handle = this.native.handle
    // The native epoch in performance.now() time: where the clock's elapsed time reads 0.
    this.epochMs = -clockOrigin(() => this.native.elapsedMs, 3)
    this.header = new Int32Array(HEADER_LEN)
    this.generations = new Uint32Array(0) // per slot: the armed generation, 0 for none
    this.dues = new Float64Array(0) // per slot: its deadline, ms since epochMs
  }

  /** Arms (or tightens) `slot`'s deadline, `dueAtMs` (performance.now()), for this `generation` (from nextGeneration). */
  arm(slot, generation, dueAtMs) {
    if (slot >= this.generations.length) this.grow(slot)
    const due = dueAtMs - this.epochMs
    this.dues[slot] = due
    // Then the generation, then the task's plan: the handshake of src/batch/slots.rs.
    Atomics.store(this.generations, slot, generation)
    const header = this.header
    if (Atomics.load(header, AWAKE) !== 0 || ((Math.floor(due) - Atomics.load(header, PLAN)) | 0) < 0) batchWake(this.handle)
  }

  /** The generation `slot` is armed for (0: none). */
  armedGeneration(slot) {
    return this.generations[slot] ?? 0
  }

  /** Forgets `slot`'s deadline for `generation` (a later fire for it is never delivered). */
  discard(slot, generation) {
    if (this.generations[slot] === generation) Atomics.store(this.generations, slot, 0)
  }

  // Room for `slot`: new shared arrays, the old ones' contents copied (the task reads the new ones from here on).
  grow(slot) {
    const length = Math.max(16, 2 * (slot + 1))
    const duesAt = HEADER_BYTES + Math.ceil((length * 4) / 8) * 8
    const buffer = new SharedArrayBuffer(duesAt + length * 8)
    const header = new Int32Array(buffer, 0, HEADER_LEN)
    const generations = new Uint32Array(buffer, HEADER_BYTES, length)
    const dues = new Float64Array(buffer, duesAt, length)
    header[AWAKE] = 1 // no plan for these arrays yet
    generations.set(this.generations)
    dues.set(this.dues)
    this.native.shareSlots(header, generations, dues)
    this.header = header
    this.generations = generations
    this.dues = dues
  }

  close() {
    this.native.close()
    owners.delete(this.id)
  }
}

// TIMER_EARLY_MS: the timer may deliver a deadline up to this many ms early, never late
// (src/batch/timer.rs); a deadline that must not come early is armed this much later.
module.exports = { NativeClock, nextGeneration, TIMER_EARLY_MS: BATCH_TIMER_EARLY_MS }
