'use strict'
// What a user would write instead of HandlerRegistry, with the same guarantees,
// as well as we can: an origin allow-list, size/depth caps, ajv compiled with
// allErrors, a token-bucket rate limit, a timeout that aborts an
// AbortController, a prom-client latency histogram, and the same envelope.
const Ajv = require('ajv')
const client = require('prom-client')

const MAX_BYTES = 1024 * 1024
const MAX_DEPTH = 64

// Estimated size and depth of a JSON-like value; false past either cap.
function withinCaps(value, depth, budget) {
  if (depth > MAX_DEPTH) return false
  switch (typeof value) {
    case 'string':
      budget.bytes -= value.length + 2
      return budget.bytes >= 0
    case 'object': {
      if (value === null) return true
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!withinCaps(value[i], depth + 1, budget)) return false
        return true
      }
      for (const key in value) {
        budget.bytes -= key.length + 2
        if (!withinCaps(value[key], depth + 1, budget)) return false
      }
      return true
    }
    default:
      budget.bytes -= 8
      return budget.bytes >= 0
  }
}

class TokenBucket {
  constructor(requests, windowMs) {
    this.capacity = requests
    this.perMs = requests / windowMs
    this.tokens = requests
    this.at = performance.now()
  }

  take() {
    const now = performance.now()
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.at) * this.perMs)
    this.at = now
    if (this.tokens < 1) return Math.ceil((1 - this.tokens) / this.perMs)
    this.tokens -= 1
    return 0
  }
}

const registry = new client.Registry()
const latency = new client.Histogram({ name: 'ipc_invoke_ms', help: 'invoke latency', labelNames: ['channel'], registers: [registry] })
const ajv = new Ajv({ allErrors: true })

function fail(code, message, details, start) {
  return { success: false, error: { code, message, details }, metadata: { executionTimeMs: performance.now() - start } }
}

class JsRegistry {
  constructor() {
    this.channels = new Map()
  }

  register(channel, handler, { schema, allowedOrigins, rateLimit, timeoutMs }) {
    this.channels.set(channel, {
      handler,
      validate: ajv.compile(schema),
      origins: new Set(allowedOrigins),
      bucket: new TokenBucket(rateLimit.requests, rateLimit.windowMs),
      timeoutMs,
      observe: latency.labels(channel),
    })
  }

  async invoke(channel, args, ctx) {
    const start = performance.now()
    const entry = this.channels.get(channel)
    if (entry === undefined) return fail('E_NOT_FOUND', `No handler registered for '${channel}'`, { channel }, start)
    if (!entry.origins.has(ctx.origin)) return fail('E_FORBIDDEN_SENDER', `Sender not allowed on '${channel}'`, { channel }, start)
    if (!withinCaps(args, 0, { bytes: MAX_BYTES })) return fail('E_PAYLOAD_TOO_LARGE', `Arguments for '${channel}' are too large`, { channel }, start)
    if (!entry.validate(args[0])) {
      const errors = entry.validate.errors.map((e) => ({ pointer: e.instancePath, keyword: e.keyword, message: e.message }))
      return fail('E_VALIDATION', `Invalid arguments for '${channel}'`, { channel, errors }, start)
    }
    const retryAfterMs = entry.bucket.take()
    if (retryAfterMs > 0) return fail('E_RATE_LIMITED', `Rate limit exceeded on '${channel}'`, { channel, retryAfterMs }, start)
    const controller = new AbortController()
    let timer
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => {
        controller.abort()
        resolve(fail('E_TIMEOUT', `Handler for '${channel}' did not answer in time`, { channel }, start))
      }, entry.timeoutMs)
    })
    const run = (async () => {
      try {
        const data = await entry.handler(...args, { signal: controller.signal, ...ctx })
        return { success: true, data, metadata: { executionTimeMs: performance.now() - start, cached: false } }
      } catch (error) {
        return fail(typeof error?.code === 'string' ? error.code : 'E_HANDLER', String(error?.message ?? error), { channel }, start)
      }
    })()
    const envelope = await Promise.race([run, timeout])
    clearTimeout(timer)
    entry.observe.observe(envelope.metadata.executionTimeMs)
    return envelope
  }
}

module.exports = { JsRegistry }
