'use strict'
// The `ctx` a handler (and allowSender) receives as its last argument.

class HandlerContext {
  // The AbortController is made on first read of `signal`: most handlers
  // never read it, and one costs about a microsecond.
  #controller = undefined
  #reason = undefined

  constructor(channel, info) {
    this.channel = channel
    this.senderId = info.senderId
    this.origin = info.origin
    this.url = info.url
    this.sender = info.sender
  }

  /** Aborted on timeout (reason: TimeoutError), cancel (CancelledError) or registry close (ClosedError). */
  get signal() {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#reason !== undefined) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  static abort(ctx, reason) {
    if (ctx.#reason !== undefined) return
    ctx.#reason = reason
    if (ctx.#controller !== undefined) ctx.#controller.abort(reason)
  }
}

/** What ipcMain's event tells about the sender; Electron's getters may throw on a dead frame. */
function infoFromEvent(event) {
  const info = { senderId: undefined, origin: undefined, url: undefined, sender: undefined, signal: undefined }
  try {
    info.sender = event.sender
    const id = info.sender?.id
    if (typeof id === 'number') info.senderId = id
  } catch {
    // leave unknown
  }
  try {
    const frame = event.senderFrame
    if (frame) {
      if (typeof frame.origin === 'string') info.origin = frame.origin
      if (typeof frame.url === 'string') info.url = frame.url
    }
  } catch {
    // a destroyed frame: origin unknown, origin checks refuse it
  }
  return info
}

module.exports = { HandlerContext, infoFromEvent }
