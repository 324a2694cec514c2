//! Live JS values read in place with raw Node-API: the one module of the
//! binding that calls `napi::sys` for validation (the two raw per-call
//! functions of `fastCalls()` stay beside their classes, in ratelimit.rs and
//! histogram.rs). `JsVal` implements the core's
//! `Instance` (kinds, members, strings, identity) so the plan reads only what a
//! schema asks for and nothing is converted; `Realm` knows which prototypes count
//! as plain objects across realms (`vm` contexts, jest sandboxes); `prototype`
//! names the objects that are not; `fast_validate` is `validate` as a raw
//! function (no napi-rs class-method wrapper, ~200 ns less per call).
//!
//! Every function here runs during a call from JS, on that env's thread, with
//! values from that call's handle scope: that is the contract the `// SAFETY:`
//! comments refer to as "a live call".
#![deny(unsafe_op_in_unsafe_fn)]
mod fast_validate;
mod prototype;
mod read_ahead;
mod realm;
mod value;

pub(super) use fast_validate::attach_fast_validate;
use fast_validate::Fast;
pub(super) use realm::Realm;
pub(super) use value::JsVal;

use crate::validate::Fault;
use napi::sys;
use std::ptr::null_mut;

fn ok(status: sys::napi_status) -> bool {
  status == sys::Status::napi_ok
}

/// Takes the pending exception, if any (null when none).
///
/// # Safety
/// A live call on `env`.
unsafe fn clear_exception(env: sys::napi_env) -> sys::napi_value {
  let mut exc = null_mut();
  // SAFETY: the caller's contract; `exc` is a live out-pointer.
  unsafe { sys::napi_get_and_clear_last_exception(env, &mut exc) };
  exc
}

/// Clears the pending exception (a getter or Proxy trap threw) and keeps its message.
///
/// # Safety
/// A live call on `env`.
unsafe fn take_fault(env: sys::napi_env) -> Fault {
  let mut pending = false;
  // SAFETY: the caller's contract; `pending` is a live out-pointer.
  unsafe { sys::napi_is_exception_pending(env, &mut pending) };
  if !pending {
    return Fault::new("the value could not be read");
  }
  // SAFETY: the caller's contract.
  unsafe { describe_exception(env, clear_exception(env)) }
}

/// The fault for a thrown value: a string, or an object's string `message`.
///
/// # Safety
/// A live call on `env`; `exc` is a value of it (or null).
unsafe fn describe_exception(env: sys::napi_env, exc: sys::napi_value) -> Fault {
  let mut text = None;
  // SAFETY: the caller's contract; reading `message` may run a getter, whose throw is cleared.
  unsafe {
    let t = type_of(env, exc);
    if t == sys::ValueType::napi_string {
      text = Some(read_string(env, exc));
    } else if t == sys::ValueType::napi_object {
      let mut msg = null_mut();
      if ok(sys::napi_get_named_property(env, exc, c"message".as_ptr(), &mut msg)) {
        if type_of(env, msg) == sys::ValueType::napi_string {
          text = Some(read_string(env, msg));
        }
      } else {
        clear_exception(env);
      }
    }
  }
  Fault::thrown(text)
}

/// A JS string as native text (src/text.rs): lone surrogates kept.
///
/// # Safety
/// A live call on `env`; `v` is a string of it.
unsafe fn read_string(env: sys::napi_env, v: sys::napi_value) -> String {
  let mut out = String::new();
  // SAFETY: the caller's contract.
  unsafe { read_string_into(env, v, &mut out) };
  out
}

/// `read_string` into `out`, reusing its buffer: one call for short strings.
///
/// # Safety
/// A live call on `env`; `v` is a string of it.
unsafe fn read_string_into(env: sys::napi_env, v: sys::napi_value, out: &mut String) {
  // SAFETY: the caller's contract.
  unsafe { crate::binding::text::read_into(env, v, out) };
}

/// # Safety
/// A live call on `env`; `v` is a value of it.
unsafe fn type_of(env: sys::napi_env, v: sys::napi_value) -> i32 {
  let mut t = 0;
  // SAFETY: the caller's contract; `t` is a live out-pointer.
  unsafe { sys::napi_typeof(env, v, &mut t) };
  t
}

/// `a === b`; false when either is null.
///
/// # Safety
/// A live call on `env`; both are values of it (or null).
unsafe fn same(env: sys::napi_env, a: sys::napi_value, b: sys::napi_value) -> bool {
  let mut eq = false;
  // SAFETY: the caller's contract, and neither is null when called.
  !a.is_null() && !b.is_null() && ok(unsafe { sys::napi_strict_equals(env, a, b, &mut eq) }) && eq
}

/// The JS string of native text `s` (an escaped one back to its lone surrogates).
///
/// # Safety
/// A live call on `env`.
unsafe fn js_string(env: sys::napi_env, s: &str) -> sys::napi_value {
  // SAFETY: the caller's contract.
  unsafe { crate::binding::text::js_text(env, s) }
}
