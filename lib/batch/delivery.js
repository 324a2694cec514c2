'use strict'
// Sending to a target: frames, direct sends, and what to do when `send`
// throws (a destroyed target, or a payload structured clone can't carry).
// `host` is the BatchManager: it counts drops, reports errors, forgets targets.
const { UncloneableError, messageOf } = require('../errors')

const FRAME_CHANNEL = 'ipcflow:frame'
const READY_CHANNEL = 'ipcflow:ready'
const ACK_CHANNEL = 'ipcflow:ack'
const FRAME_VERSION = 1

function isDestroyed(target) {
  return typeof target.isDestroyed === 'function' && target.isDestroyed() === true
}

/** `enabled: false`: one send per message. Returns whether it was sent. */
function sendDirect(host, t, channel, payload) {
  try {
    if (isDestroyed(t.target)) return host._targetDied(t, 1)
    t.target.send(channel, payload)
    return true
  } catch (error) {
    if (isDestroyed(t.target)) return host._targetDied(t, 1)
    host._drop('uncloneable', 1)
    host._report(new UncloneableError(`Message on '${channel}' could not be sent: ${messageOf(error)}`, { channel, index: 0 }))
    return false
  }
}

/** Sends one frame; returns how many messages were delivered. */
function sendFrame(host, t, stream, channels, payloads, askAck) {
  const frame = { ipcflow: 'frame', v: FRAME_VERSION, stream, seq: t.seq + 1, channels, payloads }
  if (askAck) frame.ack = true
  try {
    if (isDestroyed(t.target)) return host._targetDied(t, channels.length), 0
    t.target.send(FRAME_CHANNEL, frame)
    t.seq++
    return channels.length
  } catch (error) {
    if (isDestroyed(t.target) || /destroyed/i.test(messageOf(error))) return host._targetDied(t, channels.length), 0
    return sendCloneable(host, t, frame, error)
  }
}

// send threw for a live target: some payload can't be cloned. Find which
// with structuredClone, report them, and send the rest as the same frame.
function sendCloneable(host, t, frame, firstError) {
  const channels = []
  const payloads = []
  for (let i = 0; i < frame.channels.length; i++) {
    try {
      structuredClone(frame.payloads[i])
      channels.push(frame.channels[i])
      payloads.push(frame.payloads[i])
    } catch (error) {
      host._drop('uncloneable', 1)
      host._report(new UncloneableError(
        `Message on '${frame.channels[i]}' could not be cloned and was not sent: ${messageOf(error)}`,
        { channel: frame.channels[i], index: i, seq: frame.seq },
      ))
    }
  }
  if (channels.length === frame.channels.length) {
    // Nothing individually failed: the frame as a whole could not be sent.
    return failFrame(host, frame, channels.length, firstError)
  }
  if (channels.length === 0) return 0
  try {
    t.target.send(FRAME_CHANNEL, { ...frame, channels, payloads })
    t.seq++
    return channels.length
  } catch (error) {
    return failFrame(host, frame, channels.length, error)
  }
}

function failFrame(host, frame, lost, error) {
  host._drop('uncloneable', lost)
  host._report(new UncloneableError(`Frame could not be sent: ${messageOf(error)}`, { seq: frame.seq, messages: lost }))
  return 0
}

module.exports = { FRAME_CHANNEL, READY_CHANNEL, ACK_CHANNEL, FRAME_VERSION, sendDirect, sendFrame }
