// MemoryManagers for a test file: the OS's pressure signal off (a loaded CI
// machine must not change a level), each closed after its test.
import { MemoryManager } from '../../index'

type Options = ConstructorParameters<typeof MemoryManager>[0]
type Deps = ConstructorParameters<typeof MemoryManager>[1]

/** Call at the top of a test file: returns `manager(options, deps)`, closed after each test. */
export function closedAfterEach(): (options?: Options, deps?: Deps) => MemoryManager {
  const managers: MemoryManager[] = []
  afterEach(() => managers.splice(0).forEach((m) => m.close()))
  return (options = {}, deps) => {
    const m = new MemoryManager({ osPressure: false, ...options }, deps)
    managers.push(m)
    return m
  }
}
