//! `validate` as a raw `napi_create_function`, skipping napi-rs's class-method wrapper.
use super::read_ahead::{validate_read_ahead, READ_AHEAD_ARGS};
use super::realm::{Realm, Sites};
use super::value::JsVal;
use super::{js_string, ok, read_string, type_of};
use crate::binding::errors::guard_raw;
use crate::validate::{Issue, ReadAhead, Validator};
use napi::bindgen_prelude::*;
use napi::sys;
use std::cell::RefCell;
use std::ffi::c_void;
use std::ptr::null_mut;
use std::sync::Arc;

/// What each raw function owns.
pub(super) struct Fast {
  pub(super) validator: Arc<Validator>,
  pub(super) sites: Sites,
}

/// Finalizer of a raw function: frees its `Fast`.
///
/// # Safety
/// Called once by Node-API with the `data` given to `napi_wrap`: a `Box<Fast>` pointer.
unsafe extern "C" fn drop_validator(env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
  // SAFETY: the caller's contract: `data` came from `Box::into_raw` and is freed only here.
  let fast = unsafe { Box::from_raw(data.cast::<Fast>()) };
  // SAFETY: finalizers run on the env's thread; the references were made in it.
  unsafe { fast.sites.release(env) };
}

/// A raw function `name` calling `cb`, owning its own `Fast` over `validator`.
///
/// # Safety
/// A live call on `env`.
unsafe fn raw_function(
  env: sys::napi_env,
  name: &str,
  cb: unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value,
  validator: Arc<Validator>,
) -> Result<sys::napi_value> {
  let sites = Sites { names: RefCell::new(Vec::with_capacity(validator.object_sites())) };
  let data = Box::into_raw(Box::new(Fast { validator, sites })).cast::<c_void>();
  let mut f = null_mut();
  // SAFETY: the caller's contract; `data` outlives the function: the finalizer
  // attached by `napi_wrap` frees it when the function is collected, and if
  // either step fails it is freed here instead (nothing else saw it).
  unsafe {
    if !ok(sys::napi_create_function(env, name.as_ptr().cast(), name.len() as isize, Some(cb), data, &mut f))
      || !ok(sys::napi_wrap(env, f, data, Some(drop_validator), null_mut(), null_mut()))
    {
      drop(Box::from_raw(data.cast::<Fast>()));
      return Err(Error::new(Status::GenericFailure, format!("could not create {name}()")));
    }
  }
  Ok(f)
}

fn failed(what: &str) -> Error {
  Error::new(Status::GenericFailure, format!("could not define {what}"))
}

fn property(name: &'static std::ffi::CStr, value: sys::napi_value, attributes: i32) -> sys::napi_property_descriptor {
  sys::napi_property_descriptor {
    utf8name: name.as_ptr(),
    name: null_mut(),
    method: None,
    getter: None,
    setter: None,
    value,
    attributes,
    data: null_mut(),
  }
}

/// Defines `validate` on the instance as a raw function owning its own `Arc`
/// (writable: lib/registry/read-ahead.js puts its front in its place), and, when
/// the plan reads the root by its names or leading items alone, `readAhead`:
/// `{ kind: 'object' | 'array', keys, allKeys, check(root, n, ...values), keysCode(object, keys) }`
/// (`keys`: the names or indices to read; `n`: an object's keys code when
/// `allKeys` (see `Validator::reads_all_keys`), else -1); and, without caps,
/// `acceptPlan`: JSON text for lib/registry/accept.js (`Validator::accept_plan`),
/// with `acceptPattern(i, text)`: whether a string matches its i-th pattern.
///
/// # Safety
/// A live call on `env`; `instance` is an object of it.
pub(crate) unsafe fn attach_fast_validate(
  env: sys::napi_env,
  instance: sys::napi_value,
  inner: Arc<Validator>,
) -> Result<()> {
  use sys::PropertyAttributes as A;
  // SAFETY: the caller's contract.
  let validate = unsafe { raw_function(env, "validate", fast_validate, inner.clone())? };
  let mut props = vec![property(c"validate", validate, A::writable | A::configurable)];
  if let Some(ahead) = inner.read_ahead() {
    // SAFETY: the caller's contract.
    let plan = unsafe { read_ahead_plan(env, &inner, ahead)? };
    props.push(property(c"readAhead", plan, A::default));
  }
  if let Some(text) = inner.accept_plan() {
    // SAFETY: the caller's contract.
    unsafe {
      props.push(property(c"acceptPlan", js_string(env, &text), A::default));
      let matcher = raw_function(env, "acceptPattern", fast_accept_pattern, inner.clone())?;
      props.push(property(c"acceptPattern", matcher, A::default));
    }
  }
  // SAFETY: the caller's contract; `props` holds valid descriptors.
  if !ok(unsafe { sys::napi_define_properties(env, instance, props.len(), props.as_ptr()) }) {
    return Err(failed("validate()"));
  }
  Ok(())
}

/// The `readAhead` object (see `attach_fast_validate`).
///
/// # Safety
/// A live call on `env`.
unsafe fn read_ahead_plan(env: sys::napi_env, inner: &Arc<Validator>, ahead: &ReadAhead) -> Result<sys::napi_value> {
  use sys::PropertyAttributes as A;
  // SAFETY: the caller's contract; out-pointers are live locals.
  unsafe {
    let check = raw_function(env, "check", fast_validate_read_ahead, inner.clone())?;
    let (kind, keys): (&str, Vec<sys::napi_value>) = match ahead {
      ReadAhead::Members { names, .. } => ("object", names.iter().map(|n| js_string(env, n)).collect()),
      ReadAhead::Items { count } => ("array", (0..*count as u32).map(|i| js_uint32(env, i)).collect()),
    };
    let mut key_list = null_mut();
    sys::napi_create_array_with_length(env, keys.len(), &mut key_list);
    for (i, key) in keys.into_iter().enumerate() {
      sys::napi_set_element(env, key_list, i as u32, key);
    }
    let mut all_keys = null_mut();
    sys::napi_get_boolean(env, inner.reads_all_keys(), &mut all_keys);
    let keys_code = Realm::new(env).members();
    if keys_code.is_null() {
      return Err(failed("readAhead.keysCode"));
    }
    let mut plan = null_mut();
    sys::napi_create_object(env, &mut plan);
    let fields = [
      property(c"kind", js_string(env, kind), A::enumerable),
      property(c"keys", key_list, A::enumerable),
      property(c"allKeys", all_keys, A::enumerable),
      property(c"check", check, A::enumerable),
      property(c"keysCode", keys_code, A::enumerable),
    ];
    if !ok(sys::napi_define_properties(env, plan, fields.len(), fields.as_ptr())) {
      return Err(failed("readAhead"));
    }
    Ok(plan)
  }
}

/// # Safety
/// A live call on `env`.
unsafe fn js_uint32(env: sys::napi_env, n: u32) -> sys::napi_value {
  let mut v = null_mut();
  // SAFETY: the caller's contract; `v` is a live out-pointer.
  unsafe { sys::napi_create_uint32(env, n, &mut v) };
  v
}

/// A raw function's call: its first `N` arguments (undefined past the count
/// given), that count, and the function's `Fast`.
///
/// # Safety
/// A live call (`env`, `info`) of a function made by `raw_function`.
unsafe fn call_args<'a, const N: usize>(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> ([sys::napi_value; N], usize, &'a Fast) {
  let mut argc = N;
  let mut argv = [null_mut(); N];
  let mut data = null_mut();
  // SAFETY: the caller's contract; `argv` has room for `argc` values (missing ones read as undefined).
  unsafe { sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), null_mut(), &mut data) };
  // SAFETY: `data` is the `Fast` given at creation, alive while the function is (so during the call).
  (argv, argc, unsafe { &*data.cast::<Fast>() })
}

/// `validator.validate(value)`: null when valid, else the issues.
///
/// # Safety
/// Called by Node-API as the callback of the function made above.
unsafe extern "C" fn fast_validate(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  let body = || {
    // SAFETY: a live call of a function made by `raw_function`.
    let (argv, _, fast) = unsafe { call_args::<1>(env, info) };
    // SAFETY: a live call; `argv[0]` is its argument.
    unsafe {
      let realm = Realm::with_sites(env, &fast.sites);
      issues_to_js(env, fast.validator.validate(&JsVal::new(&realm, argv[0])))
    }
  };
  // SAFETY: Node-API calls this on the env's thread, in a live call.
  unsafe { guard_raw("validate", env, body) }
}

/// `readAhead.check(root, n, ...values)`: the same answer as `validate(root)`.
///
/// # Safety
/// Called by Node-API as the callback of the function made above.
unsafe extern "C" fn fast_validate_read_ahead(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  let body = || {
    // SAFETY: a live call of a function made by `raw_function`.
    let (argv, argc, fast) = unsafe { call_args::<READ_AHEAD_ARGS>(env, info) };
    // SAFETY: a live call; `argv` holds its arguments (undefined past `argc`).
    unsafe { issues_to_js(env, validate_read_ahead(env, &argv, argc, fast)) }
  };
  // SAFETY: Node-API calls this on the env's thread, in a live call.
  unsafe { guard_raw("readAhead.check", env, body) }
}

/// `acceptPattern(i, text)`: true when `text` is a string matching the i-th
/// pattern of the plan (false otherwise: the caller then asks the walk).
///
/// # Safety
/// Called by Node-API as the callback of the function made above.
unsafe extern "C" fn fast_accept_pattern(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  let body = || {
    // SAFETY: a live call of a function made by `raw_function`.
    let (argv, _, fast) = unsafe { call_args::<2>(env, info) };
    let mut index = 0u32;
    // SAFETY: a live call; out-pointers are live locals; the string is read only when it is one.
    let matched = unsafe {
      ok(sys::napi_get_value_uint32(env, argv[0], &mut index))
        && type_of(env, argv[1]) == sys::ValueType::napi_string
        && fast.validator.accept_pattern(index as usize, &read_string(env, argv[1])) == Some(true)
    };
    let mut out = null_mut();
    // SAFETY: a live call; `out` is a live out-pointer.
    unsafe { sys::napi_get_boolean(env, matched, &mut out) };
    out
  };
  // SAFETY: Node-API calls this on the env's thread, in a live call.
  unsafe { guard_raw("acceptPattern", env, body) }
}

/// # Safety
/// A live call on `env`.
unsafe fn issues_to_js(env: sys::napi_env, issues: Vec<Issue>) -> sys::napi_value {
  let mut out = null_mut();
  // SAFETY: the caller's contract; out-pointers are live locals; C names are NUL-terminated.
  unsafe {
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
      sys::napi_set_element(env, out, i as u32, obj);
    }
  }
  out
}
