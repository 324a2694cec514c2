'use strict'
// Validation with the root object's members read in JS first. A property read
// costs JS about a nanosecond and Node-API 100-200 ns (it makes the key string
// each time), so when a schema reads the root object by its property names
// alone, `validate` reads them here and passes them to the native check as
// arguments: one crossing, and the native plan still judges every value
// (bench/RESULTS.md, "Validation"). Anything else (not a plain object, a read
// that throws) takes the native walk, which reports it as it always has.

// One reader per name count, so no array is made per call.
const READERS = [
  undefined,
  (check, [a]) => (v, c) => check(v, c, v[a]),
  (check, [a, b]) => (v, c) => check(v, c, v[a], v[b]),
  (check, [a, b, d]) => (v, c) => check(v, c, v[a], v[b], v[d]),
  (check, [a, b, d, e]) => (v, c) => check(v, c, v[a], v[b], v[d], v[e]),
  (check, [a, b, d, e, f]) => (v, c) => check(v, c, v[a], v[b], v[d], v[e], v[f]),
  (check, [a, b, d, e, f, g]) => (v, c) => check(v, c, v[a], v[b], v[d], v[e], v[f], v[g]),
]

function readerFor(check, names) {
  if (names.length < READERS.length) return READERS[names.length](check, names)
  return (v, c) => check(v, c, ...names.map((name) => v[name]))
}

/**
 * Puts the read-ahead `validate` in the place of the native one, when the
 * validator offers it (`readAhead`: the schema's root is an object keyword over
 * named properties). Returns the validator.
 */
function withReadAhead(validator) {
  const plan = validator.readAhead
  if (plan === undefined) return validator
  const walk = validator.validate
  const { names, allKeys, keysCode } = plan
  const pass = readerFor(plan.check, names)
  validator.validate = function validate(value) {
    if (typeof value !== 'object' || value === null) return walk(value)
    let ahead
    try {
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return walk(value)
      // With additionalProperties false or caps, which keys it has (-1: one is not a name, or unknown).
      ahead = pass(value, allKeys ? keysCode(value, names) : -1)
    } catch {
      // A getter or Proxy trap threw: the walk reads again and reports where.
      return walk(value)
    }
    return ahead
  }
  return validator
}

module.exports = { withReadAhead }
