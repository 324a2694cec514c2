// Real-time waits for tests that cannot run on fake time (a renderer process, a native thread):
// they await the event itself, with a limit far beyond any wait a test expects.
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check()` until it holds, failing only after `limitMs`. */
export async function until(check: () => boolean, limitMs = 15_000) {
  const end = performance.now() + limitMs
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met')
    await sleep(2)
  }
}
