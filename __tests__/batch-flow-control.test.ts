// The flow-control rules alone (lib/batch/flow-control.js), on plain target
// states: when frames ask for acks, when a target pauses, when an ack reopens it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FlowControl } = require('../lib/batch/flow-control')

const target = (ready = true) => ({
  seq: 0, ready, open: ready, dead: false, flow: false, acked: 0, paused: false,
  directs: 0, directsAcked: 0, directsSeq: 0, directsBefore: 0,
})
const send = (flow: any, t: any) => {
  const asks = flow.asksAck(t)
  t.seq++
  flow.sent(t)
  return asks
}

test('a target without a client that acks is never paused', () => {
  const flow = new FlowControl(4)
  const t = target()
  for (let i = 0; i < 100; i++) expect(send(flow, t)).toBe(false)
  expect(t).toMatchObject({ paused: false, open: true })
  expect(flow.pauses).toBe(0)
})

test('frames ask from half the window; the target pauses at the window and an ack reopens it', () => {
  const flow = new FlowControl(4)
  const t = target()
  flow.start(t)
  expect([send(flow, t), send(flow, t), send(flow, t), send(flow, t)]).toEqual([false, true, true, true])
  expect(t).toMatchObject({ paused: true, open: false })
  expect(flow.pauses).toBe(1)
  expect(flow.acked(t, 1)).toBe(true) // 3 in flight < 4
  expect(t).toMatchObject({ paused: false, open: true, acked: 1 })
})

test('acks are cumulative, capped at what was sent, and stale or malformed ones are ignored', () => {
  const flow = new FlowControl(4)
  const t = target()
  flow.start(t)
  for (let i = 0; i < 4; i++) send(flow, t)
  expect(flow.acked(t, 99)).toBe(true)
  expect(t.acked).toBe(4) // never beyond seq
  expect(flow.acked(t, 3)).toBe(false)
  expect(flow.acked(t, '5')).toBe(false)
  expect(flow.acked(t, NaN)).toBe(false)
  expect(t.acked).toBe(4)
})

test('an ack does not open a target that is not ready; a new announcement forgets what was not acked', () => {
  const flow = new FlowControl(2)
  const t = target()
  flow.start(t)
  send(flow, t)
  send(flow, t)
  expect(t.paused).toBe(true)
  t.ready = false
  expect(flow.acked(t, 2)).toBe(false)
  expect(t).toMatchObject({ paused: false, open: false })
  send(flow, t)
  send(flow, t)
  t.ready = true
  flow.start(t) // the page reloaded and announced itself again
  expect(t).toMatchObject({ acked: 4, paused: false, open: true })
})

test('maxFramesInFlight 0 turns it off; a dead target is left alone', () => {
  const off = new FlowControl(0)
  const t = target()
  off.start(t)
  expect(t.flow).toBe(false)
  const flow = new FlowControl(4)
  const dead = { ...target(), dead: true }
  flow.start(dead)
  expect(dead.flow).toBe(false)
})

test('plain sends of idle messages: unlimited without acks; with them, half a window until a later frame is read', () => {
  const free = new FlowControl(4)
  const plain = target()
  for (let i = 0; i < 100; i++) {
    expect(free.allowsDirect(plain)).toBe(true)
    free.directSent(plain)
  }

  const flow = new FlowControl(4) // acks asked from 2 frames behind; 2 plain sends allowed
  const t = target()
  flow.start(t)
  flow.directSent(t)
  expect(flow.allowsDirect(t)).toBe(true)
  flow.directSent(t)
  expect(flow.allowsDirect(t)).toBe(false) // a renderer that never reads gets frames from here on...
  expect(send(flow, t)).toBe(true) // ...and the first of them asks to be acknowledged
  flow.directSent(t) // (the manager would not; this one went after frame 1)
  expect(flow.acked(t, 1)).toBe(false)
  // Frame 1 was read, and so were the two plain sends before it; the one after it is still out.
  expect(t.directs - t.directsAcked).toBe(1)
  expect(flow.allowsDirect(t)).toBe(true)
})

test('plain sends are counted against the newest frame only once it was sent', () => {
  const flow = new FlowControl(4)
  const t = target()
  flow.start(t)
  send(flow, t) // frame 1
  flow.directSent(t)
  flow.directSent(t)
  flow.sent(t) // a frame that failed to send: seq stays 1
  expect(flow.acked(t, 1)).toBe(false)
  expect(t.directs - t.directsAcked).toBe(2) // both went after frame 1: not covered by its ack
  send(flow, t) // frame 2
  flow.acked(t, 2)
  expect(t.directs - t.directsAcked).toBe(0)
})
