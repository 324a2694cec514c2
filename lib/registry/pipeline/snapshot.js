'use strict'
// In-process invoke: the handler must get exactly what was validated.
// Arguments from a renderer are structured clones (plain data), but a
// main-process caller may pass getters or Proxies that answer differently on
// each read. So its arguments are read once, into a copy of plain objects and
// arrays that is validated and handed to the handler. Shared references and
// cycles are kept as such (the validator reports a cycle exactly as it would
// have in the original); anything else (Map, Date, class instances), and a
// container past the depth cap, is kept by reference: the validator refuses
// it or leaves it alone all the same.

class ReadFault {
  constructor(frame, key, thrown) {
    this.frame = frame
    this.key = key
    this.thrown = thrown
  }
}

// The validator's words for a read that threw (src/validate/mod.rs, Fault::thrown).
const THROWN_TEXT_MAX = 200
function thrownText(thrown) {
  let text = 'a non-Error value'
  try {
    if (typeof thrown === 'string') text = thrown
    else if (thrown instanceof Error && typeof thrown.message === 'string') text = thrown.message
  } catch {
    // a hostile Error: keep the neutral words
  }
  return `reading this value threw: ${text.length > THROWN_TEXT_MAX ? text.slice(0, THROWN_TEXT_MAX) : text}`
}

const escapePointer = (key) => String(key).replace(/~/g, '~0').replace(/\//g, '~1')

function pointerOf(frame, key) {
  const parts = key === undefined ? [] : [escapePointer(key)]
  for (let f = frame; f !== undefined && f.key !== undefined; f = f.parent) parts.push(escapePointer(f.key))
  return parts.length === 0 ? '' : '/' + parts.reverse().join('/')
}

function plainKind(value) {
  if (Array.isArray(value)) return 'array'
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null ? (proto === null ? 'null-object' : 'object') : undefined
}

function setOwn(target, key, value) {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
  else target[key] = value
}

/**
 * Copies `args` (the argument list) reading every value once, down to
 * `maxDepth` levels below the list. Returns `{ args }`, or `{ issue }` when a
 * read threw or the copy outgrew `maxBytes` (each value is at least a byte of
 * JSON), with pointers from the list (/0...).
 */
function snapshotArgs(args, maxBytes, maxDepth) {
  let budget = maxBytes
  let copies // original -> copy, made at the first object
  const stack = []
  const top = { src: args, dst: new Array(args.length), array: true, parent: undefined, key: undefined, depth: 0 }
  const copyOf = (value, parent, key) => {
    if (value === null || typeof value !== 'object') return value
    if (value === args) return top.dst
    if (copies === undefined) copies = new Map()
    const seen = copies.get(value)
    if (seen !== undefined) return seen
    let kind
    try {
      kind = plainKind(value)
    } catch (thrown) {
      throw new ReadFault(parent, key, thrown)
    }
    if (kind === undefined || parent.depth >= maxDepth) return value
    const copy = kind === 'array' ? [] : kind === 'object' ? {} : Object.create(null)
    copies.set(value, copy)
    stack.push({ src: value, dst: copy, array: kind === 'array', parent, key, depth: parent.depth + 1 })
    return copy
  }
  stack.push(top)
  try {
    while (stack.length > 0) {
      const frame = stack.pop()
      const { src, dst } = frame
      let keys
      let length = 0
      try {
        if (frame.array) length = src.length
        else keys = Object.keys(src)
      } catch (thrown) {
        throw new ReadFault(frame, undefined, thrown)
      }
      const n = frame.array ? length : keys.length
      budget -= n + 1
      if (budget < 0) return { issue: { pointer: pointerOf(frame), keyword: 'maxBytes', message: `larger than ${maxBytes} bytes` } }
      for (let i = 0; i < n; i++) {
        const key = frame.array ? i : keys[i]
        let value
        try {
          value = src[key]
        } catch (thrown) {
          throw new ReadFault(frame, key, thrown)
        }
        if (frame.array) dst[i] = copyOf(value, frame, i)
        else setOwn(dst, key, copyOf(value, frame, key))
      }
    }
  } catch (error) {
    if (!(error instanceof ReadFault)) throw error
    return { issue: { pointer: pointerOf(error.frame, error.key), keyword: 'exception', message: thrownText(error.thrown) } }
  }
  return { args: top.dst }
}

module.exports = { snapshotArgs, plainKind }
