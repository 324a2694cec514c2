// Our own bugs have one code: a native panic or broken invariant reaches JS as
// E_INTERNAL with a message saying it is a bug in ipcflow, and the process lives.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const binding = require('../binding.js')

test('a native panic throws E_INTERNAL naming ipcflow, and the addon keeps working', () => {
  let error: any
  try {
    binding.__panicForTests()
  } catch (e) {
    error = e
  }
  expect(error).toMatchObject({ code: 'E_INTERNAL' })
  expect(error.message).toMatch(/^ipcflow: __panicForTests failed \(panicked: deliberate panic \(test hook\)\); this is a bug in ipcflow/)
  expect(() => binding.__panicForTests()).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }))
  expect(typeof new binding.BindingBatchClock(() => {}, 16).handle).toBe('number')
})

test('an unknown flush reason is refused, not counted as another reason', () => {
  const clock = new binding.BindingBatchClock(() => {}, 16)
  expect(() => binding.batchFlushed(clock.handle, 0, 0, 99, 1, 0, new Float64Array(1), 0)).toThrow(/`99` does not match any variant of enum `FlushReason`/)
  binding.batchFlushed(clock.handle, 0, 0, binding.BindingFlushReason.Time, 1, 0, new Float64Array(1), 0)
  expect(clock.metrics().flushReasons).toEqual({ size: 0, bytes: 0, time: 1, priority: 0, manual: 0, close: 0, ready: 0, idle: 0 })
  clock.close()
})

test('a native failure inside the registry pipeline answers E_INTERNAL, not E_VALIDATION', async () => {
  let HandlerRegistry: any
  jest.isolateModules(() => {
    jest.doMock('../binding.js', () => ({ ...binding, checkLimits: () => binding.__panicForTests() }))
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    HandlerRegistry = require('../index').HandlerRegistry
  })
  const registry = new HandlerRegistry()
  const handler = jest.fn()
  registry.register('a', handler, { maxBytes: 1000 })
  const reply = await registry.invoke('a', [{ x: 1 }])
  expect(reply).toMatchObject({ success: false, error: { code: 'E_INTERNAL' } })
  expect(reply.error.message).toMatch(/bug in ipcflow/)
  expect(handler).not.toHaveBeenCalled()
  await registry.close()
})
