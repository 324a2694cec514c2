//! JSON Schema validation of live JS values: `JsVal` implements the core's
//! `Instance` with raw Node-API calls, so the plan reads only what the schema
//! asks for and nothing is converted. `validate` is also attached to each
//! validator as a raw function: it skips napi-rs's class-method wrapper (~200 ns).
use crate::validate::{self, Fault, Instance, Issue, Key, Kind, Limits, Validator};
use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::ptr::null_mut;
use std::sync::Arc;

/// Past this, native recursion could exhaust the stack before V8 notices.
const HARD_MAX_DEPTH: f64 = 1000.0;

/// What one call knows: the addon's own `Object.prototype` (fetched lazily from a
/// per-env cache), one foreign `Object.prototype` already verified in this call
/// (objects from a `vm` context, a jest sandbox), and the validator's JS name lists.
pub(crate) struct Realm<'s> {
  env: sys::napi_env,
  host: Cell<sys::napi_value>,
  foreign: Cell<sys::napi_value>,
  members: Cell<sys::napi_value>,
  sites: Option<&'s Sites>,
}

impl<'s> Realm<'s> {
  pub(crate) fn new(env: sys::napi_env) -> Realm<'s> {
    Realm { env, host: Cell::new(null_mut()), foreign: Cell::new(null_mut()), members: Cell::new(null_mut()), sites: None }
  }

  fn with_sites(env: sys::napi_env, sites: &'s Sites) -> Realm<'s> {
    Realm { sites: Some(sites), ..Realm::new(env) }
  }

  unsafe fn host(&self) -> sys::napi_value {
    if self.host.get().is_null() {
      self.host.set(env_value(self.env, Slot::ObjectPrototype));
    }
    self.host.get()
  }

  unsafe fn members(&self) -> sys::napi_value {
    if self.members.get().is_null() {
      self.members.set(env_value(self.env, Slot::Members));
    }
    self.members.get()
  }
}

/// Per validator (raw `validate` only): for each object keyword, a JS array of its property names.
pub(crate) struct Sites {
  names: RefCell<Vec<sys::napi_ref>>,
}

impl Sites {
  unsafe fn names<'n>(&self, env: sys::napi_env, site: usize, count: usize, name: &dyn Fn(usize) -> &'n str) -> sys::napi_value {
    let mut refs = self.names.borrow_mut();
    if refs.len() <= site {
      refs.resize(site + 1, null_mut());
    }
    let mut array = null_mut();
    if !refs[site].is_null() {
      sys::napi_get_reference_value(env, refs[site], &mut array);
      return array;
    }
    sys::napi_create_array_with_length(env, count, &mut array);
    for i in 0..count {
      sys::napi_set_element(env, array, i as u32, js_string(env, name(i)));
    }
    sys::napi_create_reference(env, array, 1, &mut refs[site]);
    array
  }

  unsafe fn release(&self, env: sys::napi_env) {
    for r in self.names.borrow_mut().drain(..) {
      if !r.is_null() {
        sys::napi_delete_reference(env, r);
      }
    }
  }
}

#[derive(Clone, Copy)]
enum Slot {
  ObjectPrototype,
  Members,
}

/// The own enumerable keys of `o` as indices into `names` (plus one, 4 bits each,
/// first key lowest), or -1 when one is not in `names` or there are more than 13.
/// `Object.keys` is captured when the env first uses it, and nothing else global
/// is called, so later reassignments by user code do not matter.
const MEMBERS_JS: &str = "(function (keys) {\n  return function members(o, names) {\n    var k = keys(o), n = names.length, code = 0\n    if (k.length > 13) return -1\n    for (var i = 0, scale = 1; i < k.length; i++, scale *= 16) {\n      var key = k[i], j = 0\n      while (j < n && names[j] !== key) j++\n      if (j === n) return -1\n      code += (j + 1) * scale\n    }\n    return code\n  }\n})(Object.keys)";

thread_local! {
  /// Per env on this thread: references to its `Object.prototype` and the members helper.
  static ENV_VALUES: RefCell<Vec<(usize, [usize; 2])>> = const { RefCell::new(Vec::new()) };
}

unsafe extern "C" fn forget_env(arg: *mut c_void) {
  let env = arg as sys::napi_env;
  let _ = ENV_VALUES.try_with(|list| {
    list.borrow_mut().retain(|&(e, refs)| {
      if e == env as usize {
        for r in refs.into_iter().filter(|&r| r != 0) {
          sys::napi_delete_reference(env, r as sys::napi_ref);
        }
      }
      e != env as usize
    })
  });
}

/// A per-env value, made once and kept in a reference until the env is torn down.
/// `Object.prototype` is read from a fresh `{}` (not from `globalThis.Object`, which
/// user code can replace). Null when it could not be made.
unsafe fn env_value(env: sys::napi_env, slot: Slot) -> sys::napi_value {
  let mut value = null_mut();
  let index = slot as usize;
  let known = ENV_VALUES.try_with(|list| list.borrow().iter().find(|e| e.0 == env as usize).map(|e| e.1)).ok().flatten();
  if let Some(refs) = known {
    if refs[index] != 0 {
      sys::napi_get_reference_value(env, refs[index] as sys::napi_ref, &mut value);
      return value;
    }
  }
  match slot {
    Slot::ObjectPrototype => {
      let mut object = null_mut();
      sys::napi_create_object(env, &mut object);
      sys::napi_get_prototype(env, object, &mut value);
    }
    Slot::Members => {
      if !ok(sys::napi_run_script(env, js_string(env, MEMBERS_JS), &mut value)) {
        clear_exception(env);
        return null_mut();
      }
    }
  }
  let mut r = null_mut();
  if ok(sys::napi_create_reference(env, value, 1, &mut r)) {
    let _ = ENV_VALUES.try_with(|list| {
      let mut list = list.borrow_mut();
      match list.iter_mut().find(|e| e.0 == env as usize) {
        Some(e) => e.1[index] = r as usize,
        None => {
          let mut refs = [0; 2];
          refs[index] = r as usize;
          list.push((env as usize, refs));
          sys::napi_add_env_cleanup_hook(env, Some(forget_env), env.cast());
        }
      }
    });
  }
  value
}

#[derive(Clone, Copy)]
pub(crate) struct JsVal<'r> {
  realm: &'r Realm<'r>,
  raw: sys::napi_value,
  kind: Kind,
  num: f64,
  /// For `Kind::Thrown`: the exception, already cleared.
  thrown: sys::napi_value,
}

fn ok(status: sys::napi_status) -> bool {
  status == sys::Status::napi_ok
}

unsafe fn clear_exception(env: sys::napi_env) -> sys::napi_value {
  let mut exc = null_mut();
  sys::napi_get_and_clear_last_exception(env, &mut exc);
  exc
}

/// Clears the pending exception (a getter or Proxy trap threw) and keeps its message.
unsafe fn take_fault(env: sys::napi_env) -> Fault {
  let mut pending = false;
  sys::napi_is_exception_pending(env, &mut pending);
  if !pending {
    return Fault::new("the value could not be read");
  }
  describe_exception(env, clear_exception(env))
}

unsafe fn describe_exception(env: sys::napi_env, exc: sys::napi_value) -> Fault {
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

unsafe fn read_string(env: sys::napi_env, v: sys::napi_value) -> String {
  let mut out = String::new();
  read_string_into(env, v, &mut out);
  out
}

/// Reads a JS string into `out`, reusing its buffer: one call for short strings.
unsafe fn read_string_into(env: sys::napi_env, v: sys::napi_value, out: &mut String) {
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

unsafe fn type_of(env: sys::napi_env, v: sys::napi_value) -> i32 {
  let mut t = 0;
  sys::napi_typeof(env, v, &mut t);
  t
}

unsafe fn same(env: sys::napi_env, a: sys::napi_value, b: sys::napi_value) -> bool {
  let mut eq = false;
  !a.is_null() && !b.is_null() && ok(sys::napi_strict_equals(env, a, b, &mut eq)) && eq
}

/// Whether `proto` is some realm's `Object.prototype`: its own prototype is null, and its
/// `constructor` is a function whose `prototype` is `proto` and whose prototype's prototype
/// (Function.prototype's) is `proto` again. Any exception means no.
unsafe fn is_object_prototype(env: sys::napi_env, proto: sys::napi_value) -> bool {
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
unsafe fn describe_object(env: sys::napi_env, raw: sys::napi_value, host: sys::napi_value) -> &'static str {
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

impl<'r> JsVal<'r> {
  pub(crate) unsafe fn new(realm: &'r Realm<'r>, raw: sys::napi_value) -> JsVal<'r> {
    use sys::ValueType as T;
    let env = realm.env;
    let mut num = 0.0;
    let mut thrown = null_mut();
    let kind = match type_of(env, raw) {
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
          } else if same(env, proto, realm.host()) || type_of(env, proto) == T::napi_null || same(env, proto, realm.foreign.get()) {
            Kind::Object
          } else if is_object_prototype(env, proto) {
            realm.foreign.set(proto);
            Kind::Object
          } else {
            Kind::Unsupported(describe_object(env, raw, realm.host()))
          }
        }
      }
      T::napi_undefined => Kind::Unsupported("undefined"),
      T::napi_function => Kind::Unsupported("a function"),
      T::napi_symbol => Kind::Unsupported("a symbol"),
      T::napi_bigint => Kind::Unsupported("a BigInt"),
      _ => Kind::Unsupported("an external value"),
    };
    JsVal { realm, raw, kind, num, thrown }
  }

  unsafe fn child(&self, status: sys::napi_status, out: sys::napi_value) -> std::result::Result<JsVal<'r>, Fault> {
    if ok(status) {
      Ok(JsVal::new(self.realm, out))
    } else {
      Err(take_fault(self.realm.env))
    }
  }

  fn defined(v: JsVal<'r>) -> Option<JsVal<'r>> {
    (v.kind != Kind::Unsupported("undefined")).then_some(v)
  }

  fn env(&self) -> sys::napi_env {
    self.realm.env
  }

  unsafe fn get_by_name(&self, key: &Key) -> std::result::Result<Option<Self>, Fault> {
    let env = self.env();
    let mut out = null_mut();
    let status = if key.own_only {
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
    };
    self.child(status, out).map(JsVal::defined)
  }
}

impl Instance for JsVal<'_> {
  fn kind(&self) -> Kind {
    self.kind
  }
  fn fault(&self) -> Fault {
    unsafe { describe_exception(self.env(), self.thrown) }
  }
  fn number(&self) -> f64 {
    self.num
  }
  fn boolean(&self) -> bool {
    let mut b = false;
    unsafe { sys::napi_get_value_bool(self.env(), self.raw, &mut b) };
    b
  }
  fn utf16_len(&self) -> usize {
    // With no buffer V8 answers from the string header: O(1), no copy.
    let mut len = 0usize;
    unsafe { sys::napi_get_value_string_utf16(self.env(), self.raw, null_mut(), 0, &mut len) };
    len
  }
  fn char_len(&self) -> usize {
    let units = self.utf16_len();
    let mut buf = vec![0u16; units + 1];
    let mut written = 0usize;
    unsafe { sys::napi_get_value_string_utf16(self.env(), self.raw, buf.as_mut_ptr(), units + 1, &mut written) };
    char::decode_utf16(buf[..written].iter().copied()).count()
  }
  fn utf8_len(&self) -> usize {
    let mut len = 0usize;
    unsafe { sys::napi_get_value_string_utf8(self.env(), self.raw, null_mut(), 0, &mut len) };
    len
  }
  fn text(&self) -> String {
    unsafe { read_string(self.env(), self.raw) }
  }
  fn get(&self, key: &Key) -> std::result::Result<Option<Self>, Fault> {
    unsafe { self.get_by_name(key) }
  }
  type Keys = (sys::napi_value, u32);
  fn keys(&self) -> std::result::Result<Self::Keys, Fault> {
    use sys::{KeyCollectionMode, KeyConversion, KeyFilter};
    let env = self.env();
    unsafe {
      let mut names = null_mut();
      let filter = KeyFilter::enumerable | KeyFilter::skip_symbols;
      let status = sys::napi_get_all_property_names(env, self.raw, KeyCollectionMode::own_only, filter, KeyConversion::numbers_to_strings, &mut names);
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
  fn entry(&self, keys: &Self::Keys, index: usize, name: &mut String) -> std::result::Result<Self, Fault> {
    let env = self.env();
    unsafe {
      let mut key = null_mut();
      sys::napi_get_element(env, keys.0, index as u32, &mut key);
      read_string_into(env, key, name);
      let mut value = null_mut();
      let status = sys::napi_get_property(env, self.raw, key, &mut value);
      self.child(status, value)
    }
  }
  fn array_len(&self) -> usize {
    let mut len = 0u32;
    unsafe { sys::napi_get_array_length(self.env(), self.raw, &mut len) };
    len as usize
  }
  fn element(&self, index: usize) -> std::result::Result<Self, Fault> {
    let mut out = null_mut();
    unsafe {
      let status = sys::napi_get_element(self.env(), self.raw, index as u32, &mut out);
      self.child(status, out)
    }
  }
  fn same(&self, other: &Self) -> bool {
    unsafe { same(self.env(), self.raw, other.raw) }
  }
  fn members_among<'n>(&self, site: usize, count: usize, name: &dyn Fn(usize) -> &'n str) -> Option<u64> {
    let sites = self.realm.sites?;
    let env = self.env();
    unsafe {
      let helper = self.realm.members();
      if helper.is_null() {
        return None;
      }
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

#[napi(object)]
pub struct ValidationIssue {
  pub pointer: String,
  pub keyword: String,
  pub message: String,
  pub schema_path: Option<String>,
}

impl From<Issue> for ValidationIssue {
  fn from(i: Issue) -> Self {
    ValidationIssue { pointer: i.pointer, keyword: i.keyword, message: i.message, schema_path: i.schema_path }
  }
}

#[napi(object, object_to_js = false)]
pub struct SchemaLimits {
  pub max_bytes: Option<f64>,
  pub max_depth: Option<f64>,
}

fn check_bytes(name: &str, v: f64) -> Result<f64> {
  if v.is_nan() || v < 0.0 {
    return Err(Error::new(Status::InvalidArg, format!("{name} must be a number >= 0, got {v}")));
  }
  Ok(v)
}

fn check_depth(name: &str, v: f64) -> Result<u32> {
  if v.is_nan() || v < 1.0 {
    return Err(Error::new(Status::InvalidArg, format!("{name} must be a number >= 1, got {v}")));
  }
  Ok(v.min(HARD_MAX_DEPTH) as u32)
}

/// A compiled JSON Schema; made by `compileSchema`.
#[napi]
pub struct NativeValidator {
  inner: Arc<Validator>,
}

#[napi]
impl NativeValidator {
  /// null when valid. Otherwise every failing field (not just the first).
  #[napi(catch_unwind, ts_args_type = "value: unknown")]
  pub fn validate(&self, value: Unknown) -> Option<Vec<ValidationIssue>> {
    let realm = Realm::new(value.value().env);
    let v = unsafe { JsVal::new(&realm, value.value().value) };
    wrap(self.inner.validate(&v))
  }

  /// The same verdict through conversion to serde_json and the `jsonschema` crate (reference path).
  #[napi(catch_unwind, ts_args_type = "value: unknown")]
  pub fn validate_converted(&self, value: Unknown) -> Option<Vec<ValidationIssue>> {
    let realm = Realm::new(value.value().env);
    let v = unsafe { JsVal::new(&realm, value.value().value) };
    wrap(self.inner.validate_converted(&v))
  }

  /// True when values are walked in place; false when the schema needs the converting fallback.
  #[napi(getter)]
  pub fn fast_path(&self) -> bool {
    self.inner.uses_plan()
  }
}

fn wrap(issues: Vec<Issue>) -> Option<Vec<ValidationIssue>> {
  (!issues.is_empty()).then(|| issues.into_iter().map(Into::into).collect())
}

#[napi(object)]
pub struct SchemaError {
  pub message: String,
  pub pointer: String,
}

/// Compiles a JSON Schema (draft 2020-12) once. Invalid schema -> `error` set, never a throw.
#[napi(catch_unwind, ts_args_type = "schema: object | boolean, limits?: SchemaLimits", ts_return_type = "{ validator?: NativeValidator; error?: SchemaError }")]
pub fn compile_schema<'e>(env: &'e Env, schema: Unknown<'e>, limits: Option<SchemaLimits>) -> Result<Object<'e>> {
  let limits = match limits {
    Some(l) => Some(Limits {
      max_bytes: l.max_bytes.map(|v| check_bytes("limits.maxBytes", v)).transpose()?,
      max_depth: l.max_depth.map(|v| check_depth("limits.maxDepth", v)).transpose()?,
    }),
    None => None,
  };
  let mut out = Object::new(env)?;
  let realm = Realm::new(env.raw());
  let js = unsafe { JsVal::new(&realm, schema.value().value) };
  let compiled = validate::to_value(&js, f64::INFINITY, 256)
    .map_err(|i| SchemaError { message: format!("schema is not JSON: {}", i.message), pointer: i.pointer })
    .and_then(|s| Validator::compile(&s, limits).map_err(|e| SchemaError { message: e.message, pointer: e.pointer }));
  match compiled {
    Ok(v) => {
      let inner = Arc::new(v);
      let instance = NativeValidator { inner: inner.clone() }.into_instance(env)?;
      unsafe { attach_fast_validate(env.raw(), instance.value, inner)? };
      out.set_named_property("validator", instance)?;
    }
    Err(e) => out.set_named_property("error", e)?,
  }
  Ok(out)
}

/// Checks size and depth caps BEFORE any conversion; also usable without a schema. null = within limits.
#[napi(catch_unwind, ts_args_type = "value: unknown, maxBytes: number, maxDepth: number")]
pub fn check_limits(value: Unknown, max_bytes: f64, max_depth: f64) -> Result<Option<ValidationIssue>> {
  let max_bytes = check_bytes("maxBytes", max_bytes)?;
  let max_depth = check_depth("maxDepth", max_depth)?;
  let realm = Realm::new(value.value().env);
    let v = unsafe { JsVal::new(&realm, value.value().value) };
  Ok(validate::check_limits(&v, max_bytes, max_depth).map(Into::into))
}

/// What the raw `validate` owns.
struct Fast {
  validator: Arc<Validator>,
  sites: Sites,
}

unsafe extern "C" fn drop_validator(env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
  let fast = Box::from_raw(data.cast::<Fast>());
  fast.sites.release(env);
}

/// Defines `validate` on the instance as a raw function owning its own `Arc`.
unsafe fn attach_fast_validate(env: sys::napi_env, instance: sys::napi_value, inner: Arc<Validator>) -> Result<()> {
  let sites = Sites { names: RefCell::new(Vec::with_capacity(inner.object_sites())) };
  let data = Box::into_raw(Box::new(Fast { validator: inner, sites })).cast::<c_void>();
  let mut f = null_mut();
  let name = "validate";
  if !ok(sys::napi_create_function(env, name.as_ptr().cast(), name.len() as isize, Some(fast_validate), data, &mut f))
    || !ok(sys::napi_wrap(env, f, data, Some(drop_validator), null_mut(), null_mut()))
  {
    drop(Box::from_raw(data.cast::<Fast>()));
    return Err(Error::new(Status::GenericFailure, "could not create validate()"));
  }
  let desc = sys::napi_property_descriptor {
    utf8name: c"validate".as_ptr(),
    name: null_mut(),
    method: None,
    getter: None,
    setter: None,
    value: f,
    attributes: sys::PropertyAttributes::default,
    data: null_mut(),
  };
  if !ok(sys::napi_define_properties(env, instance, 1, &desc)) {
    return Err(Error::new(Status::GenericFailure, "could not define validate()"));
  }
  Ok(())
}

unsafe extern "C" fn fast_validate(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  let mut argc = 1usize;
  let mut argv = [null_mut(); 1];
  let mut data = null_mut();
  sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), null_mut(), &mut data);
  let fast = &*data.cast::<Fast>();
  let run = std::panic::AssertUnwindSafe(|| {
    let realm = Realm::with_sites(env, &fast.sites);
    issues_to_js(env, fast.validator.validate(&JsVal::new(&realm, argv[0])))
  });
  match std::panic::catch_unwind(run) {
    Ok(v) => v,
    Err(_) => {
      sys::napi_throw_error(env, c"E_NATIVE_PANIC".as_ptr(), c"ipcflow: validate() panicked; this is a bug".as_ptr());
      null_mut()
    }
  }
}

unsafe fn js_string(env: sys::napi_env, s: &str) -> sys::napi_value {
  let mut v = null_mut();
  sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut v);
  v
}

unsafe fn issues_to_js(env: sys::napi_env, issues: Vec<Issue>) -> sys::napi_value {
  let mut out = null_mut();
  if issues.is_empty() {
    sys::napi_get_null(env, &mut out);
    return out;
  }
  sys::napi_create_array_with_length(env, issues.len(), &mut out);
  for (i, issue) in issues.into_iter().enumerate() {
    let mut obj = null_mut();
    sys::napi_create_object(env, &mut obj);
    sys::napi_set_named_property(env, obj, c"pointer".as_ptr(), js_string(env, &issue.pointer));
    sys::napi_set_named_property(env, obj, c"keyword".as_ptr(), js_string(env, &issue.keyword));
    sys::napi_set_named_property(env, obj, c"message".as_ptr(), js_string(env, &issue.message));
    if let Some(p) = &issue.schema_path {
      sys::napi_set_named_property(env, obj, c"schemaPath".as_ptr(), js_string(env, p));
    }
    sys::napi_set_element(env, out, i as u32, obj);
  }
  out
}
