'use strict'
// The canonical cache key of an argument list, as one string (the native
// lookup hashes it). Strings and object keys are length-prefixed rather than
// JSON-quoted: unambiguous without escaping, and cheaper. bench/cache.js measured it against a native hash walk
// of the arguments; this was faster (numbers in bench/RESULTS.md). The native
// side reads the key exactly, lone surrogates kept (src/binding/text.rs): keys
// that differ here, by one lone surrogate or U+FFFD, are different entries there.
// Rules (README "Response cache"): object key order is ignored; types are
// kept apart (1 and '1' differ); -0 is 0 and NaN is NaN (as Map keys); a
// property holding undefined is the same as an absent one, but undefined in
// an array or in the argument list is not null. Dates key by time. Anything
// else (Map, Set, typed arrays, class instances, functions, symbols, cycles
// nesting past MAX_DEPTH, arrays past MAX_KEY_ITEMS) has no key: such a call is served uncached.

const MAX_DEPTH = 64
// A sparse array clones in a few bytes but its key walk visits every index: a renderer's
// new Array(1e8) on a channel without caps would hold main for seconds. Longer lists go uncached.
const MAX_KEY_ITEMS = 65536
const NONE = undefined

function part(value, depth) {
  switch (typeof value) {
    case 'string':
      return `s${value.length}:${value}` // length-prefixed: no escaping needed to stay unambiguous
    case 'number':
      return value === 0 ? '0' : String(value) // -0 -> 0; NaN -> 'NaN'
    case 'boolean':
      return value ? 't' : 'f'
    case 'undefined':
      return 'u'
    case 'bigint':
      return `${value}n`
    case 'object':
      if (value === null) return 'n'
      if (depth >= MAX_DEPTH) return NONE
      return container(value, depth + 1)
    default:
      return NONE
  }
}

function container(value, depth) {
  if (Array.isArray(value)) {
    if (value.length > MAX_KEY_ITEMS) return NONE
    let out = '['
    for (let i = 0; i < value.length; i++) {
      const p = part(value[i], depth)
      if (p === NONE) return NONE
      out += i === 0 ? p : `,${p}`
    }
    return `${out}]`
  }
  const proto = Object.getPrototypeOf(value)
  if (proto === Date.prototype) return `D${value.getTime()}`
  if (proto !== Object.prototype && proto !== null) return NONE
  const keys = Object.keys(value)
  if (keys.length > 1) keys.sort()
  let out = '{'
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]
    const v = value[key]
    if (v === undefined) continue
    const p = part(v, depth)
    if (p === NONE) return NONE
    out += `${key.length}:${key}=${p};`
  }
  return `${out}}`
}

/** The canonical key of an argument list, or undefined when it has none. */
function argsKey(args) {
  try {
    return container(args, 0)
  } catch {
    return NONE // a throwing getter or Proxy trap: served uncached
  }
}

/** A rough size of a structured-clone value in bytes (for maxBytes). */
function estimateBytes(value, depth = 0) {
  switch (typeof value) {
    case 'string':
      return 16 + value.length * 2
    case 'object': {
      if (value === null) return 8
      if (depth > MAX_DEPTH) return 0
      if (ArrayBuffer.isView(value)) return 32 + value.byteLength
      if (value instanceof ArrayBuffer) return 32 + value.byteLength
      let n = 32
      if (value instanceof Map) {
        for (const [k, v] of value) n += estimateBytes(k, depth + 1) + estimateBytes(v, depth + 1)
        return n
      }
      if (value instanceof Set) {
        for (const v of value) n += estimateBytes(v, depth + 1)
        return n
      }
      if (Array.isArray(value)) {
        for (const v of value) n += estimateBytes(v, depth + 1)
        return n
      }
      for (const key of Object.keys(value)) n += 16 + key.length * 2 + estimateBytes(value[key], depth + 1)
      return n
    }
    default:
      return 8
  }
}

module.exports = { argsKey, estimateBytes }
