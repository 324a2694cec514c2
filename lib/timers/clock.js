'use strict'
// The one door to the addon's timer: a BindingBatchClock (a tokio task that
// sleeps until the earliest armed deadline) whose weak ThreadsafeFunction
// calls `owner._onDue([slot, generation, ...])` on the JS thread. Armed
// deadlines do not keep the process alive. The callback reaches the owner
// through a table of WeakRefs, so an owner nobody closed can be
// garbage-collected (its clock then stops in Drop).
const { BindingBatchClock, batchArm, batchDiscard } = require('../../binding.js')

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
  }

  /** Arms (or tightens) `slot`'s deadline for this `generation`. */
  arm(slot, generation, delayMs) {
    batchArm(this.handle, slot, generation, delayMs)
  }

  /** Forgets `slot`'s deadline for `generation` (a later fire for it is never delivered). */
  discard(slot, generation) {
    batchDiscard(this.handle, slot, generation)
  }

  close() {
    this.native.close()
    owners.delete(this.id)
  }
}

module.exports = { NativeClock }
