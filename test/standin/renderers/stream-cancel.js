'use strict'
// A page that gives up on client.stream at the moment main's test chooses
// (__tests__/hostile-stream-cancel.test.ts). Each stream is read by a
// for-await loop over the stream merged with a stop event, as a page's UI loop
// would be, so a `break` can happen while a next() is still waiting:
//   request('open', { name, channel, args, credit }) -> true once the request went out; the loop
//     reads `credit` chunks (default: all), then waits for a cancel
//   request('read', { name, n }) -> once the loop read n chunks (or ended) -> state
//   request('cancel', { name, kind }) -> 'abort' (the signal), 'return' (iterator.return()),
//     'break' (the for-await loop breaks) -> true
//   request('result', { name }) -> once the loop ended -> { chunks, items, afterCancel, done, error? }
//   request('raw', { channel, id, args }) -> sends ipcflow:cancel, then the stream request by hand,
//     and never reads a chunk -> the opening envelope
//   request('flood', { n, length }) -> sends n cancels for ids (of `length` characters) that never come
//   request('invoke', { channel, args }) -> client.invoke on it -> { ok, value } | { ok: false, error }
const { createRendererClient, isIpcError, CANCEL_CHANNEL } = require('../../../renderer/dist/index.js')

const STOP = Symbol('stop')

// The stream's chunks, or STOP once `stopped` resolves; leaving it closes the stream.
async function* merge(it, stopped) {
  try {
    for (;;) {
      const r = await Promise.race([it.next(), stopped])
      if (r === STOP) {
        yield STOP
        return
      }
      if (r.done) return
      yield r.value
    }
  } finally {
    await it.return()
  }
}

module.exports = async (ipcRenderer) => {
  const client = createRendererClient(ipcRenderer, { announceReady: false })
  const streams = new Map()

  const state = (s) => {
    const { chunks, items, afterCancel, done, error } = s
    return { chunks, items, afterCancel, done, error }
  }

  async function loop(s) {
    try {
      for await (const ev of merge(s.it, s.stopped)) {
        if (ev === STOP) break
        s.chunks++
        s.items += ev.items.length
        if (s.cancelled) s.afterCancel++
        s.changed()
        while (s.chunks >= s.credit && !s.cancelled) await s.waitChange()
        if (s.kind === 'break') break
      }
    } catch (err) {
      s.error = { code: err && err.code, message: String(err && err.message), isIpcError: isIpcError(err) }
    }
    s.done = true
    s.changed()
  }

  const open = ({ name, channel, args, credit }) => {
    const controller = new AbortController()
    let stop
    const s = {
      it: client.stream(channel, args || [], { signal: controller.signal })[Symbol.asyncIterator](),
      controller,
      stopped: new Promise((resolve) => {
        stop = () => resolve(STOP)
      }),
      stop,
      credit: credit === undefined || credit === null ? Infinity : credit,
      chunks: 0,
      items: 0,
      afterCancel: 0,
      done: false,
      error: undefined,
      cancelled: false,
      kind: undefined,
      waiters: [],
      changed() {
        for (const w of s.waiters.splice(0)) w()
      },
      waitChange: () => new Promise((resolve) => s.waiters.push(resolve)),
    }
    streams.set(name, s)
    s.ended = loop(s)
    return true
  }

  const until = async (s, check) => {
    while (!check()) await s.waitChange()
    return state(s)
  }

  return {
    async onRequest(kind, data) {
      const s = streams.get(data && data.name)
      switch (kind) {
        case 'open': return open(data)
        case 'read': return until(s, () => s.done || s.chunks >= data.n)
        case 'cancel': {
          s.cancelled = true
          s.kind = data.kind
          if (data.kind === 'abort') s.controller.abort()
          else if (data.kind === 'return') await s.it.return()
          else s.stop()
          s.changed()
          return true
        }
        case 'result': {
          await s.ended
          return state(s)
        }
        case 'raw': {
          ipcRenderer.send(CANCEL_CHANNEL, data.id)
          return ipcRenderer.invoke(data.channel, { ipcflow: 'invoke', v: 1, id: data.id, args: data.args || [] })
        }
        case 'flood': {
          for (let i = 0; i < data.n; i++) ipcRenderer.send(CANCEL_CHANNEL, String(i).padStart(data.length, 'x'))
          return true
        }
        case 'invoke':
          try {
            return { ok: true, value: await client.invoke(data.channel, ...(data.args || [])) }
          } catch (err) {
            return { ok: false, error: { code: err && err.code, message: String(err && err.message) } }
          }
        default: throw new Error(`unknown request '${kind}'`)
      }
    },
  }
}
