/**
 * The renderer client's errors: the same `code`, `message` and `details` main
 * reported (renderer/protocol.ts lists the codes). The client imports nothing
 * from main, so this is its own class; `isIpcError` works across realms.
 */
import type { ErrorCode } from './protocol'

/** What a failed request rejects with: the same `code` and `details` main reported. */
export class IpcError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, unknown>
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message)
    this.name = 'IpcError'
    this.code = code
    this.details = details !== null && typeof details === 'object' ? details : {}
  }
}

/** True for an IpcError from any realm (instanceof fails across realms and bridges). */
export function isIpcError(value: unknown): value is IpcError {
  if (typeof value !== 'object' || value === null) return false
  const v = value as IpcError
  return typeof v.code === 'string' && typeof v.message === 'string' && typeof v.details === 'object' && v.details !== null
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return value.length > 40 ? 'a string' : JSON.stringify(value)
  return typeof value === 'object' ? 'an object' : typeof value
}

export function invalidArgument(argument: string, expectation: string, received: unknown): IpcError {
  return new IpcError('E_INVALID_ARGUMENT', `${argument} must be ${expectation} (got ${describe(received)})`, {
    argument,
    received: describe(received),
  })
}
