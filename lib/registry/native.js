'use strict'
// The registry's only door to the addon: everything else in lib/registry
// uses these names, so the binding's shape is this file's concern alone.
const binding = require('../../binding.js')

const NAMES = ['compileSchema', 'checkLimits', 'NativeValidator', 'NativeRateLimiter', 'NativeHistogram']
for (const name of NAMES) {
  if (binding[name] === undefined) throw new Error(`ipcflow: the native addon lacks '${name}'; rebuild it (npm run build)`)
}

module.exports = Object.fromEntries(NAMES.map((name) => [name, binding[name]]))
