// Checks shared by the hostile-input suites: nothing polluted, memory measured
// after a forced GC.
import v8 from 'v8'
import vm from 'vm'

v8.setFlagsFromString('--expose-gc')
const gcFn: () => void = (globalThis as any).gc ?? vm.runInNewContext('gc')

export function gc(): void {
  gcFn()
  gcFn()
}

export async function settledHeap(): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve))
  gc()
  return process.memoryUsage().heapUsed + process.memoryUsage().external
}

const PROTOS: Array<[string, object]> = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
  ['Map.prototype', Map.prototype],
]

/** Own property names of the built-in prototypes and of the given ipcflow objects. */
export function snapshot(objects: Record<string, object> = {}): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [name, o] of [...PROTOS, ...Object.entries(objects)]) out[name] = Reflect.ownKeys(o).map(String).sort()
  return out
}

export function expectUnpolluted(before: Record<string, string[]>, objects: Record<string, object> = {}): void {
  expect(snapshot(objects)).toEqual(before)
  expect(({} as any).polluted).toBeUndefined()
  expect(([] as any).polluted).toBeUndefined()
  expect((Object.prototype as any).n).toBeUndefined()
}
