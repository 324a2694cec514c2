//! `JsVal`: the core's `Instance` over a live JS value, read with raw Node-API calls.
use super::prototype::{describe_object, is_object_prototype};
use super::realm::Realm;
use super::{
  clear_exception, describe_exception, js_string, ok, read_string, read_string_into, same, take_fault, type_of,
};
use crate::validate::{Fault, Instance, Key, Kind};
use napi::sys;
use std::ptr::null_mut;

/// A value of the realm's call. Every method below relies on that: the realm
/// exists only during a live call, so `raw` is a valid handle of `realm.env`.
#[derive(Clone, Copy)]
pub(crate) struct JsVal<'r> {
  realm: &'r Realm<'r>,
  raw: sys::napi_value,
  kind: Kind,
  num: f64,
  /// For `Kind::Thrown`: the exception, already cleared.
  thrown: sys::napi_value,
}

impl<'r> JsVal<'r> {
  /// # Safety
  /// `raw` is a value of the realm's live call.
  pub(crate) unsafe fn new(realm: &'r Realm<'r>, raw: sys::napi_value) -> JsVal<'r> {
    use sys::ValueType as T;
    let env = realm.env;
    let mut num = 0.0;
    let mut thrown = null_mut();
    // SAFETY: the caller's contract; out-pointers are live locals.
    let kind = unsafe {
      match type_of(env, raw) {
        T::napi_null => Kind::Null,
        T::napi_boolean => Kind::Bool,
        T::napi_string => Kind::String,
        T::napi_number => {
          sys::napi_get_value_double(env, raw, &mut num);
          match num {
            n if n.is_nan() => Kind::Unsupported("NaN"),
            n if n.is_infinite() => Kind::Unsupported("Infinity"),
            _ => Kind::Number,
          }
        }
        T::napi_object => {
          let mut is_array = false;
          sys::napi_is_array(env, raw, &mut is_array);
          if is_array {
            Kind::Array
          } else {
            // Plain means a prototype of null or some realm's Object.prototype: anything else
            // (Map, Date, typed arrays, class instances...) is not what JSON would carry.
            let mut proto = null_mut();
            if !ok(sys::napi_get_prototype(env, raw, &mut proto)) {
              thrown = clear_exception(env);
              Kind::Thrown
            } else if same(env, proto, realm.host())
              || type_of(env, proto) == T::napi_null
              || same(env, proto, realm.foreign.get())
            {
              Kind::Object
            } else if is_object_prototype(env, proto) {
              realm.foreign.set(proto);
              Kind::Object
            } else {
              Kind::Unsupported(describe_object(env, raw, realm.host()))
            }
          }
        }
        T::napi_undefined => Kind::Undefined,
        T::napi_function => Kind::Unsupported("a function"),
        T::napi_symbol => Kind::Unsupported("a symbol"),
        T::napi_bigint => Kind::Unsupported("a BigInt"),
        _ => Kind::Unsupported("an external value"),
      }
    };
    JsVal { realm, raw, kind, num, thrown }
  }

  /// A plain object or an array whose kind the caller already knows (read-ahead), kept without reading it.
  ///
  /// # Safety
  /// As `new`.
  pub(crate) unsafe fn known(realm: &'r Realm<'r>, raw: sys::napi_value, kind: Kind) -> JsVal<'r> {
    debug_assert!(matches!(kind, Kind::Object | Kind::Array));
    JsVal { realm, raw, kind, num: 0.0, thrown: null_mut() }
  }

  /// The value a Node-API read produced (`out`), or the fault it threw.
  fn child(&self, status: sys::napi_status, out: sys::napi_value) -> Result<JsVal<'r>, Fault> {
    // SAFETY: a live call (the realm's); `out` was just produced in it.
    unsafe {
      if ok(status) {
        Ok(JsVal::new(self.realm, out))
      } else {
        Err(take_fault(self.realm.env))
      }
    }
  }

  fn defined(v: JsVal<'r>) -> Option<JsVal<'r>> {
    (v.kind != Kind::Undefined).then_some(v)
  }

  fn env(&self) -> sys::napi_env {
    self.realm.env
  }
}

impl Instance for JsVal<'_> {
  fn kind(&self) -> Kind {
    self.kind
  }
  fn fault(&self) -> Fault {
    // SAFETY: a live call; `thrown` is the exception taken in it (or null).
    unsafe { describe_exception(self.env(), self.thrown) }
  }
  fn number(&self) -> f64 {
    self.num
  }
  fn boolean(&self) -> bool {
    let mut b = false;
    // SAFETY: a live call; `b` is a live out-pointer.
    unsafe { sys::napi_get_value_bool(self.env(), self.raw, &mut b) };
    b
  }
  fn utf16_len(&self) -> usize {
    // With no buffer V8 answers from the string header: O(1), no copy.
    let mut len = 0usize;
    // SAFETY: a live call; a null buffer asks for the length only.
    unsafe { sys::napi_get_value_string_utf16(self.env(), self.raw, null_mut(), 0, &mut len) };
    len
  }
  fn char_len(&self) -> usize {
    let units = self.utf16_len();
    let mut buf = vec![0u16; units + 1];
    let mut written = 0usize;
    // SAFETY: a live call; `buf` holds `units + 1` code units, the size passed.
    unsafe { sys::napi_get_value_string_utf16(self.env(), self.raw, buf.as_mut_ptr(), units + 1, &mut written) };
    char::decode_utf16(buf[..written].iter().copied()).count()
  }
  fn utf8_len(&self) -> usize {
    let mut len = 0usize;
    // SAFETY: a live call; a null buffer asks for the length only.
    unsafe { sys::napi_get_value_string_utf8(self.env(), self.raw, null_mut(), 0, &mut len) };
    len
  }
  fn text(&self) -> String {
    // SAFETY: a live call; only called on strings.
    unsafe { read_string(self.env(), self.raw) }
  }
  fn get(&self, key: &Key) -> Result<Option<Self>, Fault> {
    let env = self.env();
    let mut out = null_mut();
    // SAFETY: a live call; `key.c_name` is NUL-terminated; out-pointers are live locals.
    let status = unsafe {
      if let Some(units) = &key.units {
        // A name with a lone surrogate (or U+FDD0): by its exact JS string, never by `c_name`.
        sys::napi_get_property(env, self.raw, crate::binding::text::js_units(env, units), &mut out)
      } else if key.own_only {
        // Names Object.prototype also has (`__proto__`, `constructor`...) count only as own data.
        let k = js_string(env, &key.name);
        let mut has = false;
        if !ok(sys::napi_has_own_property(env, self.raw, k, &mut has)) {
          return Err(take_fault(env));
        }
        if !has {
          return Ok(None);
        }
        sys::napi_get_property(env, self.raw, k, &mut out)
      } else {
        sys::napi_get_named_property(env, self.raw, key.c_name.as_ptr(), &mut out)
      }
    };
    self.child(status, out).map(JsVal::defined)
  }
  type Keys = (sys::napi_value, u32);
  fn keys(&self) -> Result<Self::Keys, Fault> {
    use sys::{KeyCollectionMode, KeyConversion, KeyFilter};
    let env = self.env();
    let mut names = null_mut();
    let filter = KeyFilter::enumerable | KeyFilter::skip_symbols;
    // SAFETY: a live call; out-pointers are live locals; a throwing `ownKeys` trap is taken as a fault.
    unsafe {
      let status = sys::napi_get_all_property_names(
        env,
        self.raw,
        KeyCollectionMode::own_only,
        filter,
        KeyConversion::numbers_to_strings,
        &mut names,
      );
      if !ok(status) {
        return Err(take_fault(env));
      }
      let mut len = 0u32;
      sys::napi_get_array_length(env, names, &mut len);
      Ok((names, len))
    }
  }
  fn keys_len(keys: &Self::Keys) -> usize {
    keys.1 as usize
  }
  fn entry(&self, keys: &Self::Keys, index: usize, name: &mut String) -> Result<Self, Fault> {
    let env = self.env();
    let (mut key, mut value) = (null_mut(), null_mut());
    // SAFETY: a live call; `keys.0` is the key array `keys` made in it (strings only).
    let status = unsafe {
      sys::napi_get_element(env, keys.0, index as u32, &mut key);
      read_string_into(env, key, name);
      sys::napi_get_property(env, self.raw, key, &mut value)
    };
    self.child(status, value)
  }
  fn array_len(&self) -> usize {
    let mut len = 0u32;
    // SAFETY: a live call; only called on arrays.
    unsafe { sys::napi_get_array_length(self.env(), self.raw, &mut len) };
    len as usize
  }
  fn element(&self, index: usize) -> Result<Self, Fault> {
    let mut out = null_mut();
    // SAFETY: a live call; `out` is a live out-pointer.
    let status = unsafe { sys::napi_get_element(self.env(), self.raw, index as u32, &mut out) };
    self.child(status, out)
  }
  fn same(&self, other: &Self) -> bool {
    // SAFETY: a live call; both are its values.
    unsafe { same(self.env(), self.raw, other.raw) }
  }
  fn members_among<'n>(&self, site: usize, count: usize, name: &dyn Fn(usize) -> &'n str) -> Option<u64> {
    let sites = self.realm.sites?;
    let env = self.env();
    let helper = self.realm.members();
    if helper.is_null() {
      return None;
    }
    // SAFETY: a live call; the sites belong to the validator made in this env;
    // `argv` holds the 2 values passed; a throw is cleared before returning.
    unsafe {
      let names = sites.names(env, site, count, name);
      let mut recv = null_mut();
      sys::napi_get_undefined(env, &mut recv);
      let argv = [self.raw, names];
      let mut out = null_mut();
      if !ok(sys::napi_call_function(env, recv, helper, 2, argv.as_ptr(), &mut out)) {
        // A Proxy trap threw: the usual walk reads the keys again and reports it.
        clear_exception(env);
        return None;
      }
      let mut mask = -1.0;
      sys::napi_get_value_double(env, out, &mut mask);
      (mask >= 0.0).then_some(mask as u64)
    }
  }
}
