'use strict'
// One error hierarchy for everything ipcflow throws, reports or sends across
// IPC: a stable `code`, a message a person understands, and `details`.

class IpcError extends Error {
  constructor(code, message, details) {
    super(message)
    this.name = 'IpcError'
    this.code = code
    this.details = details && typeof details === 'object' ? details : {}
  }

  toJSON() {
    return { code: this.code, message: this.message, details: this.details }
  }

  static from(value) {
    const v = value && typeof value === 'object' ? value : {}
    const code = typeof v.code === 'string' ? v.code : 'E_HANDLER'
    const message = typeof v.message === 'string' ? v.message : String(v.message ?? 'Unknown error')
    const Class = classByCode.get(code) || IpcError
    return Class === IpcError ? new IpcError(code, message, v.details) : new Class(message, v.details)
  }
}

const classByCode = new Map()

function defineError(name, code) {
  const Class = {
    [name]: class extends IpcError {
      constructor(message, details) {
        super(code, message, details)
        this.name = name
      }
    },
  }[name]
  Class.code = code
  classByCode.set(code, Class)
  return Class
}

const errors = {
  IpcError,
  ValidationError: defineError('ValidationError', 'E_VALIDATION'),
  TimeoutError: defineError('TimeoutError', 'E_TIMEOUT'),
  RateLimitedError: defineError('RateLimitedError', 'E_RATE_LIMITED'),
  ForbiddenSenderError: defineError('ForbiddenSenderError', 'E_FORBIDDEN_SENDER'),
  NotFoundError: defineError('NotFoundError', 'E_NOT_FOUND'),
  PayloadTooLargeError: defineError('PayloadTooLargeError', 'E_PAYLOAD_TOO_LARGE'),
  CancelledError: defineError('CancelledError', 'E_CANCELLED'),
  HandlerError: defineError('HandlerError', 'E_HANDLER'),
  ClosedError: defineError('ClosedError', 'E_CLOSED'),
  InvalidArgumentError: defineError('InvalidArgumentError', 'E_INVALID_ARGUMENT'),
  UncloneableError: defineError('UncloneableError', 'E_UNCLONEABLE'),
  DuplicateHandlerError: defineError('DuplicateHandlerError', 'E_DUPLICATE_HANDLER'),
  /** Main and a renderer client speak different protocol versions. */
  ProtocolError: defineError('ProtocolError', 'E_PROTOCOL'),
  /** A bug in ipcflow (a native panic, a broken invariant); the message says so. */
  InternalError: defineError('InternalError', 'E_INTERNAL'),
  /** StartupSequencer: components depend on each other in a cycle (details.cycle names it). */
  StartupCycleError: defineError('StartupCycleError', 'E_STARTUP_CYCLE'),
  /** StartupSequencer: a component depends on one that was never added. */
  MissingDependencyError: defineError('MissingDependencyError', 'E_MISSING_DEPENDENCY'),
  /** StartupSequencer: a component failed or timed out; details.report says what ran. */
  StartupError: defineError('StartupError', 'E_STARTUP_FAILED'),
}

function describe(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value)
  if (typeof value === 'string') return value.length > 40 ? 'a string' : JSON.stringify(value)
  return typeof value === 'object' ? 'an object' : typeof value
}

/** The message of anything thrown; duck-typed, since errors may come from another realm. */
function messageOf(error) {
  return error !== null && typeof error === 'object' && typeof error.message === 'string' ? error.message : String(error)
}

/** `argument must be ... (got ...)`, with the argument path in details. */
function invalidArgument(argument, expectation, received) {
  return new errors.InvalidArgumentError(`${argument} must be ${expectation} (got ${describe(received)})`, {
    argument,
    received: describe(received),
  })
}

/**
 * The addon's own failures carry `code: 'E_INTERNAL'` (src/binding/errors.rs):
 * returns them as an InternalError, anything else as undefined.
 */
function internalFrom(thrown) {
  if (thrown === null || typeof thrown !== 'object' || thrown.code !== 'E_INTERNAL') return undefined
  return thrown instanceof errors.InternalError ? thrown : new errors.InternalError(messageOf(thrown))
}

module.exports = { ...errors, invalidArgument, internalFrom, describe, messageOf }
