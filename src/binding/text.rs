//! JS strings into and out of the binding as native text (src/text.rs): read
//! exactly, lone surrogates kept, and written back exactly. napi-rs's `String`
//! is Node-API's UTF-8, which turns every lone surrogate into U+FFFD; use
//! `JsText` (or these readers) wherever a string's identity matters.
//!
//! The common path is that same UTF-8 read: only when its bytes hold U+FFFD or
//! U+FDD0 (`text::may_differ`, one memchr for an `EF` byte) is the string read
//! again as UTF-16 and escaped.
use crate::text;
use napi::bindgen_prelude::*;
use napi::sys;
use std::ptr::null_mut;

fn ok(status: sys::napi_status) -> bool {
  status == sys::Status::napi_ok
}

/// The UTF-16 units of a JS string.
///
/// # Safety
/// A live call on `env`; `v` is a string of it.
unsafe fn read_units(env: sys::napi_env, v: sys::napi_value) -> Vec<u16> {
  let mut len = 0usize;
  // SAFETY: the caller's contract; a null buffer asks for the length only (O(1) in V8).
  unsafe { sys::napi_get_value_string_utf16(env, v, null_mut(), 0, &mut len) };
  let mut units = vec![0u16; len + 1];
  // SAFETY: `units` holds `len + 1` units, the size passed; Node-API reports what it wrote.
  unsafe { sys::napi_get_value_string_utf16(env, v, units.as_mut_ptr(), len + 1, &mut len) };
  units.truncate(len);
  units
}

/// Reads the JS string `v` into `out` as native text, reusing its buffer; false
/// (and `out` empty) when `v` is not a string.
///
/// # Safety
/// A live call on `env`; `v` is a value of it.
pub(crate) unsafe fn read_into(env: sys::napi_env, v: sys::napi_value, out: &mut String) -> bool {
  let mut bytes = std::mem::take(out).into_bytes();
  bytes.clear();
  if bytes.capacity() < 64 {
    bytes.reserve(64);
  }
  let mut written = 0usize;
  // SAFETY: the caller's contract; Node-API writes at most `capacity` bytes (NUL
  // included) into the buffer and reports `written` (<= capacity - 1), so
  // `set_len(written)` covers initialised bytes only.
  unsafe {
    if !ok(sys::napi_get_value_string_utf8(env, v, bytes.as_mut_ptr().cast(), bytes.capacity(), &mut written)) {
      *out = String::from_utf8(bytes).unwrap_or_default();
      return false;
    }
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
  }
  let slow = text::may_differ(&bytes);
  *out = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
  if slow {
    out.clear();
    // SAFETY: the caller's contract; `v` is a string (the UTF-8 read succeeded).
    text::push_units(out, &unsafe { read_units(env, v) });
  }
  true
}

/// Runs `f` on the JS string `v` as native text, from a stack buffer for strings
/// up to ~250 UTF-8 bytes (hot lookups: cache keys, rate-limit keys). None when
/// `v` is not a string.
///
/// # Safety
/// A live call on `env`; `v` is a value of it.
pub(crate) unsafe fn with_text<R>(env: sys::napi_env, v: sys::napi_value, f: impl FnOnce(&str) -> R) -> Option<R> {
  let mut stack = [0u8; 256];
  let mut len = 0usize;
  // SAFETY: the caller's contract; Node-API writes at most `stack.len()` bytes, NUL included.
  if !ok(unsafe { sys::napi_get_value_string_utf8(env, v, stack.as_mut_ptr().cast(), stack.len(), &mut len) }) {
    return None;
  }
  // napi never splits a character, so a string within 4 bytes of the end may have been cut.
  if len + 4 < stack.len() && !text::may_differ(&stack[..len]) {
    if let Ok(s) = std::str::from_utf8(&stack[..len]) {
      return Some(f(s));
    }
  }
  let mut owned = String::new();
  // SAFETY: the caller's contract.
  unsafe { read_into(env, v, &mut owned) };
  Some(f(&owned))
}

/// The JS string native text `s` stands for.
///
/// # Safety
/// A live call on `env`.
pub(crate) unsafe fn js_text(env: sys::napi_env, s: &str) -> sys::napi_value {
  if text::is_escaped(s) {
    // SAFETY: the caller's contract.
    return unsafe { js_units(env, &text::to_units(s)) };
  }
  let mut v = null_mut();
  // SAFETY: the caller's contract; `s` is valid UTF-8 of the given length.
  unsafe { sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut v) };
  v
}

/// The JS string of UTF-16 `units`.
///
/// # Safety
/// A live call on `env`.
pub(crate) unsafe fn js_units(env: sys::napi_env, units: &[u16]) -> sys::napi_value {
  let mut v = null_mut();
  // SAFETY: the caller's contract; `units` is valid for its length.
  unsafe { sys::napi_create_string_utf16(env, units.as_ptr(), units.len() as isize, &mut v) };
  v
}

/// A string argument or field read and written as native text, where napi-rs's
/// `String` would be lossy. In signatures, give its TS type (`string`) by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct JsText(pub String);

impl TypeName for JsText {
  fn type_name() -> &'static str {
    "String"
  }

  fn value_type() -> ValueType {
    ValueType::String
  }
}

impl ValidateNapiValue for JsText {}

impl FromNapiValue for JsText {
  unsafe fn from_napi_value(env: sys::napi_env, v: sys::napi_value) -> Result<Self> {
    let mut out = String::new();
    // SAFETY: napi-rs calls this during a live call on `env`, with `v` one of its values.
    if unsafe { read_into(env, v, &mut out) } {
      Ok(JsText(out))
    } else {
      Err(Error::new(Status::StringExpected, "expected a string"))
    }
  }
}

impl ToNapiValue for JsText {
  unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
    // SAFETY: napi-rs calls this during a live call on `env`.
    Ok(unsafe { js_text(env, &val.0) })
  }
}

impl From<String> for JsText {
  fn from(s: String) -> Self {
    JsText(s)
  }
}

/// A `Record<string, string>` argument as native text: its own enumerable
/// string keys and their values, in order. napi-rs's `HashMap<String, String>`
/// reads both lossily.
#[derive(Debug, Clone, Default)]
pub struct JsTextRecord(pub Vec<(String, String)>);

impl TypeName for JsTextRecord {
  fn type_name() -> &'static str {
    "Record<string, string>"
  }

  fn value_type() -> ValueType {
    ValueType::Object
  }
}

impl ValidateNapiValue for JsTextRecord {}

impl FromNapiValue for JsTextRecord {
  unsafe fn from_napi_value(env: sys::napi_env, v: sys::napi_value) -> Result<Self> {
    use sys::{KeyCollectionMode, KeyConversion, KeyFilter};
    let failed = || Error::new(Status::ObjectExpected, "expected an object of strings");
    let mut names = null_mut();
    let mut len = 0u32;
    // SAFETY: napi-rs calls this during a live call on `env`, with `v` one of its
    // values; out-pointers are live locals; a throwing trap fails the read.
    unsafe {
      let filter = KeyFilter::enumerable | KeyFilter::skip_symbols;
      let status = sys::napi_get_all_property_names(
        env,
        v,
        KeyCollectionMode::own_only,
        filter,
        KeyConversion::numbers_to_strings,
        &mut names,
      );
      if !ok(status) || !ok(sys::napi_get_array_length(env, names, &mut len)) {
        return Err(failed());
      }
    }
    let mut out = Vec::with_capacity(len as usize);
    for i in 0..len {
      let (mut key, mut value) = (null_mut(), null_mut());
      let (mut k, mut text) = (String::new(), String::new());
      // SAFETY: as above; `names` is the key array just read (strings only).
      let read = unsafe {
        ok(sys::napi_get_element(env, names, i, &mut key))
          && read_into(env, key, &mut k)
          && ok(sys::napi_get_property(env, v, key, &mut value))
          && read_into(env, value, &mut text)
      };
      if !read {
        return Err(failed());
      }
      out.push((k, text));
    }
    Ok(JsTextRecord(out))
  }
}
