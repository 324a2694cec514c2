// Run once per env by realm.rs (napi_run_script); evaluates to `members`.
// The own enumerable keys of `o` as indices into `names` (plus one, 4 bits
// each, first key lowest), or -1 when one is not in `names` or there are more
// than 13. `Object.keys` is captured when the env first uses this, and nothing
// else global is called, so later reassignments by user code do not matter.
(function (keys) {
  return function members(o, names) {
    var k = keys(o), n = names.length, code = 0
    if (k.length > 13) return -1
    for (var i = 0, scale = 1; i < k.length; i++, scale *= 16) {
      var key = k[i], j = 0
      while (j < n && names[j] !== key) j++
      if (j === n) return -1
      code += (j + 1) * scale
    }
    return code
  }
})(Object.keys)
