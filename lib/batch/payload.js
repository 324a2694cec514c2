'use strict'
// Cheap facts about payloads, computed in JS because reading a JS value from
// Rust costs more (~3.3 us to convert a small object) than these walks.

const MAX_DEPTH = 16
const MAX_ITEMS = 256

/**
 * Approximate structured-clone size in bytes. Strings count one byte per
 * char (V8 writes Latin-1 strings that way), binary counts its bytes, and
 * walks stop at depth 16 / 256 items, extrapolating the rest.
 */
function estimateSize(value, depth = 0) {
  switch (typeof value) {
    case 'string':
      return value.length + 2
    case 'number':
      return 9
    case 'boolean':
    case 'undefined':
      return 1
    case 'bigint':
      return 16
    case 'object':
      break
    default:
      return 1
  }
  if (value === null) return 1
  if (depth >= MAX_DEPTH) return 64
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength + 16
  if (Array.isArray(value)) return 4 + sumItems(value, value.length, depth)
  if (value instanceof Map || value instanceof Set) return 4 + sumItems(Array.from(value.values()), value.size, depth) + (value instanceof Map ? value.size * 8 : 0)
  if (value instanceof Date) return 9
  let size = 4
  let seen = 0
  for (const key in value) {
    if (++seen > MAX_ITEMS) return Math.round((size * Object.keys(value).length) / MAX_ITEMS)
    size += key.length + 2 + estimateSize(value[key], depth + 1)
  }
  return size
}

function sumItems(items, total, depth) {
  const n = Math.min(items.length, MAX_ITEMS)
  let size = 0
  for (let i = 0; i < n; i++) size += estimateSize(items[i], depth + 1)
  return n < total ? Math.round((size / n) * total) : size
}

/**
 * A key equal for exactly-equal JSON-like payloads (same keys in the same
 * order), or undefined for anything whose equality we can't prove cheaply
 * (Maps, Dates, binary, -0, NaN...): those are never treated as duplicates.
 */
function exactKey(value, depth = 0) {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? String(value) : undefined
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object':
      break
    default:
      return undefined
  }
  if (value === null) return 'null'
  if (depth >= MAX_DEPTH) return undefined
  let out
  if (Array.isArray(value)) {
    out = '['
    for (let i = 0; i < value.length; i++) {
      const k = exactKey(value[i], depth + 1)
      if (k === undefined) return undefined
      out += k + ','
    }
    return out + ']'
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return undefined
  out = '{'
  for (const key of Object.keys(value)) {
    const k = exactKey(value[key], depth + 1)
    if (k === undefined) return undefined
    out += JSON.stringify(key) + ':' + k + ','
  }
  return out + '}'
}

// A getter or Proxy trap in a payload may throw: the estimate falls back to a
// guess and the payload is never deduplicated; the send reports it if it cannot be cloned.
function safeEstimateSize(value) {
  try {
    return estimateSize(value)
  } catch {
    return 64
  }
}

function safeExactKey(value) {
  try {
    return exactKey(value)
  } catch {
    return undefined
  }
}

module.exports = { estimateSize: safeEstimateSize, exactKey: safeExactKey }
