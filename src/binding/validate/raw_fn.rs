//! `validate` as a raw `napi_create_function`, skipping napi-rs's class-method wrapper.
use super::instance::JsVal;
use super::napi_util::{js_string, ok};
use super::realm::{Realm, Sites};
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

unsafe extern "C" fn drop_validator(env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
  let fast = Box::from_raw(data.cast::<Fast>());
  fast.sites.release(env);
}

/// Defines `validate` on the instance as a raw function owning its own `Arc`.
pub(super) unsafe fn attach_fast_validate(
  env: sys::napi_env,
  instance: sys::napi_value,
  inner: Arc<Validator>,
) -> Result<()> {
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
