'use strict'
// Sender checks (Electron security checklist item 17): which frames may call
// a channel. Origins are compared exactly after URL parsing on both sides.
const { ForbiddenSenderError, InvalidArgumentError, invalidArgument } = require('../errors')

// WHATWG `URL#origin` is 'null' for non-special schemes (app://, custom
// protocols), yet Electron reports 'app://main' for them: build it ourselves.
function parseOrigin(text) {
  if (typeof text !== 'string' || text.length === 0 || text.length > 2048) return undefined
  let url
  try {
    url = new URL(text)
  } catch {
    return undefined
  }
  if (url.username !== '' || url.password !== '') return undefined
  return { origin: `${url.protocol}//${url.host}`, bare: (url.pathname === '' || url.pathname === '/') && url.search === '' && url.hash === '' }
}

/** Reads `allowedOrigins` at register time: each entry must be a bare origin. */
function readAllowedOrigins(list) {
  if (list === undefined) return undefined
  if (!Array.isArray(list) || list.length === 0) throw invalidArgument('options.allowedOrigins', 'a non-empty array of origins', list)
  const origins = new Set()
  list.forEach((entry, i) => {
    const parsed = parseOrigin(entry)
    if (parsed === undefined || !parsed.bare) {
      throw new InvalidArgumentError(
        `options.allowedOrigins[${i}] must be an origin such as 'https://app.example' or 'app://main' (got ${JSON.stringify(String(entry)).slice(0, 80)})`,
        { argument: `options.allowedOrigins[${i}]` },
      )
    }
    origins.add(parsed.origin)
  })
  return origins
}

// Origins seen at run time, normalized once: URL parsing costs ~1 us, and a
// window keeps one origin for its life. Bounded so junk cannot grow it.
const seen = new Map()
function normalizeOrigin(origin) {
  let n = seen.get(origin)
  if (n === undefined) {
    n = parseOrigin(origin)?.origin ?? null
    if (seen.size >= 256) seen.clear()
    seen.set(origin, n)
  }
  return n
}

function originOf(ctx) {
  if (typeof ctx.origin === 'string') return normalizeOrigin(ctx.origin)
  if (typeof ctx.url === 'string') return normalizeOrigin(ctx.url)
  return null
}

/** undefined when the sender may call, else the E_FORBIDDEN_SENDER error. */
function checkSender(entry, ctx) {
  if (entry.origins !== undefined) {
    const origin = originOf(ctx)
    if (origin === null || !entry.origins.has(origin)) {
      return new ForbiddenSenderError(`Sender not allowed on '${entry.channel}': origin ${origin ?? 'unknown'}`, {
        channel: entry.channel,
        origin: origin ?? null,
        senderId: ctx.senderId ?? null,
        reason: 'origin',
      })
    }
  }
  if (entry.allowSender !== undefined) {
    let allowed
    try {
      allowed = entry.allowSender(ctx)
    } catch {
      allowed = false // fail closed
    }
    // Only a synchronous `true` lets the call through (a Promise is not true).
    if (allowed !== true) {
      return new ForbiddenSenderError(`Sender not allowed on '${entry.channel}' by allowSender`, {
        channel: entry.channel,
        senderId: ctx.senderId ?? null,
        reason: 'predicate',
      })
    }
  }
  return undefined
}

module.exports = { readAllowedOrigins, checkSender }
