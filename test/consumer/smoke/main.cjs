'use strict'
// CommonJS consumer: require('ipcflow') and require('ipcflow/renderer') from an installed copy.
// argv[2]: the repo's test/standin (not in the tarball). Prints one JSON line.
const ipcflow = require('ipcflow')
const renderer = require('ipcflow/renderer')
const roundtrip = require('./roundtrip.cjs')

roundtrip(ipcflow, process.argv[2]).then((result) => {
  const addons = Object.keys(require.cache).filter((file) => file.endsWith('.node'))
  console.log(JSON.stringify({
    ...result,
    addons,
    resolved: require.resolve('ipcflow'),
    rendererExports: typeof renderer.createRendererClient,
    errorCode: new ipcflow.ValidationError('x').code,
    inspector: require('ipcflow/inspector').renderInspector([]).startsWith('<!doctype html>'),
  }))
}, (error) => {
  console.error(error)
  process.exit(1)
})
