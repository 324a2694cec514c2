'use strict'
// The monitor's only door to the addon.
const binding = require('../../binding.js')

for (const name of ['BindingMonitor', 'fastCalls']) {
  if (binding[name] === undefined) throw new Error(`ipcflow: the native addon lacks '${name}'; rebuild it (npm run build)`)
}

// `monitorApply(id, value)` is a raw Node-API function (~25 ns, see
// bench/RESULTS.md): every metric handle's hot path.
const { monitorApply } = binding.fastCalls()

module.exports = { BindingMonitor: binding.BindingMonitor, monitorApply }
