// Fake time for tests whose verdict would otherwise depend on the machine's
// load: jest's fake timers drive setTimeout, performance.now() and Date, and
// `clock` hands them to a component's clock seam (`deps.clock`,
// lib/timers/injected.js) in place of the native timer. Time then moves only
// when a test calls `advance(ms)`, which runs every timer due on the way, in
// order, and lets promise callbacks settle after each.
//
// Only in-process code can run on fake time: a renderer child process or
// worker keeps the machine's clock (those tests await the event instead).

/** A clock for `deps.clock` that calls the globals jest fakes, when it is called. */
export const clock = {
  now: () => performance.now(),
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (handle: ReturnType<typeof setTimeout>) => clearTimeout(handle),
}

/** `{ clock }`, the `deps` argument that puts a component on fake time. */
export const onFakeTime = { clock }

/** Fake setTimeout/setInterval, performance.now() and Date; setImmediate, nextTick and microtasks stay real. */
export function fakeTime() {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'hrtime'] })
}

/** Fake time for every test of the file (or describe block) that calls this. */
export function useFakeTime() {
  beforeEach(fakeTime)
  afterEach(() => {
    jest.clearAllTimers()
    jest.useRealTimers()
  })
}

/** Moves fake time on by `ms`, running each timer due on the way and the promise callbacks it starts. */
export async function advance(ms: number) {
  await jest.advanceTimersByTimeAsync(ms)
}

/** Moves fake time on 1 ms at a time until `check()` holds (at most `limitMs` of fake time). */
export async function untilOnFakeTime(check: () => boolean, limitMs = 10_000) {
  for (let t = 0; !check(); t++) {
    if (t >= limitMs) throw new Error(`condition not met within ${limitMs} ms of fake time`)
    await advance(1)
  }
}

/** Lets pending promise callbacks and immediates run (real time, no fake time passes). */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * A clock of its own for `deps.clock`, for a test that also needs real time
 * (a renderer process, awaited with real timers): only the component given it
 * runs on it. Time starts at 1,000 ms and moves only with `advance(ms)`.
 */
export class ManualClock {
  private t = 1000
  private seq = 0
  private readonly timers = new Map<number, { at: number; fn: () => void }>()

  now() {
    return this.t
  }

  setTimeout(fn: () => void, ms: number) {
    const id = ++this.seq
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn })
    return id
  }

  clearTimeout(id: number) {
    this.timers.delete(id)
  }

  /** Timers armed and not yet run. */
  get pending() {
    return this.timers.size
  }

  /** Moves time on by `ms`, running each timer due on the way (earliest first, then in arming order), settling promise callbacks after each. */
  async advance(ms: number) {
    const end = this.t + ms
    for (;;) {
      let nextId = 0
      let next: { at: number; fn: () => void } | undefined
      for (const [id, timer] of this.timers) if (timer.at <= end && (next === undefined || timer.at < next.at)) [nextId, next] = [id, timer]
      if (next === undefined) break
      this.timers.delete(nextId)
      this.t = Math.max(this.t, next.at)
      next.fn()
      await settle()
    }
    this.t = end
    await settle()
  }
}
