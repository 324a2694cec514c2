'use strict'
// The monitor's only door to the addon.
const binding = require('../../binding.js')

if (binding.BindingMonitor?.prototype?.applyMany === undefined) {
  throw new Error("ipcflow: the native addon lacks 'BindingMonitor.applyMany'; rebuild it (npm run build)")
}

module.exports = { BindingMonitor: binding.BindingMonitor }
