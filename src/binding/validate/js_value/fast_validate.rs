//! `validate` as a raw `napi_create_function`, skipping napi-rs's class-method wrapper.
use super::realm::{Realm, Sites};
use super::value::JsVal;
use super::{js_string, ok};
use crate::binding::errors::guard_raw;
use crate::validate::{Issue, Validator};
use napi::bindgen_prelude::*;
use napi::sys;
use std::cell::RefCell;
use std::ffi::c_void;
use std::ptr::null_mut;
use std::sync::Arc;

/// What the raw `validate` owns.
struct Fast {
  validator: Arc<Validator>,
  sites: Sites,
}

/// Finalizer of the `validate` function: frees its `Fast`.
///
/// # Safety
/// Called once by Node-API with the `data` given to `napi_wrap`: a `Box<Fast>` pointer.
unsafe extern "C" fn drop_validator(env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
  // SAFETY: the caller's contract: `data` came from `Box::into_raw` and is freed only here.
  let fast = unsafe { Box::from_raw(data.cast::<Fast>()) };
  // SAFETY: finalizers run on the env's thread; the references were made in it.
  unsafe { fast.sites.release(env) };
}

/// Defines `validate` on the instance as a raw function owning its own `Arc`.
///
/// # Safety
/// A live call on `env`; `instance` is an object of it.
pub(crate) unsafe fn attach_fast_validate(
  env: sys::napi_env,
  instance: sys::napi_value,
  inner: Arc<Validator>,
) -> Result<()> {
  let sites = Sites { names: RefCell::new(Vec::with_capacity(inner.object_sites())) };
  let data = Box::into_raw(Box::new(Fast { validator: inner, sites })).cast::<c_void>();
  let mut f = null_mut();
  let name = "validate";
  // SAFETY: the caller's contract; `data` outlives the function: the finalizer
  // attached by `napi_wrap` frees it when the function is collected, and if
  // either step fails it is freed here instead (nothing else saw it).
  unsafe {
    if !ok(sys::napi_create_function(env, name.as_ptr().cast(), name.len() as isize, Some(fast_validate), data, &mut f))
      || !ok(sys::napi_wrap(env, f, data, Some(drop_validator), null_mut(), null_mut()))
    {
      drop(Box::from_raw(data.cast::<Fast>()));
      return Err(Error::new(Status::GenericFailure, "could not create validate()"));
    }
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
  // SAFETY: the caller's contract; `desc` points to one valid descriptor.
  if !ok(unsafe { sys::napi_define_properties(env, instance, 1, &desc) }) {
    return Err(Error::new(Status::GenericFailure, "could not define validate()"));
  }
  Ok(())
}

/// `validator.validate(value)`: null when valid, else the issues.
///
/// # Safety
/// Called by Node-API as the callback of the function made above.
unsafe extern "C" fn fast_validate(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  let body = || {
    let mut argc = 1usize;
    let mut argv = [null_mut(); 1];
    let mut data = null_mut();
    // SAFETY: a live call; `argv` has room for `argc` values (missing ones read as undefined).
    unsafe { sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), null_mut(), &mut data) };
    // SAFETY: `data` is the `Fast` given at creation, alive while the function is.
    let fast = unsafe { &*data.cast::<Fast>() };
    // SAFETY: a live call; `argv[0]` is its argument.
    unsafe {
      let realm = Realm::with_sites(env, &fast.sites);
      issues_to_js(env, fast.validator.validate(&JsVal::new(&realm, argv[0])))
    }
  };
  // SAFETY: Node-API calls this on the env's thread, in a live call.
  unsafe { guard_raw("validate", env, body) }
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
