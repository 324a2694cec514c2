// The native watchdog and sampler threads stop on close(), when their owner
// is garbage-collected, and when their worker thread is terminated (Linux,
// where /proc names every thread).
import path from 'path'
import { fork } from 'child_process'

const linux = process.platform === 'linux'
;(linux ? test : test.skip)('threads stop on close, on GC of the owner and on worker teardown', async () => {
  const child = fork(path.join(__dirname, 'helpers', 'native-threads-child.js'), [path.join(__dirname, '..')], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const counts: any = await new Promise((resolve, reject) => {
    child.on('message', resolve)
    child.on('exit', (code) => reject(new Error(`child exited ${code}`)))
  })
  expect(counts).toEqual({ start: 0, made: 6, afterClose: 0, afterGc: 0, inWorker: 6, afterWorker: 0 })
})
