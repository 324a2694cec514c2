//! Per-call and per-env state: which `Object.prototype`s count as plain, the
//! members helper, and each validator's cached name arrays.
use super::{clear_exception, js_string, ok};
use napi::sys;
use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::ptr::null_mut;

/// What one call knows: the addon's own `Object.prototype` (fetched lazily from a
/// per-env cache), one foreign `Object.prototype` already verified in this call
/// (objects from a `vm` context, a jest sandbox), and the validator's JS name lists.
/// Lives only during one call from JS, on its thread: every `napi_value` in it
/// belongs to that call's handle scope.
pub(crate) struct Realm<'s> {
  pub(super) env: sys::napi_env,
  host: Cell<sys::napi_value>,
  pub(super) foreign: Cell<sys::napi_value>,
  members: Cell<sys::napi_value>,
  pub(super) sites: Option<&'s Sites>,
}

impl<'s> Realm<'s> {
  /// # Safety
  /// `env` is the env of the current call from JS, on its thread, and the
  /// realm does not outlive that call.
  pub(crate) unsafe fn new(env: sys::napi_env) -> Realm<'s> {
    Realm {
      env,
      host: Cell::new(null_mut()),
      foreign: Cell::new(null_mut()),
      members: Cell::new(null_mut()),
      sites: None,
    }
  }

  /// # Safety
  /// As `new`.
  pub(super) unsafe fn with_sites(env: sys::napi_env, sites: &'s Sites) -> Realm<'s> {
    // SAFETY: the caller's contract.
    Realm { sites: Some(sites), ..unsafe { Realm::new(env) } }
  }

  pub(super) fn host(&self) -> sys::napi_value {
    if self.host.get().is_null() {
      // SAFETY: a Realm lives only inside a call from JS on the env's thread (`new`).
      self.host.set(unsafe { env_value(self.env, Slot::ObjectPrototype) });
    }
    self.host.get()
  }

  pub(super) fn members(&self) -> sys::napi_value {
    if self.members.get().is_null() {
      // SAFETY: as in `host`.
      self.members.set(unsafe { env_value(self.env, Slot::Members) });
    }
    self.members.get()
  }
}

/// Per validator (raw `validate` only): for each object keyword, a JS array of its property names.
pub(crate) struct Sites {
  pub(super) names: RefCell<Vec<sys::napi_ref>>,
}

impl Sites {
  /// # Safety
  /// `env` is the env the validator was made in, during a call on its thread.
  pub(super) unsafe fn names<'n>(
    &self,
    env: sys::napi_env,
    site: usize,
    count: usize,
    name: &dyn Fn(usize) -> &'n str,
  ) -> sys::napi_value {
    let mut refs = self.names.borrow_mut();
    if refs.len() <= site {
      refs.resize(site + 1, null_mut());
    }
    let mut array = null_mut();
    // SAFETY: the caller's contract; every ref in `refs` was made in `env` and is
    // only deleted by `release`; out-pointers are live locals.
    unsafe {
      if !refs[site].is_null() {
        sys::napi_get_reference_value(env, refs[site], &mut array);
        return array;
      }
      sys::napi_create_array_with_length(env, count, &mut array);
      for i in 0..count {
        sys::napi_set_element(env, array, i as u32, js_string(env, name(i)));
      }
      sys::napi_create_reference(env, array, 1, &mut refs[site]);
    }
    array
  }

  /// # Safety
  /// `env` is the env the references were made in (its finalizer runs there).
  pub(super) unsafe fn release(&self, env: sys::napi_env) {
    for r in self.names.borrow_mut().drain(..) {
      if !r.is_null() {
        // SAFETY: the caller's contract; each ref is deleted once (drained).
        unsafe { sys::napi_delete_reference(env, r) };
      }
    }
  }
}

#[derive(Clone, Copy)]
enum Slot {
  ObjectPrototype,
  Members,
}

/// The members helper's source, kept as a real JS file so it reads (and lints) as JS.
const MEMBERS_JS: &str = include_str!("members.js");

thread_local! {
  /// Per env on this thread: references to its `Object.prototype` and the members helper.
  static ENV_VALUES: RefCell<Vec<(usize, [usize; 2])>> = const { RefCell::new(Vec::new()) };
}

/// Env cleanup hook: drops this env's references.
///
/// # Safety
/// Called by Node-API with the `arg` given to `napi_add_env_cleanup_hook`: the env itself.
unsafe extern "C" fn forget_env(arg: *mut c_void) {
  let env = arg as sys::napi_env;
  let _ = ENV_VALUES.try_with(|list| {
    list.borrow_mut().retain(|&(e, refs)| {
      if e == env as usize {
        for r in refs.into_iter().filter(|&r| r != 0) {
          // SAFETY: the env is still valid in its cleanup hook; each ref was made in it.
          unsafe { sys::napi_delete_reference(env, r as sys::napi_ref) };
        }
      }
      e != env as usize
    })
  });
}

/// A per-env value, made once and kept in a reference until the env is torn down.
/// `Object.prototype` is read from a fresh `{}` (not from `globalThis.Object`, which
/// user code can replace). Null when it could not be made.
///
/// # Safety
/// Called during a call from JS on `env`'s thread.
unsafe fn env_value(env: sys::napi_env, slot: Slot) -> sys::napi_value {
  let mut value = null_mut();
  let index = slot as usize;
  let known =
    ENV_VALUES.try_with(|list| list.borrow().iter().find(|e| e.0 == env as usize).map(|e| e.1)).ok().flatten();
  if let Some(refs) = known {
    if refs[index] != 0 {
      // SAFETY: the ref was made in this env and lives until its cleanup hook.
      unsafe { sys::napi_get_reference_value(env, refs[index] as sys::napi_ref, &mut value) };
      return value;
    }
  }
  // SAFETY: the caller's contract; out-pointers are live locals; a script that throws
  // leaves an exception we clear before returning to JS.
  unsafe {
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
  }
  let mut r = null_mut();
  // SAFETY: as above; the reference is deleted by `forget_env` when the env goes.
  if ok(unsafe { sys::napi_create_reference(env, value, 1, &mut r) }) {
    let _ = ENV_VALUES.try_with(|list| {
      let mut list = list.borrow_mut();
      match list.iter_mut().find(|e| e.0 == env as usize) {
        Some(e) => e.1[index] = r as usize,
        None => {
          let mut refs = [0; 2];
          refs[index] = r as usize;
          list.push((env as usize, refs));
          // SAFETY: the hook gets the env back as its argument, see `forget_env`.
          unsafe { sys::napi_add_env_cleanup_hook(env, Some(forget_env), env.cast()) };
        }
      }
    });
  }
  value
}
