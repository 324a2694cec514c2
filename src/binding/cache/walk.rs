//! The native hash walk of an argument list (measured against the JS
//! canonical string in bench/cache.js) and small raw Node-API helpers.
//! Canonical like the JS key: object key order ignored, -0 equals 0, NaN
//! equals NaN, a property holding `undefined` equals an absent one. Values the
//! walk cannot key (typed arrays, functions, symbols, bigints, depth > 64)
//! give `None`: the call is not cached.
use napi::sys;
use napi::sys::{KeyCollectionMode, KeyConversion, KeyFilter, Status, ValueType};
use std::hash::{DefaultHasher, Hasher};
use std::ptr::null_mut;

const MAX_DEPTH: u32 = 64;

struct Digest(DefaultHasher, DefaultHasher);

impl Digest {
  fn new() -> Self {
    let mut second = DefaultHasher::new();
    second.write_u64(0x9e37_79b9_7f4a_7c15);
    Self(DefaultHasher::new(), second)
  }
  fn byte(&mut self, b: u8) {
    self.0.write_u8(b);
    self.1.write_u8(b);
  }
  fn u64(&mut self, v: u64) {
    self.0.write_u64(v);
    self.1.write_u64(v);
  }
  fn units(&mut self, s: &[u16]) {
    self.u64(s.len() as u64);
    for &u in s {
      self.0.write_u16(u);
      self.1.write_u16(u);
    }
  }
  fn finish(&self) -> u128 {
    ((self.0.finish() as u128) << 64) | self.1.finish() as u128
  }
}

/// # Safety
/// `env` is the current callback's env and `value` a live value in it.
unsafe fn utf16(env: sys::napi_env, value: sys::napi_value) -> Option<Vec<u16>> {
  let mut len = 0usize;
  if sys::napi_get_value_string_utf16(env, value, null_mut(), 0, &mut len) != Status::napi_ok {
    return None;
  }
  let mut buf = vec![0u16; len + 1];
  sys::napi_get_value_string_utf16(env, value, buf.as_mut_ptr(), len + 1, &mut len);
  buf.truncate(len);
  Some(buf)
}

/// # Safety
/// As `utf16`.
unsafe fn walk(env: sys::napi_env, value: sys::napi_value, d: &mut Digest, depth: u32) -> Option<()> {
  let mut kind = 0;
  sys::napi_typeof(env, value, &mut kind);
  match kind {
    ValueType::napi_undefined => d.byte(0),
    ValueType::napi_null => d.byte(1),
    ValueType::napi_boolean => {
      let mut b = false;
      sys::napi_get_value_bool(env, value, &mut b);
      d.byte(if b { 3 } else { 2 });
    }
    ValueType::napi_number => {
      let mut n = 0f64;
      sys::napi_get_value_double(env, value, &mut n);
      d.byte(4);
      d.u64(if n == 0.0 {
        0
      } else if n.is_nan() {
        f64::NAN.to_bits()
      } else {
        n.to_bits()
      });
    }
    ValueType::napi_string => {
      d.byte(5);
      d.units(&utf16(env, value)?);
    }
    ValueType::napi_object if depth < MAX_DEPTH => {
      let mut flag = false;
      sys::napi_is_array(env, value, &mut flag);
      if flag {
        let mut len = 0u32;
        sys::napi_get_array_length(env, value, &mut len);
        d.byte(6);
        d.u64(len as u64);
        for i in 0..len {
          let mut item = null_mut();
          sys::napi_get_element(env, value, i, &mut item);
          walk(env, item, d, depth + 1)?;
        }
        return Some(());
      }
      sys::napi_is_date(env, value, &mut flag);
      if flag {
        let mut t = 0f64;
        sys::napi_get_date_value(env, value, &mut t);
        d.byte(7);
        d.u64(t.to_bits());
        return Some(());
      }
      sys::napi_is_typedarray(env, value, &mut flag);
      let mut buffer = false;
      sys::napi_is_arraybuffer(env, value, &mut buffer);
      if flag || buffer {
        return None;
      }
      let mut names = null_mut();
      let filter = KeyFilter::enumerable | KeyFilter::skip_symbols;
      let status = sys::napi_get_all_property_names(
        env,
        value,
        KeyCollectionMode::own_only,
        filter,
        KeyConversion::numbers_to_strings,
        &mut names,
      );
      if status != Status::napi_ok {
        return None;
      }
      let mut len = 0u32;
      sys::napi_get_array_length(env, names, &mut len);
      let mut keys = Vec::with_capacity(len as usize);
      for i in 0..len {
        let mut name = null_mut();
        sys::napi_get_element(env, names, i, &mut name);
        keys.push((utf16(env, name)?, name));
      }
      keys.sort_unstable_by(|a, b| a.0.cmp(&b.0));
      d.byte(8);
      for (key, name) in keys {
        let mut item = null_mut();
        if sys::napi_get_property(env, value, name, &mut item) != Status::napi_ok {
          return None;
        }
        let mut item_kind = 0;
        sys::napi_typeof(env, item, &mut item_kind);
        if item_kind == ValueType::napi_undefined {
          continue;
        }
        d.units(&key);
        walk(env, item, d, depth + 1)?;
      }
      d.byte(9);
    }
    _ => return None,
  }
  Some(())
}

/// The canonical 128-bit hash of `value`, or `None` when it has no canonical key
/// (or a getter threw: the pending exception is cleared, the call is then not cached).
///
/// # Safety
/// `env` is the current callback's env, on its JS thread; `value` a live value in it.
pub(super) unsafe fn digest(env: sys::napi_env, value: sys::napi_value) -> Option<u128> {
  let mut d = Digest::new();
  let out = walk(env, value, &mut d, 0).map(|_| d.finish());
  let mut pending = false;
  sys::napi_is_exception_pending(env, &mut pending);
  if pending {
    let mut ignored = null_mut();
    sys::napi_get_and_clear_last_exception(env, &mut ignored);
    return None;
  }
  out
}

/// # Safety
/// `env` is the current callback's env.
pub(super) unsafe fn number(env: sys::napi_env, n: f64) -> sys::napi_value {
  let mut out = null_mut();
  sys::napi_create_double(env, n, &mut out);
  out
}

/// # Safety
/// `env` is the current callback's env; `f` a valid napi callback.
pub(super) unsafe fn function<'a>(
  env: sys::napi_env,
  name: &std::ffi::CStr,
  f: unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value,
) -> napi::Result<napi::bindgen_prelude::Unknown<'a>> {
  let mut out = null_mut();
  let len = name.to_bytes().len() as isize;
  if sys::napi_create_function(env, name.as_ptr(), len, Some(f), null_mut(), &mut out) != Status::napi_ok {
    return Err(napi::Error::new(napi::Status::GenericFailure, "ipcflow: could not create a function"));
  }
  Ok(napi::bindgen_prelude::Unknown::from_raw_unchecked(env, out))
}
