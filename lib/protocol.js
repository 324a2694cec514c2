'use strict'
// The wire protocol, defined once in renderer/protocol.ts (the renderer client
// must not import main's code) and compiled with the renderer client.
module.exports = require('../renderer/dist/protocol.js')
