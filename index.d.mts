// Types of the ESM entry (index.mjs): the same declarations as index.d.ts.
export * from './index.js'
import * as ipcflow from './index.js'
export default ipcflow
