// ESM consumer: named imports from 'ipcflow' and 'ipcflow/renderer' of an installed copy.
// argv[2]: the repo's test/standin (not in the tarball). Prints one JSON line.
import { createRequire } from 'node:module'
import ipcflowDefault, { BatchManager, HandlerRegistry, IpcError, PROTOCOL_VERSION, FRAME_CHANNEL } from 'ipcflow'
import { createRendererClient, isIpcError, FRAME_CHANNEL as RENDERER_FRAME_CHANNEL } from 'ipcflow/renderer'

const require = createRequire(import.meta.url)
const cjs = require('ipcflow')
const roundtrip = require('./roundtrip.cjs')

const result = await roundtrip({ BatchManager, HandlerRegistry }, process.argv[2])
let deepImport
try {
  await import('ipcflow/lib/errors.js')
  deepImport = 'allowed'
} catch (error) {
  deepImport = error.code
}
console.log(JSON.stringify({
  ...result,
  // one copy of the library whichever way it is loaded (no dual-package hazard)
  sameClasses: BatchManager === cjs.BatchManager && HandlerRegistry === cjs.HandlerRegistry && IpcError === cjs.IpcError,
  defaultIsCjs: ipcflowDefault === cjs,
  protocol: [PROTOCOL_VERSION, FRAME_CHANNEL === RENDERER_FRAME_CHANNEL],
  renderer: [typeof createRendererClient, typeof isIpcError],
  deepImport,
}))
