'use strict'
// Validation with the root's values read in JS first. A property read costs JS
// about a nanosecond and Node-API 100-200 ns (it makes the key string each
// time), so when a schema reads the root by its property names alone (an
// object) or by its leading items (`prefixItems`, e.g. an `argsSchema`),
// `validate` reads them here and passes them to the native check as arguments:
// one crossing, and the native plan still judges every value (bench/RESULTS.md,
// "Validation"). Anything else (not a plain object or an array, a read that
// throws) takes the native walk, which reports it as it always has.

// One reader per key count, so no array is made per call.
const READERS = [
  undefined,
  (check, [a]) => (v, n) => check(v, n, v[a]),
  (check, [a, b]) => (v, n) => check(v, n, v[a], v[b]),
  (check, [a, b, c]) => (v, n) => check(v, n, v[a], v[b], v[c]),
  (check, [a, b, c, d]) => (v, n) => check(v, n, v[a], v[b], v[c], v[d]),
  (check, [a, b, c, d, e]) => (v, n) => check(v, n, v[a], v[b], v[c], v[d], v[e]),
  (check, [a, b, c, d, e, f]) => (v, n) => check(v, n, v[a], v[b], v[c], v[d], v[e], v[f]),
]

function readerFor(check, keys) {
  if (keys.length < READERS.length) return READERS[keys.length](check, keys)
  return (v, n) => check(v, n, ...keys.map((key) => v[key]))
}

/**
 * Puts the read-ahead `validate` in the place of the native one, when the
 * validator offers it (`readAhead`, see src/binding/validate/js_value/fast_validate.rs).
 * Returns the validator.
 */
function withReadAhead(validator) {
  const plan = validator.readAhead
  if (plan === undefined) return validator
  const walk = validator.validate
  const { keys, allKeys, keysCode } = plan
  const pass = readerFor(plan.check, keys)
  validator.validate =
    plan.kind === 'array'
      ? function validate(value) {
          if (!Array.isArray(value)) return walk(value)
          try {
            return pass(value, -1)
          } catch {
            return walk(value) // a getter or Proxy trap threw: the walk reads again and reports where
          }
        }
      : function validate(value) {
          if (typeof value !== 'object' || value === null) return walk(value)
          try {
            const proto = Object.getPrototypeOf(value)
            if (proto !== Object.prototype && proto !== null) return walk(value)
            // With additionalProperties false or caps, which keys it has (-1: one is not a name).
            return pass(value, allKeys ? keysCode(value, keys) : -1)
          } catch {
            return walk(value) // a getter or Proxy trap threw: the walk reads again and reports where
          }
        }
  return validator
}

module.exports = { withReadAhead }
