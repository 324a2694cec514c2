'use strict'
// The checks before a handler runs, each returning an IpcError or undefined:
// size/depth caps and schema validation (one native walk), then rate limits.
const { ValidationError, PayloadTooLargeError, RateLimitedError } = require('../../errors')
const { checkLimits } = require('../native')
const { snapshotArgs } = require('./snapshot')

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

/**
 * Pointers are relative to what the schema describes: the first argument
 * (`schema`) or the argument list (`argsSchema`, so they start with /0).
 */
function checkArgs(entry, args) {
  if (entry.mode === 'first') {
    if (args.length !== 1) {
      return invalid(entry, [{ pointer: '', keyword: 'arity', message: `expected exactly 1 argument (schema checks the first), got ${args.length}` }])
    }
    const issues = entry.validator.validate(args[0])
    return issues === null || issues.length === 0 ? undefined : invalid(entry, issues)
  }
  if (entry.mode === 'args') {
    const issues = entry.validator.validate(args)
    return issues === null || issues.length === 0 ? undefined : invalid(entry, issues)
  }
  if (!entry.capped || args.length === 0) return undefined
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

module.exports = { checkArgs, checkRate, readLocalArgs }
