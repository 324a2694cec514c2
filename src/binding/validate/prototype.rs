//! What counts as a plain object, and naming the objects that do not.
use super::napi_util::{clear_exception, ok, read_string, same, type_of};
use napi::sys;
use std::ptr::null_mut;

/// Whether `proto` is some realm's `Object.prototype`: its own prototype is null, and its
/// `constructor` is a function whose `prototype` is `proto` and whose prototype's prototype
/// (Function.prototype's) is `proto` again. Any exception means no.
pub(super) unsafe fn is_object_prototype(env: sys::napi_env, proto: sys::napi_value) -> bool {
  let check = || -> Option<bool> {
    let mut up = null_mut();
    ok(sys::napi_get_prototype(env, proto, &mut up)).then_some(())?;
    if type_of(env, up) != sys::ValueType::napi_null {
      return Some(false);
    }
    let mut ctor = null_mut();
    ok(sys::napi_get_named_property(env, proto, c"constructor".as_ptr(), &mut ctor)).then_some(())?;
    if type_of(env, ctor) != sys::ValueType::napi_function {
      return Some(false);
    }
    let mut ctor_proto = null_mut();
    ok(sys::napi_get_named_property(env, ctor, c"prototype".as_ptr(), &mut ctor_proto)).then_some(())?;
    let (mut f, mut o) = (null_mut(), null_mut());
    ok(sys::napi_get_prototype(env, ctor, &mut f)).then_some(())?;
    ok(sys::napi_get_prototype(env, f, &mut o)).then_some(())?;
    Some(same(env, ctor_proto, proto) && same(env, o, proto))
  };
  check().unwrap_or_else(|| {
    clear_exception(env);
    false
  })
}

/// Names a non-plain object for the message (only on the refusing path).
pub(super) unsafe fn describe_object(env: sys::napi_env, raw: sys::napi_value, host: sys::napi_value) -> &'static str {
  let is = |f: unsafe extern "C" fn(sys::napi_env, sys::napi_value, *mut bool) -> sys::napi_status| {
    let mut b = false;
    ok(f(env, raw, &mut b)) && b
  };
  if is(sys::napi_is_typedarray) {
    let mut t = 0;
    sys::napi_get_typedarray_info(env, raw, &mut t, null_mut(), null_mut(), null_mut(), null_mut());
    return match t {
      0 => "an Int8Array",
      1 => "a Uint8Array",
      2 => "a Uint8ClampedArray",
      3 => "an Int16Array",
      4 => "a Uint16Array",
      5 => "an Int32Array",
      6 => "a Uint32Array",
      7 => "a Float32Array",
      8 => "a Float64Array",
      9 => "a BigInt64Array",
      10 => "a BigUint64Array",
      _ => "a typed array",
    };
  }
  if is(sys::napi_is_date) {
    return "a Date";
  }
  if is(sys::napi_is_arraybuffer) {
    return "an ArrayBuffer";
  }
  if is(sys::napi_is_dataview) {
    return "a DataView";
  }
  if is(sys::napi_is_promise) {
    return "a Promise";
  }
  if is(sys::napi_is_error) {
    return "an Error";
  }
  // Map, Set, RegExp, boxed primitives... by their tag, from Object.prototype.toString.
  let (mut to_string, mut tag) = (null_mut(), null_mut());
  let tagged = ok(sys::napi_get_named_property(env, host, c"toString".as_ptr(), &mut to_string))
    && type_of(env, to_string) == sys::ValueType::napi_function
    && ok(sys::napi_call_function(env, raw, to_string, 0, null_mut(), &mut tag))
    && type_of(env, tag) == sys::ValueType::napi_string;
  if !tagged {
    clear_exception(env);
    return "a class instance";
  }
  match read_string(env, tag).as_str() {
    "[object Map]" => "a Map",
    "[object Set]" => "a Set",
    "[object WeakMap]" => "a WeakMap",
    "[object WeakSet]" => "a WeakSet",
    "[object WeakRef]" => "a WeakRef",
    "[object RegExp]" => "a RegExp",
    "[object Number]" => "a Number object",
    "[object String]" => "a String object",
    "[object Boolean]" => "a Boolean object",
    "[object Symbol]" => "a Symbol object",
    "[object BigInt]" => "a BigInt object",
    "[object SharedArrayBuffer]" => "a SharedArrayBuffer",
    "[object Generator]" | "[object AsyncGenerator]" => "a generator",
    _ => "a class instance",
  }
}
