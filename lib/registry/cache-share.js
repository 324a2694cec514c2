'use strict'
// What the response cache hands to more than one caller (README "Response
// cache"): no caller may change what another receives. A value is cloned once
// when kept (the handler may keep mutating its own), then:
// - plain data (objects, arrays, primitives, boxed primitives, Errors) is
//   deep-frozen and the same object is handed to every caller;
// - anything freezing cannot protect (typed arrays, ArrayBuffer, DataView, Map,
//   Set, Date, RegExp: internal slots; host objects) is copied per hand-out,
//   with the objects and arrays on the path to it; frozen subtrees beside it
//   stay shared. A value with shared references or cycles around such parts,
//   a resizable buffer or nesting past MAX_PLAN_DEPTH is structured-cloned per
//   hand-out instead (exact, slower);
// - SharedArrayBuffer memory survives every clone: such a value is not kept.

const { setOwn } = require('../own')

const MAX_PLAN_DEPTH = 64 // copy() recurses along the plan

const OBJ = 0
const ARR = 1
const TYPED = 2 // a typed array over its whole, fixed-length buffer
const VIEW = 3 // a typed array or DataView over part of a buffer
const BUFFER = 4
const DATE = 5
const REGEXP = 6
const MAP = 7
const SET = 8
const CLONE = 9 // anything else: structuredClone of that node

const tagOf = (v) => Object.prototype.toString.call(v).slice(8, -1)
// structuredClone may come from another realm than this module (jest's vm
// contexts): its objects are plain too, and copies are made with its constructors.
const CLONED_OBJECT = Object.getPrototypeOf(structuredClone({}))
const isPlain = (v) => {
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === CLONED_OBJECT
}

// One turn of the event loop: two IPC callers answered in one reply message
// (a batched request) must not get one object, which the clone would keep
// shared on the renderer side (and unfrozen).
let tick = 0
let tickArmed = false
const endTick = () => {
  tick++
  tickArmed = false
}
function thisTick() {
  if (!tickArmed) {
    tickArmed = true
    queueMicrotask(endTick)
  }
  return tick
}

class Shared {
  constructor(value, plan, cloneEach) {
    this.value = value // never handed out when plan or cloneEach is set
    this.plan = plan
    this.cloneEach = cloneEach
    this.ipcTick = -1
  }

  /** The value for one caller; `ipc`: it goes out in a reply that is structured-cloned. */
  hand(ipc) {
    const v = this.value
    if (v === null || typeof v !== 'object') return v
    if (ipc) {
      const t = thisTick()
      if (this.ipcTick === t) return structuredClone(v)
      this.ipcTick = t
    }
    if (this.cloneEach) return structuredClone(v)
    return this.plan === undefined ? v : copy(this.plan)
  }
}

/** A Shared for `value`, or undefined when it cannot be kept (not cloneable, shared memory). */
function share(value) {
  let clone
  try {
    clone = structuredClone(value)
  } catch {
    return undefined
  }
  if (clone === null || typeof clone !== 'object') return new Shared(clone, undefined, false)
  const s = scan(clone)
  if (s.sharedMemory) return undefined
  if (!s.mutable) {
    freezeAll(clone)
    return new Shared(clone, undefined, false)
  }
  if (s.aliased || s.resizable || s.depth > MAX_PLAN_DEPTH) return new Shared(clone, undefined, true)
  return new Shared(clone, build(clone), false)
}

// Children of a node for the walks below (a structured clone holds only
// own data properties; an Error's cause is non-enumerable).
function childrenOf(v, tag, out) {
  if (tag === 'Array' || tag === 'Object') for (const k of Object.keys(v)) out.push(v[k])
  else if (tag === 'Error') for (const k of Reflect.ownKeys(v)) out.push(v[k])
  else if (tag === 'Map') for (const [k, x] of v) out.push(k, x)
  else if (tag === 'Set') for (const x of v) out.push(x)
  return out
}

const FREEZABLE = new Set(['Array', 'Object', 'Error', 'Number', 'String', 'Boolean', 'BigInt'])

// Iterative: a kept value may be nested deeper than the JS stack allows.
function scan(root) {
  const r = { mutable: false, aliased: false, sharedMemory: false, resizable: false, depth: 0 }
  const seen = new Set()
  const stack = [root, 0]
  const kids = []
  while (stack.length > 0) {
    const depth = stack.pop()
    const v = stack.pop()
    if (v === null || typeof v !== 'object') continue
    if (seen.has(v)) {
      r.aliased = true
      continue
    }
    seen.add(v)
    if (depth > r.depth) r.depth = depth
    let tag = tagOf(v)
    if (ArrayBuffer.isView(v)) {
      r.mutable = true
      kids.push(v.buffer)
      tag = 'view'
    } else if (tag === 'SharedArrayBuffer') {
      r.sharedMemory = true
      return r
    } else if (tag === 'ArrayBuffer') {
      r.mutable = true
      if (v.resizable) r.resizable = true
    } else if (!FREEZABLE.has(tag) || (tag === 'Object' && !isPlain(v))) {
      r.mutable = true // Date, RegExp, Map, Set, host objects
    }
    childrenOf(v, tag, kids)
    for (const k of kids) stack.push(k, depth + 1)
    kids.length = 0
  }
  return r
}

function freezeAll(root) {
  const stack = [root]
  while (stack.length > 0) {
    const v = stack.pop()
    if (v === null || typeof v !== 'object' || Object.isFrozen(v)) continue
    Object.freeze(v)
    childrenOf(v, tagOf(v), stack)
  }
}

// The copy plan of a tree (no shared references: scan checked) at most
// MAX_PLAN_DEPTH deep: undefined for a subtree that is frozen and shared.
function build(v) {
  if (v === null || typeof v !== 'object') return undefined
  if (ArrayBuffer.isView(v)) {
    const whole = tagOf(v) !== 'DataView' && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength
    return { t: whole ? TYPED : VIEW, v, c: v.constructor, dataView: tagOf(v) === 'DataView' }
  }
  const tag = tagOf(v)
  switch (tag) {
    case 'Array':
    case 'Object': {
      if (tag === 'Object' && !isPlain(v)) return { t: CLONE, v }
      const keys = Object.keys(v)
      const kids = []
      for (const k of keys) {
        const p = build(v[k])
        if (p !== undefined) kids.push(k, p)
      }
      if (kids.length === 0) {
        Object.freeze(v)
        return undefined
      }
      if (tag === 'Object') return { t: OBJ, v, kids, proto: Object.getPrototypeOf(v) }
      // slice() walks every index of a sparse array (seconds at length 1e9) and drops non-index
      // keys; Object.keys lists indices first, so a dense array without others ends with length - 1.
      const dense = keys.length === v.length && (v.length === 0 || keys[keys.length - 1] === String(v.length - 1))
      return { t: ARR, v, kids, keys: dense ? undefined : keys }
    }
    case 'Error': {
      // Rare enough to clone whole when something mutable hangs off its cause.
      for (const k of Reflect.ownKeys(v)) if (build(v[k]) !== undefined) return { t: CLONE, v }
      Object.freeze(v)
      return undefined
    }
    case 'Number':
    case 'String':
    case 'Boolean':
    case 'BigInt':
      Object.freeze(v)
      return undefined
    case 'ArrayBuffer':
      return { t: BUFFER, v, c: v.constructor }
    case 'Date':
      return { t: DATE, v, c: v.constructor, time: v.getTime() }
    case 'RegExp':
      return { t: REGEXP, v, c: v.constructor } // frozen, compile() would still change it, and lastIndex could not move
    case 'Map':
    case 'Set': {
      const keys = []
      const keyPlans = []
      const values = []
      const valuePlans = []
      for (const [k, x] of v.entries()) {
        keys.push(k)
        keyPlans.push(build(k))
        if (tag === 'Map') {
          values.push(x)
          valuePlans.push(build(x))
        }
      }
      return { t: tag === 'Map' ? MAP : SET, v, c: v.constructor, keys, keyPlans, values, valuePlans }
    }
    default:
      return { t: CLONE, v }
  }
}

// From 64 KiB, skipping the zero fill of memory that is overwritten at once
// halves the copy (measured at 256 KiB: 14 against 28 us); below, the plain
// constructor is as fast or faster (on-heap up to 64 bytes).
const UNFILLED_FROM = 64 * 1024
const bufferOf = (ArrayBufferOf, byteLength) => (byteLength >= UNFILLED_FROM ? Buffer.allocUnsafeSlow(byteLength).buffer : new ArrayBufferOf(byteLength))

function copyBuffer(b) {
  const out = bufferOf(b.constructor, b.byteLength)
  new Uint8Array(out).set(new Uint8Array(b))
  return out
}

function copyTyped(p) {
  const v = p.v
  if (v.byteLength < UNFILLED_FROM) return new p.c(v)
  const out = new p.c(Buffer.allocUnsafeSlow(v.byteLength).buffer)
  out.set(v)
  return out
}

const part = (plan, value) => (plan === undefined ? value : copy(plan))

function copy(p) {
  const v = p.v
  switch (p.t) {
    case OBJ:
    case ARR: {
      // Spread and slice define own properties, so an own '__proto__' stays one and the
      // assignments below find it; a sparse array's keys are defined one by one.
      let out
      if (p.t === OBJ) {
        out = { ...v }
        if (p.proto !== Object.prototype) Object.setPrototypeOf(out, p.proto) // only across realms
      } else if (p.keys === undefined) out = v.slice()
      else {
        out = new v.constructor(v.length)
        for (const k of p.keys) setOwn(out, k, v[k])
      }
      const kids = p.kids
      for (let i = 0; i < kids.length; i += 2) out[kids[i]] = copy(kids[i + 1])
      return out
    }
    case TYPED:
      return copyTyped(p)
    case VIEW: {
      const b = copyBuffer(v.buffer)
      return new p.c(b, v.byteOffset, p.dataView ? v.byteLength : v.length)
    }
    case BUFFER:
      return copyBuffer(v)
    case DATE:
      return new p.c(p.time)
    case REGEXP:
      return new p.c(v)
    case MAP: {
      const out = new p.c()
      for (let i = 0; i < p.keys.length; i++) out.set(part(p.keyPlans[i], p.keys[i]), part(p.valuePlans[i], p.values[i]))
      return out
    }
    case SET: {
      const out = new p.c()
      for (let i = 0; i < p.keys.length; i++) out.add(part(p.keyPlans[i], p.keys[i]))
      return out
    }
    default:
      return structuredClone(v)
  }
}

module.exports = { share, Shared }
