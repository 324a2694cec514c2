'use strict'
// The one door to the addon's timer: a BindingBatchClock (a tokio task that
// sleeps until the earliest armed deadline) whose weak ThreadsafeFunction
// calls `owner._onDue([slot, generation, ...])` on the JS thread. Armed
// deadlines do not keep the process alive. The callback reaches the owner
// through a table of WeakRefs, so an owner nobody closed can be
// garbage-collected (its clock then stops in Drop).
const { BindingBatchClock, batchArm } = require('../../binding.js')

// Generations are u32 on the native side and 0 means none: they run 1..2^32-1 and wrap.
const MAX_GENERATION = 0xffffffff

/** The generation after `generation`. */
function nextGeneration(generation) {
  return generation >= MAX_GENERATION ? 1 : generation + 1
}

const NO_SLOTS = new Uint32Array(0)

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
    // Shared with the timer task: slot -> its armed generation (0: none). A deadline
    // fires only while it is there, so forgetting one is a store, not a native call.
    this.live = NO_SLOTS
  }

  /** Arms (or tightens) `slot`'s deadline for this `generation` (from nextGeneration). */
  arm(slot, generation, delayMs) {
    if (slot >= this.live.length) this.growLive(slot)
    this.live[slot] = generation
    batchArm(this.handle, slot, generation, delayMs)
  }

  /** Forgets `slot`'s deadline for `generation` (a later fire for it is never delivered). */
  discard(slot, generation) {
    if (this.live[slot] === generation) this.live[slot] = 0
  }

  growLive(slot) {
    const live = new Uint32Array(Math.max(16, 2 * (slot + 1)))
    live.set(this.live)
    this.native.shareLive(live)
    this.live = live
  }

  close() {
    this.native.close()
    owners.delete(this.id)
  }
}

module.exports = { NativeClock, nextGeneration }
