//! What counts as a plain object, and finding the tag of the objects that do not.
use super::{clear_exception, ok, read_string, same, type_of};
use crate::validate::object_name;
use napi::sys;
use std::ptr::null_mut;

/// Whether `proto` is some realm's `Object.prototype`: its own prototype is null, and its
/// `constructor` is a function whose `prototype` is `proto` and whose prototype's prototype
/// (Function.prototype's) is `proto` again. Any exception means no.
///
/// # Safety
/// A live call on `env`; `proto` is an object of it.
pub(super) unsafe fn is_object_prototype(env: sys::napi_env, proto: sys::napi_value) -> bool {
  // SAFETY: the caller's contract; out-pointers are live locals; a getter that
  // throws fails the step and its exception is cleared below.
  let check = || unsafe {
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
    // SAFETY: the caller's contract.
    unsafe { clear_exception(env) };
    false
  })
}

/// Names a non-plain object for the message (only on the refusing path).
/// Node-API's own checks come first (a `Symbol.toStringTag` cannot fake them),
/// then the `Object.prototype.toString` tag.
///
/// # Safety
/// A live call on `env`; `raw` is an object of it, `host` its realm's `Object.prototype`.
pub(super) unsafe fn describe_object(env: sys::napi_env, raw: sys::napi_value, host: sys::napi_value) -> &'static str {
  let is = |f: unsafe extern "C" fn(sys::napi_env, sys::napi_value, *mut bool) -> sys::napi_status| {
    let mut b = false;
    // SAFETY: the caller's contract; `b` is a live out-pointer.
    ok(unsafe { f(env, raw, &mut b) }) && b
  };
  let known = [
    (sys::napi_is_date as unsafe extern "C" fn(_, _, _) -> _, "[object Date]"),
    (sys::napi_is_arraybuffer, "[object ArrayBuffer]"),
    (sys::napi_is_dataview, "[object DataView]"),
    (sys::napi_is_promise, "[object Promise]"),
    (sys::napi_is_error, "[object Error]"),
  ];
  if let Some((_, tag)) = known.iter().find(|(check, _)| is(*check)) {
    return object_name(tag);
  }
  // Map, Set, RegExp, typed arrays, boxed primitives... by their tag, from Object.prototype.toString.
  let (mut to_string, mut tag) = (null_mut(), null_mut());
  // SAFETY: the caller's contract; out-pointers are live locals; a throwing
  // `toString` (or tag getter) is cleared below.
  unsafe {
    let tagged = ok(sys::napi_get_named_property(env, host, c"toString".as_ptr(), &mut to_string))
      && type_of(env, to_string) == sys::ValueType::napi_function
      && ok(sys::napi_call_function(env, raw, to_string, 0, null_mut(), &mut tag))
      && type_of(env, tag) == sys::ValueType::napi_string;
    if !tagged {
      clear_exception(env);
      return object_name("");
    }
    object_name(&read_string(env, tag))
  }
}
