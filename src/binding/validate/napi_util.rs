//! Small wrappers over raw Node-API calls: status, exceptions, strings, identity.
use crate::validate::Fault;
use napi::sys;
use std::ptr::null_mut;

pub(super) fn ok(status: sys::napi_status) -> bool {
  status == sys::Status::napi_ok
}

pub(super) unsafe fn clear_exception(env: sys::napi_env) -> sys::napi_value {
  let mut exc = null_mut();
  sys::napi_get_and_clear_last_exception(env, &mut exc);
  exc
}

/// Clears the pending exception (a getter or Proxy trap threw) and keeps its message.
pub(super) unsafe fn take_fault(env: sys::napi_env) -> Fault {
  let mut pending = false;
  sys::napi_is_exception_pending(env, &mut pending);
  if !pending {
    return Fault::new("the value could not be read");
  }
  describe_exception(env, clear_exception(env))
}

pub(super) unsafe fn describe_exception(env: sys::napi_env, exc: sys::napi_value) -> Fault {
  let mut text = None;
  let mut t = 0;
  sys::napi_typeof(env, exc, &mut t);
  if t == sys::ValueType::napi_string {
    text = Some(read_string(env, exc));
  } else if t == sys::ValueType::napi_object {
    let mut msg = null_mut();
    if ok(sys::napi_get_named_property(env, exc, c"message".as_ptr(), &mut msg)) {
      sys::napi_typeof(env, msg, &mut t);
      if t == sys::ValueType::napi_string {
        text = Some(read_string(env, msg));
      }
    } else {
      clear_exception(env);
    }
  }
  let mut text = text.unwrap_or_else(|| "a non-Error value".into());
  if text.len() > 200 {
    let cut = (0..=200).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    text.truncate(cut);
  }
  Fault::new(format!("reading this value threw: {text}"))
}

pub(super) unsafe fn read_string(env: sys::napi_env, v: sys::napi_value) -> String {
  let mut out = String::new();
  read_string_into(env, v, &mut out);
  out
}

/// Reads a JS string into `out`, reusing its buffer: one call for short strings.
pub(super) unsafe fn read_string_into(env: sys::napi_env, v: sys::napi_value, out: &mut String) {
  let mut bytes = std::mem::take(out).into_bytes();
  bytes.clear();
  if bytes.capacity() < 64 {
    bytes.reserve(64);
  }
  let mut written = 0usize;
  sys::napi_get_value_string_utf8(env, v, bytes.as_mut_ptr().cast(), bytes.capacity(), &mut written);
  // A truncated write stops short of a whole character: up to 3 bytes plus the NUL unused.
  if written + 4 >= bytes.capacity() {
    let mut len = 0usize;
    sys::napi_get_value_string_utf8(env, v, null_mut(), 0, &mut len);
    if len > written {
      bytes.reserve(len + 1);
      sys::napi_get_value_string_utf8(env, v, bytes.as_mut_ptr().cast(), len + 1, &mut written);
    }
  }
  bytes.set_len(written);
  *out = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
}

pub(super) unsafe fn type_of(env: sys::napi_env, v: sys::napi_value) -> i32 {
  let mut t = 0;
  sys::napi_typeof(env, v, &mut t);
  t
}

pub(super) unsafe fn same(env: sys::napi_env, a: sys::napi_value, b: sys::napi_value) -> bool {
  let mut eq = false;
  !a.is_null() && !b.is_null() && ok(sys::napi_strict_equals(env, a, b, &mut eq)) && eq
}

pub(super) unsafe fn js_string(env: sys::napi_env, s: &str) -> sys::napi_value {
  let mut v = null_mut();
  sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut v);
  v
}
