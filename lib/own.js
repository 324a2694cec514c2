'use strict'
// Results keyed by names users choose (channels, metric names, labels): an
// own, enumerable property even for '__proto__', whose plain assignment would
// replace the result object's prototype instead.
function setOwn(object, key, value) {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
}

module.exports = { setOwn }
