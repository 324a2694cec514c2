// Property tests (fast-check) for the batching invariants: frame sizes and
// byte budgets, the flow-control window, adaptive batching's leading send and
// the maxFramesPerSecond budget. Failures print fast-check's seed and path.
import fc from 'fast-check'
import { EventEmitter } from 'events'
import { BatchManager } from '../index'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FlowControl } = require('../lib/batch/flow-control')
// How far apart JS and the native timer may read the same instant (lib/timers/clock.js, nativeEpoch).
const EPOCH_MS = 0.05

jest.setTimeout(60_000)

// `sends` in order; `frames` only the frames (an idle target's message goes as a plain send).
function recorder(id: number) {
  return {
    id,
    sends: [] as Array<{ at: number; frame?: any; plain?: unknown }>,
    frames: [] as Array<{ at: number; frame: any }>,
    send(channel: string, value: any) {
      const at = performance.now()
      if (channel === 'ipcflow:frame') this.frames.push({ at, frame: value })
      this.sends.push(channel === 'ipcflow:frame' ? { at, frame: value } : { at, plain: value })
    },
  }
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), target: fc.nat(3), size: fc.nat(200), priority: fc.constantFrom(undefined, 'low', 'normal', 'critical'), key: fc.option(fc.nat(5), { nil: undefined }) }),
  fc.record({ kind: fc.constant('flush' as const), target: fc.nat(3) }),
  fc.record({ kind: fc.constant('tick' as const) }),
)

test('frames never exceed maxBatchSize, nor maxBatchBytes unless one message alone does', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 50, max: 1000 }), fc.array(op, { maxLength: 300 }), async (maxBatchSize, maxBatchBytes, ops) => {
      const targets = [0, 1, 2, 3].map((i) => recorder(i + 1))
      const b = new BatchManager({ maxBatchSize, maxBatchBytes, maxWaitMs: 1, adaptive: false })
      for (const o of ops) {
        if (o.kind === 'add') b.addMessage('c', 'x'.repeat(o.size), targets[o.target], { priority: o.priority, coalesceKey: o.key === undefined ? undefined : String(o.key) })
        else if (o.kind === 'flush') b.flush(targets[o.target])
        else await new Promise((resolve) => setImmediate(resolve))
      }
      await b.close()
      for (const t of targets) {
        for (const { frame } of t.frames) {
          expect(frame.payloads.length).toBeLessThanOrEqual(maxBatchSize)
          expect(frame.payloads.length).toBeGreaterThan(0)
          // Estimated bytes: the payload string plus the channel; a lone oversized message still goes.
          const bytes = frame.payloads.reduce((n: number, p: string) => n + p.length + 5, 0)
          if (frame.payloads.length > 1) expect(bytes).toBeLessThanOrEqual(maxBatchBytes + 16 * frame.payloads.length)
        }
      }
    }),
    { numRuns: 100 },
  )
})

test('flow control: a client that acks never has more than maxFramesInFlight unacknowledged frames, nor half that of plain sends', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 8 }),
      fc.array(fc.oneof(fc.constant('add'), fc.constant('add'), fc.constant('add'), fc.constant('ack'), fc.constant('flush'), fc.constant('tick'), fc.constant('ready'), fc.constant('notReady')), { maxLength: 400 }),
      async (maxFramesInFlight, ops) => {
        const ipcMain = new EventEmitter()
        const t = recorder(1)
        const b = new BatchManager({ maxFramesInFlight, maxBatchSize: 3, maxWaitMs: 0 })
        b.attach(ipcMain as any)
        ipcMain.emit('ipcflow:ready', { sender: t }, { v: 1, acks: true })
        let acked = 0
        const check = () => {
          expect(t.frames.length - acked).toBeLessThanOrEqual(maxFramesInFlight)
          // Plain sends after the newest acknowledged frame are not known to be read.
          let unread = 0
          for (let i = t.sends.length - 1; i >= 0; i--) {
            const frame = t.sends[i].frame
            if (frame === undefined) unread++
            else if (frame.seq <= acked) break
          }
          expect(unread).toBeLessThanOrEqual(Math.max(1, maxFramesInFlight >> 1))
        }
        for (const o of ops) {
          if (o === 'add') b.addMessage('c', 1, t)
          else if (o === 'ack') {
            // The client acks the frames that asked, cumulatively.
            const asked = t.frames.filter((f) => f.frame.ack === true).map((f) => f.frame.seq)
            if (asked.length > 0) {
              acked = asked[asked.length - 1]
              ipcMain.emit('ipcflow:ack', { sender: t }, t.frames[0].frame.stream, acked)
            }
          } else if (o === 'flush') b.flush()
          else if (o === 'ready') b.markReady(t)
          else if (o === 'notReady') b.markNotReady(t)
          else await new Promise((resolve) => setImmediate(resolve))
          check()
        }
        b.detach()
        await b.close() // close() sends the rest regardless of the window
      },
    ),
    { numRuns: 100 },
  )
})

test('flow-control rules: acked <= seq, a paused target is closed, an open one is ready and unpaused', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 8 }).filter((n) => n !== 1), fc.array(fc.oneof(fc.constant('send'), fc.constant('direct'), fc.nat(50), fc.constant('start'), fc.constant('toggle')), { maxLength: 200 }), (max, ops) => {
      const flow = new FlowControl(max)
      const half = Math.max(1, max >> 1)
      const t: any = { seq: 0, ready: true, open: true, dead: false, flow: false, acked: 0, paused: false, directs: 0, directsAcked: 0, directsSeq: 0, directsBefore: 0 }
      for (const o of ops) {
        if (o === 'direct') {
          if (t.open && flow.allowsDirect(t)) flow.directSent(t)
        } else if (o === 'send') {
          if (!t.open) continue // the manager only sends to an open target
          const asks = flow.asksAck(t)
          expect(asks).toBe(t.flow && (t.seq + 1 - t.acked >= half || t.directs - t.directsAcked >= half))
          t.seq++
          flow.sent(t)
        } else if (o === 'start') flow.start(t)
        else if (o === 'toggle') {
          t.ready = !t.ready
          t.open = t.ready && !t.paused
        } else flow.acked(t, o)
        expect(t.acked).toBeLessThanOrEqual(t.seq)
        if (t.paused) expect(t.open).toBe(false)
        if (t.open) expect(t.ready && !t.paused).toBe(true)
        if (t.flow) expect(t.seq - t.acked).toBeLessThanOrEqual(max)
        if (t.flow) expect(t.directs - t.directsAcked).toBeLessThanOrEqual(half)
        if (!t.flow) expect(t.paused).toBe(false)
      }
    }),
    { numRuns: 300 },
  )
})

test('adaptive batching with idleMs 0: a message to an open target with an empty queue leaves at once, alone', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.oneof(fc.nat(3), fc.constant(-1)), { maxLength: 200 }), async (ops) => {
      const targets = [0, 1, 2, 3].map((i) => recorder(i + 1))
      const b = new BatchManager({ adaptive: true, idleMs: 0, maxWaitMs: 5, maxBatchSize: 1000 })
      for (const o of ops) {
        if (o === -1) {
          await new Promise((resolve) => setImmediate(resolve))
          continue
        }
        const empty = b.pending(targets[o]) === 0
        const before = targets[o].sends.length
        b.addMessage('c', o, targets[o])
        if (empty) {
          expect(targets[o].sends.length).toBe(before + 1)
          expect(targets[o].sends[before].plain).toBe(o)
          expect(b.pending(targets[o])).toBe(0)
        }
      }
      await b.close()
    }),
    { numRuns: 100 },
  )
})

test('maxFramesPerSecond: size and time flushes to one target keep the frame interval', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 100, max: 500 }), fc.integer({ min: 1, max: 10 }), fc.array(fc.oneof(fc.nat(40), fc.constant(-1)), { minLength: 5, maxLength: 60 }), fc.boolean(), async (fps, maxBatchSize, ops, adaptive) => {
      const t = recorder(1)
      const b = new BatchManager({ maxFramesPerSecond: fps, maxBatchSize, maxWaitMs: 0, adaptive })
      for (const o of ops) {
        if (o === -1) await new Promise((resolve) => setTimeout(resolve, 1))
        else for (let i = 0; i < o; i++) b.addMessage('c', i, t)
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 / fps + 20))
      const frames = t.sends.map((f) => f.at) // plain sends count against the budget too
      b.flush()
      await b.close()
      // Never closer, by any path: the timer fires up to a millisecond early, so a budget's deadline is
      // armed that much later (allowed: the native clock's epoch, known to about a microsecond).
      for (let i = 1; i < frames.length; i++) expect(frames[i] - frames[i - 1]).toBeGreaterThanOrEqual(1000 / fps - EPOCH_MS)
    }),
    { numRuns: 25 },
  )
})
