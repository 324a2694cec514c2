//! JSON Schema validation of live JS values: `JsVal` implements the core's
//! `Instance` with raw Node-API calls, so the plan reads only what the schema
//! asks for and nothing is converted. `validate` is also attached to each
//! validator as a raw function: it skips napi-rs's class-method wrapper (~200 ns).
use crate::validate::{self, Fault, Instance, Issue, Key, Kind, Limits, Validator};
use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use std::ffi::c_void;
use std::ptr::null_mut;
use std::sync::Arc;

/// Past this, native recursion could exhaust the stack before V8 notices.
const HARD_MAX_DEPTH: f64 = 1000.0;

#[derive(Clone, Copy)]
pub(crate) struct JsVal {
  env: sys::napi_env,
  raw: sys::napi_value,
  kind: Kind,
  num: f64,
}

fn ok(status: sys::napi_status) -> bool {
  status == sys::Status::napi_ok
}

/// Clears the pending exception (a getter or Proxy trap threw) and keeps its message.
unsafe fn take_fault(env: sys::napi_env) -> Fault {
  let mut pending = false;
  sys::napi_is_exception_pending(env, &mut pending);
  if !pending {
    return Fault::new("the value could not be read");
  }
  let mut exc = null_mut();
  sys::napi_get_and_clear_last_exception(env, &mut exc);
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
      let mut again = null_mut();
      sys::napi_get_and_clear_last_exception(env, &mut again);
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
  let mut len = 0usize;
  sys::napi_get_value_string_utf8(env, v, null_mut(), 0, &mut len);
  let mut buf = vec![0u8; len + 1];
  let mut written = 0usize;
  sys::napi_get_value_string_utf8(env, v, buf.as_mut_ptr().cast(), len + 1, &mut written);
  buf.truncate(written);
  String::from_utf8(buf).unwrap_or_default()
}

impl JsVal {
  pub(crate) unsafe fn new(env: sys::napi_env, raw: sys::napi_value) -> JsVal {
    use sys::ValueType as T;
    let mut t = 0;
    sys::napi_typeof(env, raw, &mut t);
    let mut num = 0.0;
    let kind = match t {
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
        if is_array { Kind::Array } else { Kind::Object }
      }
      T::napi_undefined => Kind::Unsupported("undefined"),
      T::napi_function => Kind::Unsupported("a function"),
      T::napi_symbol => Kind::Unsupported("a symbol"),
      T::napi_bigint => Kind::Unsupported("a BigInt"),
      _ => Kind::Unsupported("an external value"),
    };
    JsVal { env, raw, kind, num }
  }

  unsafe fn child(&self, status: sys::napi_status, out: sys::napi_value) -> std::result::Result<JsVal, Fault> {
    if ok(status) {
      Ok(JsVal::new(self.env, out))
    } else {
      Err(take_fault(self.env))
    }
  }

  fn defined(v: JsVal) -> Option<JsVal> {
    (v.kind != Kind::Unsupported("undefined")).then_some(v)
  }
}

impl Instance for JsVal {
  fn kind(&self) -> Kind {
    self.kind
  }
  fn number(&self) -> f64 {
    self.num
  }
  fn boolean(&self) -> bool {
    let mut b = false;
    unsafe { sys::napi_get_value_bool(self.env, self.raw, &mut b) };
    b
  }
  fn utf16_len(&self) -> usize {
    // With no buffer V8 answers from the string header: O(1), no copy.
    let mut len = 0usize;
    unsafe { sys::napi_get_value_string_utf16(self.env, self.raw, null_mut(), 0, &mut len) };
    len
  }
  fn char_len(&self) -> usize {
    let units = self.utf16_len();
    let mut buf = vec![0u16; units + 1];
    let mut written = 0usize;
    unsafe { sys::napi_get_value_string_utf16(self.env, self.raw, buf.as_mut_ptr(), units + 1, &mut written) };
    char::decode_utf16(buf[..written].iter().copied()).count()
  }
  fn utf8_len(&self) -> usize {
    let mut len = 0usize;
    unsafe { sys::napi_get_value_string_utf8(self.env, self.raw, null_mut(), 0, &mut len) };
    len
  }
  fn text(&self) -> String {
    unsafe { read_string(self.env, self.raw) }
  }
  fn get(&self, key: &Key) -> std::result::Result<Option<Self>, Fault> {
    let mut out = null_mut();
    unsafe {
      let status = if key.own_only {
        // Names Object.prototype also has (`__proto__`, `constructor`...) count only as own data.
        let mut k = null_mut();
        sys::napi_create_string_utf8(self.env, key.c_name.as_ptr(), key.name.len() as isize, &mut k);
        let mut has = false;
        if !ok(sys::napi_has_own_property(self.env, self.raw, k, &mut has)) {
          return Err(take_fault(self.env));
        }
        if !has {
          return Ok(None);
        }
        sys::napi_get_property(self.env, self.raw, k, &mut out)
      } else {
        sys::napi_get_named_property(self.env, self.raw, key.c_name.as_ptr(), &mut out)
      };
      self.child(status, out).map(JsVal::defined)
    }
  }
  fn entries(&self) -> std::result::Result<Vec<(String, Self)>, Fault> {
    use sys::{KeyCollectionMode, KeyConversion, KeyFilter};
    unsafe {
      let mut names = null_mut();
      let filter = KeyFilter::enumerable | KeyFilter::skip_symbols;
      let status = sys::napi_get_all_property_names(self.env, self.raw, KeyCollectionMode::own_only, filter, KeyConversion::numbers_to_strings, &mut names);
      if !ok(status) {
        return Err(take_fault(self.env));
      }
      let mut len = 0u32;
      sys::napi_get_array_length(self.env, names, &mut len);
      let mut out = Vec::with_capacity(len as usize);
      for i in 0..len {
        let mut name = null_mut();
        sys::napi_get_element(self.env, names, i, &mut name);
        let mut value = null_mut();
        let status = sys::napi_get_property(self.env, self.raw, name, &mut value);
        let name = read_string(self.env, name);
        match self.child(status, value) {
          Ok(v) => out.push((name, v)),
          Err(f) => return Err(Fault(f.0, Some(name))),
        }
      }
      Ok(out)
    }
  }
  fn array_len(&self) -> usize {
    let mut len = 0u32;
    unsafe { sys::napi_get_array_length(self.env, self.raw, &mut len) };
    len as usize
  }
  fn element(&self, index: usize) -> std::result::Result<Self, Fault> {
    let mut out = null_mut();
    unsafe {
      let status = sys::napi_get_element(self.env, self.raw, index as u32, &mut out);
      self.child(status, out)
    }
  }
  fn same(&self, other: &Self) -> bool {
    let mut eq = false;
    unsafe { sys::napi_strict_equals(self.env, self.raw, other.raw, &mut eq) };
    eq
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
    let v = unsafe { JsVal::new(value.value().env, value.value().value) };
    wrap(self.inner.validate(&v))
  }

  /// The same verdict through conversion to serde_json and the `jsonschema` crate (reference path).
  #[napi(catch_unwind, ts_args_type = "value: unknown")]
  pub fn validate_converted(&self, value: Unknown) -> Option<Vec<ValidationIssue>> {
    let v = unsafe { JsVal::new(value.value().env, value.value().value) };
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
  let js = unsafe { JsVal::new(env.raw(), schema.value().value) };
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
  let v = unsafe { JsVal::new(value.value().env, value.value().value) };
  Ok(validate::check_limits(&v, max_bytes, max_depth).map(Into::into))
}

unsafe extern "C" fn drop_validator(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
  drop(Box::from_raw(data.cast::<Arc<Validator>>()));
}

/// Defines `validate` on the instance as a raw function owning its own `Arc`.
unsafe fn attach_fast_validate(env: sys::napi_env, instance: sys::napi_value, inner: Arc<Validator>) -> Result<()> {
  let data = Box::into_raw(Box::new(inner)).cast::<c_void>();
  let mut f = null_mut();
  let name = "validate";
  if !ok(sys::napi_create_function(env, name.as_ptr().cast(), name.len() as isize, Some(fast_validate), data, &mut f))
    || !ok(sys::napi_wrap(env, f, data, Some(drop_validator), null_mut(), null_mut()))
  {
    drop(Box::from_raw(data.cast::<Arc<Validator>>()));
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
  let validator = &*data.cast::<Arc<Validator>>();
  let run = std::panic::AssertUnwindSafe(|| issues_to_js(env, validator.validate(&JsVal::new(env, argv[0]))));
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
