'use strict'
// Sending to a target: frames, direct sends, and what to do when `send`
// throws (a destroyed target, or a payload structured clone can't carry).
// What happens next is the owner's business, told through `sink`:
//   sink.drop(reason, n)        n messages were lost for `reason`
//   sink.report(error)          a problem the caller did not get as a throw
//   sink.targetDied(t, lost)    t is destroyed; `lost` messages went with it
const { FRAME_CHANNEL, makeFrame } = require('../protocol')
const { UncloneableError, messageOf } = require('../errors')

// A target whose isDestroyed() itself throws is taken as gone (Electron throws
// from objects it has torn down); the throw must not escape into a flush.
function isDestroyed(target) {
  try {
    return typeof target.isDestroyed === 'function' && target.isDestroyed() === true
  } catch {
    return true
  }
}

class Delivery {
  constructor(sink) {
    this.sink = sink
  }

  /** `enabled: false`: one send per message. Returns whether it was sent. */
  sendDirect(t, channel, payload) {
    const { sink } = this
    try {
      if (isDestroyed(t.target)) return sink.targetDied(t, 1), false
      t.target.send(channel, payload)
      return true
    } catch (error) {
      if (isDestroyed(t.target)) return sink.targetDied(t, 1), false
      sink.drop('uncloneable', 1)
      sink.report(new UncloneableError(`Message on '${channel}' could not be sent: ${messageOf(error)}`, { channel, index: 0 }))
      return false
    }
  }

  /** Sends one frame as t's next seq; returns how many messages were delivered. */
  sendFrame(t, stream, channels, payloads, askAck) {
    const frame = makeFrame(stream, t.seq + 1, channels, payloads, askAck)
    try {
      if (isDestroyed(t.target)) return this.sink.targetDied(t, channels.length), 0
      t.target.send(FRAME_CHANNEL, frame)
      t.seq++
      return channels.length
    } catch (error) {
      if (isDestroyed(t.target) || /destroyed/i.test(messageOf(error))) return this.sink.targetDied(t, channels.length), 0
      return this._sendCloneable(t, frame, error)
    }
  }

  // send threw for a live target: some payload can't be cloned. Find which
  // with structuredClone, report them, and send the rest as the same frame.
  _sendCloneable(t, frame, firstError) {
    const { sink } = this
    const channels = []
    const payloads = []
    for (let i = 0; i < frame.channels.length; i++) {
      try {
        structuredClone(frame.payloads[i])
        channels.push(frame.channels[i])
        payloads.push(frame.payloads[i])
      } catch (error) {
        sink.drop('uncloneable', 1)
        sink.report(new UncloneableError(
          `Message on '${frame.channels[i]}' could not be cloned and was not sent: ${messageOf(error)}`,
          { channel: frame.channels[i], index: i, seq: frame.seq },
        ))
      }
    }
    if (channels.length === frame.channels.length) {
      // Nothing individually failed: the frame as a whole could not be sent.
      return this._failFrame(frame, channels.length, firstError)
    }
    if (channels.length === 0) return 0
    try {
      t.target.send(FRAME_CHANNEL, { ...frame, channels, payloads })
      t.seq++
      return channels.length
    } catch (error) {
      return this._failFrame(frame, channels.length, error)
    }
  }

  _failFrame(frame, lost, error) {
    this.sink.drop('uncloneable', lost)
    this.sink.report(new UncloneableError(`Frame could not be sent: ${messageOf(error)}`, { seq: frame.seq, messages: lost }))
    return 0
  }
}

module.exports = { Delivery }
