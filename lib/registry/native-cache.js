'use strict'
// The cache's door to the addon (as native.js is for the rest of lib/registry).
const binding = require('../../binding.js')

if (binding.BindingResponseCache === undefined || binding.cacheFastCalls === undefined) {
  throw new Error("ipcflow: the native addon lacks 'BindingResponseCache'; rebuild it (npm run build)")
}

const { cacheGet, cacheGetArgs } = binding.cacheFastCalls()

module.exports = { BindingResponseCache: binding.BindingResponseCache, cacheGet, cacheGetArgs }
