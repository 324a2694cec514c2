'use strict'
// The checks before a handler runs, each returning an IpcError or undefined:
// size/depth caps and schema validation (one native walk), then rate limits.
const { ValidationError, PayloadTooLargeError, RateLimitedError } = require('../../errors')
const { checkLimits } = require('../native')
const { snapshotArgs, plainKind } = require('./snapshot')

const MAX_ISSUES = 50

// A depth issue past a finite cap names the cap; with no cap, it can only be
// the validator's own walking ceiling, whose message says so.
function tooLarge(entry, issue) {
  const { maxBytes, maxDepth } = entry.caps
  let which
  if (issue.keyword === 'maxBytes') which = `larger than ${maxBytes} bytes`
  else if (maxDepth !== Infinity) which = `nested deeper than ${maxDepth}`
  else which = `nested too deeply to validate (${issue.message})`
  return new PayloadTooLargeError(`Arguments for '${entry.channel}' are ${which}`, {
    channel: entry.channel,
    limit: issue.keyword,
    maxBytes: entry.caps.maxBytes,
    maxDepth: entry.caps.maxDepth,
    pointer: issue.pointer,
  })
}

function invalid(entry, issues) {
  for (const issue of issues) if (issue.keyword === 'maxBytes' || issue.keyword === 'maxDepth') return tooLarge(entry, issue)
  const errors = issues.slice(0, MAX_ISSUES).map(({ pointer, keyword, message }) => ({ pointer, keyword, message }))
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
  const first = issues[0]
  const where = first.pointer ? ` at ${first.pointer}` : ''
  const details = { channel: entry.channel, target: entry.mode === 'args' ? 'args' : 'firstArgument', errors }
  if (issues.length > MAX_ISSUES) details.truncated = issues.length
  return new ValidationError(`Invalid arguments for '${entry.channel}'${where}: ${first.message}${more}`, details)
}

// The most JSON bytes a scalar can take as the caps measure it (UTF-8 is at
// most 3 bytes per UTF-16 unit; an f64 at most 24 characters); -1 when the
// caps' walk would refuse it or it is not a scalar.
function scalarBound(v) {
  switch (typeof v) {
    case 'string':
      return 3 * v.length + 2
    case 'number':
      return Number.isFinite(v) ? 24 : -1
    case 'boolean':
      return 5
    default:
      return v === null ? 4 : -1
  }
}

/**
 * True when `value` is a JSON scalar, or a plain object or array of them,
 * whose largest possible size is within `maxBytes`: the caps' native walk
 * could then trip nothing and refuse nothing (no depth past 1, no cycle, no
 * value JSON cannot hold), so the validator that does not measure answers the
 * same, reading only what the schema asks. Anything else: false.
 */
function flatWithinCaps(value, maxBytes, maxDepth) {
  let total = scalarBound(value)
  if (total >= 0) return total <= maxBytes
  if (typeof value !== 'object' || maxDepth < 1) return false
  const kind = plainKind(value)
  if (kind === undefined) return false
  if (kind === 'array') {
    total = 2 + value.length
    for (let i = 0; i < value.length; i++) {
      const size = scalarBound(value[i])
      if (size < 0) return false
      total += size
    }
    return total <= maxBytes
  }
  const keys = Object.keys(value)
  total = 2 + keys.length
  for (let i = 0; i < keys.length; i++) {
    const member = value[keys[i]]
    if (member === undefined) continue // absent, as in JSON
    const size = scalarBound(member)
    if (size < 0) return false
    total += size + 3 * keys[i].length + 3
  }
  return total <= maxBytes
}

function validatorFor(entry, value, maxDepth) {
  return entry.uncapped !== undefined && flatWithinCaps(value, entry.caps.maxBytes, maxDepth) ? entry.uncapped : entry.validator
}

/**
 * Pointers are relative to what the schema describes: the first argument
 * (`schema`) or the argument list (`argsSchema`, so they start with /0).
 */
function checkArgs(entry, args) {
  if (entry.mode === 'first') {
    if (args.length !== 1) {
      return invalid(entry, [{ pointer: '', keyword: 'arity', message: `expected exactly 1 argument (schema checks the first), got ${args.length}` }])
    }
    const issues = validatorFor(entry, args[0], entry.caps.maxDepth).validate(args[0])
    return issues === null || issues.length === 0 ? undefined : invalid(entry, issues)
  }
  if (entry.mode === 'args') {
    const issues = validatorFor(entry, args, entry.listDepth).validate(args)
    return issues === null || issues.length === 0 ? undefined : invalid(entry, issues)
  }
  if (!entry.capped || args.length === 0) return undefined
  // A list of scalars is bounded here, without the native walk (one call per invoke).
  if (flatWithinCaps(args, entry.caps.maxBytes, entry.listDepth)) return undefined
  const issue = checkLimits(args, entry.caps.maxBytes, entry.listDepth)
  return issue === null || issue === undefined ? undefined : invalid(entry, [issue])
}

/**
 * An in-process caller's arguments, read once into plain data (snapshot.js)
 * when anything is checked: `{ args }` to validate and hand over, or `{ error }`.
 */
function readLocalArgs(entry, args) {
  if (entry.mode === 'none' && !entry.capped) return { args }
  const copy = snapshotArgs(args, entry.caps.maxBytes, entry.listDepth)
  if (copy.issue === undefined) return copy
  const issue = entry.mode === 'first' ? { ...copy.issue, pointer: copy.issue.pointer.replace(/^\/0(?=\/|$)/, '') } : copy.issue
  return { error: invalid(entry, [issue]) }
}

function senderKey(ctx) {
  return ctx.senderId === undefined || ctx.senderId === null ? 'local' : String(ctx.senderId)
}

// Sender limits are checked first: a sender over its own budget is refused
// without spending the channel's shared budget.
function checkRate(entry, ctx) {
  const limits = entry.limits
  for (let i = 0; i < limits.length; i++) {
    const { per, limiter } = limits[i]
    const retryAfterMs = limiter.check(per === 'sender' ? senderKey(ctx) : '')
    if (retryAfterMs > 0) {
      return new RateLimitedError(`Rate limit exceeded on '${entry.channel}' (per ${per}): retry in ${Math.ceil(retryAfterMs)} ms`, {
        channel: entry.channel,
        per,
        retryAfterMs: Math.ceil(retryAfterMs),
      })
    }
  }
  return undefined
}

module.exports = { checkArgs, checkRate, readLocalArgs, flatWithinCaps }
