'use strict'
// A JS pre-check that may only accept, generated from the native plan's
// `acceptPlan` (src/validate/accept.rs). A valid value's checks cost JS about a
// nanosecond a read; the native walk pays a Node-API crossing per read, which on
// a short payload costs more than ajv's whole check (bench/RESULTS.md,
// "Validation"). So `validate` runs this first: true means the native walk
// would find nothing either, and the value is valid without crossing. Anything
// else (an invalid value, a keyword exported as `defer`, a value JSON cannot
// hold, deep `$ref` recursion, a throwing getter) goes to the native walk,
// which decides and reports: JS never rejects. A check that fails for a reason
// other than its keyword (a value the walk refuses, a deferred keyword) marks
// the whole run unsure (`U`): the walk reports such a value even from an
// `anyOf` branch that another branch makes moot. The code is generated like
// ajv's, with every schema value written as a JSON literal. A `pattern` runs
// as a JS RegExp when its matches have bounded length (then backtracking stays
// linear), else natively, string by string (`acceptPattern`).

const { isProxy } = require('util').types
const { plainKind } = require('./pipeline/snapshot')

// Value kinds in generated code (`k`), as the native `Kind`, by JSON Schema type name
// (an integer is a number whose test adds Number.isInteger).
const K = { null: 1, boolean: 2, number: 3, string: 4, array: 5, object: 6 }

// How many `$ref` hops plus container levels JS follows before it defers (the
// walk allows 256 hops and 500 levels).
const MAX_REF_DEPTH = 32

/** Code points as Rust's `char::decode_utf16(..).count()`: a lone surrogate counts one. */
function codePoints(s) {
  let n = s.length
  for (let i = 0; i + 1 < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--
        i++
      }
    }
  }
  return n
}

const lit = (value) => JSON.stringify(value)

// Checks that read into the value (or defer): a value the walk refuses below them is reported, so
// a type test may not be moved ahead of them (it would fail first, and hide that from `U`).
const DESCENDS = new Set(['object', 'array', 'allOf', 'anyOf', 'ref', 'defer'])

// The one kind a `type` check allows, when it allows exactly one and nothing before it reads into the
// value (the node then tests it first and knows `k`).
function soleKind(checks) {
  for (const [keyword, names] of checks) {
    if (DESCENDS.has(keyword)) return undefined
    if (keyword !== 'type') continue
    // Every integer is a number: `number` with `integer` allows numbers alone.
    const kinds = names.includes('number') ? names.filter((name) => name !== 'integer') : names
    if (kinds.length === 1) return kinds[0] === 'integer' ? 'integer' : K[kinds[0]]
  }
  return undefined
}

// Tests `v`'s kind as the native walk would (JsVal::new), returning false for
// what it refuses or this code does not classify (a foreign realm's object).
// A value of another kind fails the node's type (`fail`), unless the walk refuses it (then `unsure`).
// A Proxy of an array is an array to JS but not to Node-API (`napi_is_array`): the walk judges it.
function classify(sole) {
  switch (sole) {
    case K.null: return 'if (v !== null) return fail(v)\n'
    case K.boolean: return "if (typeof v !== 'boolean') return fail(v)\n"
    case K.number: return "if (typeof v !== 'number' || v - v !== 0) return fail(v)\n"
    case 'integer': return 'if (!Number.isInteger(v)) return fail(v)\n'
    case K.string: return "if (typeof v !== 'string') return fail(v)\n"
    case K.array: return 'if (!isArray(v)) return fail(v)\nif (isProxy(v)) return unsure()\n'
    case K.object: return "if (typeof v !== 'object' || v === null || isArray(v)) return fail(v)\n{ const p = getProto(v); if (p !== OP && p !== null) return unsure() }\n"
  }
  return `let k
switch (typeof v) {
  case 'string': k = 4; break
  case 'number': if (v - v !== 0) return unsure(); k = 3; break
  case 'boolean': k = 2; break
  case 'object':
    if (v === null) k = 1
    else if (isArray(v)) { if (isProxy(v)) return unsure(); k = 5 }
    else { const p = getProto(v); if (p !== OP && p !== null) return unsure(); k = 6 }
    break
  default: return unsure()
}
`
}

/** The test of a `type` check allowing `names` (JSON Schema type names). */
function typeTest(names) {
  const alternatives = []
  for (const name of names) {
    if (name === 'integer') {
      if (!names.includes('number')) alternatives.push(`(k === ${K.number} && Number.isInteger(v))`)
    } else if (K[name] !== undefined) alternatives.push(`k === ${K[name]}`)
    else return 'return unsure()\n' // a name this code does not know: the walk decides
  }
  return alternatives.length === 0 ? 'return false\n' : `if (!(${alternatives.join(' || ')})) return false\n`
}

class Generator {
  constructor(plan) {
    this.nodes = plan.nodes
    this.refs = plan.refs
    this.vars = 0
    this.regexps = []
  }

  /** A call of node `n` (null: a schema that accepts any value JSON can hold) on expression `x`. */
  call(n, x) {
    return n === null ? `(supported(${x}) || unsure())` : `n${n}(${x}${this.refs ? ', d' : ''})`
  }

  fresh() {
    return `x${this.vars++}`
  }

  node(index) {
    const checks = this.nodes[index]
    const sole = soleKind(checks)
    let body = classify(sole)
    const known = sole === 'integer' ? K.number : sole
    // Only $ref can revisit a value: a container met again below itself is a cycle the walk reports.
    if (this.refs && checks.length > 0 && (known === undefined || known === K.array || known === K.object)) {
      body += `if (typeof v === 'object' && v !== null && S.includes(v)) return unsure()\n`
    }
    for (const check of checks) {
      if (check[0] === 'type' && sole !== undefined) continue
      body += this.check(check, known)
    }
    return `function n${index}(v${this.refs ? ', d' : ''}) {\n${body}return true\n}\n`
  }

  /** `code` run only when the value is of kind `kind` (known: the node's sole kind). */
  gated(kind, known, code) {
    if (known !== undefined) return known === kind ? code : ''
    return `if (k === ${kind}) {\n${code}}\n`
  }

  // Descends into container `v` for `code` (with $ref: on the ancestor stack, one level deeper).
  inside(code) {
    if (!this.refs) return code
    return `S.push(v)\n{ const d0 = d; d = d + 1\n${code}d = d0 }\nS.pop()\n`
  }

  check(check, known) {
    const [keyword, a, b, c] = check
    switch (keyword) {
      case 'type': return typeTest(a)
      case 'enum': return `if (!(${a.map((value) => `v === ${lit(value)}`).join(' || ')})) return false\n`
      case 'minLength': return this.gated(K.string, known, `if (Math.ceil(v.length / 2) < ${a} && (v.length < ${a} || cp(v) < ${a})) return false\n`)
      case 'maxLength': return this.gated(K.string, known, `if (v.length > ${a} && (Math.ceil(v.length / 2) > ${a} || cp(v) > ${a})) return false\n`)
      case 'minimum': return this.gated(K.number, known, `if (!(v >= ${lit(a)})) return false\n`)
      case 'maximum': return this.gated(K.number, known, `if (!(v <= ${lit(a)})) return false\n`)
      case 'exclusiveMinimum': return this.gated(K.number, known, `if (!(v > ${lit(a)})) return false\n`)
      case 'exclusiveMaximum': return this.gated(K.number, known, `if (!(v < ${lit(a)})) return false\n`)
      case 'object': return this.gated(K.object, known, this.inside(this.object(a, b, c)))
      case 'minProperties': return this.gated(K.object, known, `if (defined(v) < ${a}) return false\n`)
      case 'maxProperties': return this.gated(K.object, known, `if (defined(v) > ${a}) return false\n`)
      case 'array': return this.gated(K.array, known, this.inside(this.array(a, b)))
      case 'minItems': return this.gated(K.array, known, `if (v.length < ${a}) return false\n`)
      case 'maxItems': return this.gated(K.array, known, `if (v.length > ${a}) return false\n`)
      case 'allOf': return a.map((n) => `if (!${this.call(n, 'v')}) return false\n`).join('')
      case 'anyOf': return `if (!(${a.map((n) => this.call(n, 'v')).join(' || ')})) return false\n`
      case 'pattern': return this.gated(K.string, known, this.pattern(a, b))
      case 'ref': return `if (d >= ${MAX_REF_DEPTH}) return unsure()\nif (!n${a}(v, d + 1)) return false\n`
      default: return 'return unsure()\n' // 'defer': the walk decides
    }
  }

  // A pattern whose matches have bounded length (`source` given) runs as a JS RegExp: bounded
  // backtracking per position keeps it linear. Any other, and a string with a lone surrogate, goes
  // native (linear time, u-flag meaning, one call for this string alone).
  pattern(id, source) {
    let regexp
    try {
      if (source !== null) regexp = new RegExp(source, 'u')
    } catch {
      // Not valid with the `u` flag here: the native engine has it.
    }
    if (regexp === undefined) return `if (!matches(${id}, v)) return false\n`
    this.regexps.push(regexp)
    return `if (!(v.isWellFormed() ? r${this.regexps.length - 1}.test(v) : matches(${id}, v))) return false\n`
  }

  // A member read as the walk reads it: names Object.prototype has only as own data.
  read(name, ownOnly) {
    return ownOnly ? `(hasOwn(v, ${lit(name)}) ? v[${lit(name)}] : undefined)` : `v[${lit(name)}]`
  }

  object(props, required, additional) {
    let code = ''
    for (const [name, ownOnly, node, isRequired] of props) {
      const x = this.fresh()
      const absent = isRequired ? `if (${x} === undefined) return false\nif (` : `if (${x} !== undefined && `
      code += `{ const ${x} = ${this.read(name, ownOnly)}\n${absent}!${this.call(node, x)}) return false }\n`
    }
    for (const [name, ownOnly] of required) code += `if (${this.read(name, ownOnly)} === undefined) return false\n`
    if (additional !== 'any') {
      const known = props.map(([name]) => `case ${lit(name)}:`).join(' ')
      const other = additional === 'deny' ? 'return false' : `if (!${this.call(additional, 'x')}) return false`
      code += `for (const key of keys(v)) {\n${known ? `switch (key) { ${known} continue }\n` : ''}const x = v[key]\nif (x !== undefined) ${other}\n}\n`
    }
    return code
  }

  array(prefix, items) {
    let code = ''
    prefix.forEach((n, i) => {
      code += `if (v.length > ${i} && !${this.call(n, `v[${i}]`)}) return false\n`
    })
    if (items !== null) code += `for (let i = ${prefix.length}; i < v.length; i++) if (!${this.call(items, 'v[i]')}) return false\n`
    return code
  }

  /** The module's source; `regexps` holds its RegExps (parameter `R`) once it has run. */
  source() {
    let code = ''
    for (let i = 0; i < this.nodes.length; i++) code += this.node(i)
    const entry = `U = false\n${this.refs ? 'S.length = 0\nif (n0(v, 0) && !U) return true' : 'if (n0(v) && !U) return true'}`
    // Each validator its own `validate`: a front shared by every channel would call them through one megamorphic site.
    const regexps = this.regexps.map((_, i) => `const r${i} = R[${i}]\n`).join('')
    return `'use strict'\n${regexps}${this.refs ? 'const S = []\n' : ''}${PRELUDE}${code}
function accept(v) {
try {
${entry}
} catch {}
return false
}
return {
  accept,
  validate: function validate(v) {
    return accept(v) ? null : walk(v)
  },
}
`
  }
}

// The generated module's own state: `U`, set when a run met what only the walk can judge.
const PRELUDE = `let U = false
function unsure() {
  U = true
  return false
}
function fail(v) {
  if (!supported(v)) U = true
  return false
}
`

// The kinds a schema that accepts everything still needs: what JSON can hold.
function supported(v) {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return v - v === 0
    case 'object': {
      if (v === null) return true
      const kind = plainKind(v)
      return kind !== undefined && !(kind === 'array' && isProxy(v))
    }
    default:
      return false
  }
}

/** Own enumerable members with a value (the walk's count for min/maxProperties). */
function defined(v) {
  let n = 0
  for (const key of Object.keys(v)) if (v[key] !== undefined) n++
  return n
}

/**
 * `{ accept, validate }` for a validator's `acceptPlan` (JSON text) and
 * `acceptPattern(i, text)`: `accept(value)` is true when the walk would find
 * `value` valid; `validate` calls `walk` otherwise. Undefined when code cannot
 * be generated here (`--disallow-code-generation-from-strings`): the walk then
 * checks every value.
 */
function compileAccept({ acceptPlan, acceptPattern }, walk) {
  const generator = new Generator(JSON.parse(acceptPlan))
  const source = generator.source()
  try {
    // eslint-disable-next-line no-new-func
    const make = new Function('isArray', 'isProxy', 'getProto', 'OP', 'hasOwn', 'keys', 'cp', 'supported', 'defined', 'matches', 'R', 'walk', source)
    return make(Array.isArray, isProxy, Object.getPrototypeOf, Object.prototype, Object.hasOwn, Object.keys, codePoints, supported, defined, acceptPattern, generator.regexps, walk)
  } catch {
    return undefined
  }
}

/** Puts the accept-first `validate` in the place of `validator.validate` when the validator offers a plan. */
function withAccept(validator) {
  if (validator.acceptPlan === undefined) return validator
  const compiled = compileAccept(validator, validator.validate)
  if (compiled !== undefined) validator.validate = compiled.validate
  return validator
}

module.exports = { withAccept, compileAccept, codePoints }
