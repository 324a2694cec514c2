'use strict'
// One open stream (README "Streaming"): pulls chunks from the producer while
// the renderer's credit allows, sends them to the requesting webContents, and
// ends by completion, error or cancellation (calling the producer's return()).
const { IpcError, CancelledError, TimeoutError } = require('../errors')
const { fromThrown } = require('./pipeline/envelope')
const { HandlerContext } = require('./pipeline/context')
const { estimateBytes } = require('./cache-key')
const { STREAM_CHANNEL } = require('../protocol')
const { requestIdOf } = require('./pipeline/inflight')

/**
 * Ends a producer early: calls its return() (a generator's finally runs) without waiting for it.
 * A return() that throws, rejects or never settles is the producer's own business.
 */
function closeProducer(iterator) {
  try {
    const close = iterator.return // a getter may throw
    if (typeof close !== 'function') return
    const r = Reflect.apply(close, iterator, [])
    if (r !== null && (typeof r === 'object' || typeof r === 'function')) Promise.resolve(r).catch(() => {})
  } catch {
    // ignore
  }
}

class OutStream {
  // `timeoutMs`: what is left of entry.timeoutMs once the handler resolved (it runs from the request).
  constructor(hub, entry, iterator, ctx, sender, key, total, timeoutMs = entry.timeoutMs) {
    this.hub = hub
    this.ctx = ctx
    this.entry = entry
    this.iterator = iterator
    this.sender = sender
    this.key = key
    this.id = requestIdOf(key)
    this.total = total
    this.metrics = entry.stream.metrics
    this.started = performance.now()
    this.sent = 0
    this.acked = 0
    this.items = 0
    this.done = false
    this.pumping = false
    this.inNext = false // inside the producer's synchronous next()
    this.ending = false // the 'end' message is being sent
    this.returnLater = false // ended from inside next(): return() once it is back
    this.pausedAt = undefined
    this.timer = undefined
    if (timeoutMs !== Infinity) {
      this.timer = setTimeout(() => {
        this.timer = undefined
        const { channel, timeoutMs } = entry
        this.stop(new TimeoutError(`Stream on '${channel}' did not finish within ${timeoutMs} ms`, { channel, timeoutMs }))
      }, Math.max(0, timeoutMs))
    }
    this.metrics.opened++
    this.metrics.open++
    hub.add(this)
    // last: a monitor hook is user code and may re-enter the registry
    hub.hooks.tell('increment', 'ipcflow.stream.opened', 1)
  }

  // A producer's next() may call the registry synchronously (close, a cancel,
  // destroying the window); a sync generator cannot be return()ed while it runs.
  next() {
    this.inNext = true
    try {
      return this.iterator.next()
    } finally {
      this.inNext = false
      if (this.returnLater) {
        this.returnLater = false
        closeProducer(this.iterator)
      }
    }
  }

  async pump() {
    if (this.pumping || this.done) return
    this.pumping = true
    const { chunkSize, highWaterMark, maxChunkBytes } = this.entry.stream
    try {
      while (!this.done) {
        if (this.sent - this.acked >= highWaterMark) {
          this.pausedAt = performance.now()
          return // resumed by ack()
        }
        const items = []
        let bytes = 0
        let finished = false
        while (items.length < chunkSize && bytes < maxChunkBytes) {
          const r = await this.next()
          if (this.done) return // cancelled while the producer ran
          if (r.done) {
            finished = true
            break
          }
          items.push(r.value)
          bytes += estimateBytes(r.value)
        }
        if (items.length > 0) {
          this.items += items.length
          const total = this.total()
          const chunk = { ipcflow: 'chunk', id: this.id, index: this.sent, items, itemsSoFar: this.items }
          if (total !== undefined) chunk.total = total
          if (!this.send(chunk)) return
          this.sent++
          this.metrics.chunks++
          this.metrics.items += items.length
          this.metrics.bytes += bytes
        }
        if (finished) {
          const total = this.total()
          this.ending = true // a stop() re-entered from this send (close() in webContents.send) yields to the end
          const sent = this.send(total === undefined ? { ipcflow: 'end', id: this.id, itemsSoFar: this.items } : { ipcflow: 'end', id: this.id, itemsSoFar: this.items, total })
          this.ending = false
          if (sent) this.finish('completed')
          return
        }
      }
    } catch (thrown) {
      if (this.done) return
      const error = fromThrown(thrown, this.entry.channel)
      this.send({ ipcflow: 'error', id: this.id, error: { code: error.code, message: error.message, details: error.details } })
      this.finish('failed', false)
    } finally {
      this.pumping = false
    }
  }

  // False when the stream ended because the message could not go out.
  send(message) {
    try {
      this.sender.send(STREAM_CHANNEL, message)
      return true
    } catch (thrown) {
      if (this.done) return false
      let destroyed = true
      try {
        destroyed = this.sender.isDestroyed?.() === true
      } catch {
        // treat as gone
      }
      if (destroyed) {
        this.cancel('the window was destroyed')
        return false
      }
      const error = new IpcError('E_UNCLONEABLE', `A chunk of '${this.entry.channel}' could not be sent: ${thrown?.message ?? thrown}`, { channel: this.entry.channel })
      try {
        this.sender.send(STREAM_CHANNEL, { ipcflow: 'error', id: this.id, error: { code: error.code, message: error.message, details: error.details } })
      } catch {
        // nothing more to tell
      }
      this.finish('failed')
      return false
    }
  }

  ack(count) {
    if (this.done || count <= this.acked) return
    this.acked = Math.min(count, this.sent)
    if (this.pausedAt !== undefined && !this.pumping) {
      this.metrics.pausedMs += performance.now() - this.pausedAt
      this.pausedAt = undefined
      this.pump()
    }
  }

  /** Renderer cancel, break, destroyed window, navigation: nothing is sent back. */
  cancel(why) {
    if (this.done) return
    this.reason = new CancelledError(`Stream on '${this.entry.channel}' was cancelled: ${why}`, { channel: this.entry.channel })
    this.finish('cancelled')
  }

  /** Timeout or registry close: the renderer is told why. */
  stop(error) {
    if (this.done || this.ending) return
    this.reason = error
    this.send({ ipcflow: 'error', id: this.id, error: { code: error.code, message: error.message, details: error.details } })
    this.finish('cancelled')
  }

  finish(outcome, callReturn = outcome !== 'completed') {
    if (this.done) return
    this.done = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    if (this.pausedAt !== undefined) this.metrics.pausedMs += performance.now() - this.pausedAt
    this.hub.remove(this)
    const m = this.metrics
    m.open--
    m[outcome]++
    m.durationMs.record(performance.now() - this.started)
    this.hub.hooks.tell('increment', `ipcflow.stream.${outcome}`, 1)
    if (outcome === 'cancelled') HandlerContext.abort(this.ctx, this.reason)
    // return() runs the generator's finally; an async generator busy in next() runs it once that settles.
    if (callReturn) {
      if (this.inNext) this.returnLater = true
      else closeProducer(this.iterator)
    }
  }
}

module.exports = { OutStream, closeProducer }
