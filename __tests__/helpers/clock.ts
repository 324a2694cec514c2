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

/** `{ clock }`, for the `deps` argument a component's public type does not declare yet. */
export const onFakeTime = { clock } as any

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

/** Lets pending promise callbacks and immediates run (real time, no fake time passes). */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve))
