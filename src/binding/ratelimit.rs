use super::errors::{guard, guard_coded, guard_raw, invalid_argument, Result};
use super::handles;
use super::text::{self, JsText};
use crate::ratelimit::RateLimiter;
use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use std::cell::RefCell;
use std::ffi::CStr;
use std::ptr::null_mut;
use std::time::Instant;

struct Limiter {
  inner: RateLimiter,
  epoch: Instant,
}

// `check` runs on every rate-limited call: a plain function on a per-thread
// handle table (as the per-batch calls in batch.rs), not a class method. The
// class owns the entry's lifetime and keeps its API.
thread_local! {
  static LIMITERS: handles::Table<Limiter> = const { RefCell::new(Vec::new()) };
}

fn with_limiter<R>(handle: u32, f: impl FnOnce(&mut Limiter) -> R) -> Option<R> {
  handles::with(&LIMITERS, handle, f)
}

/// GCRA rate limiter: a burst of `requests` per `windowMs`, refilled evenly.
#[napi]
pub struct BindingRateLimiter {
  handle: u32,
}

#[napi]
impl BindingRateLimiter {
  /// Throws `E_INVALID_ARGUMENT` naming `requests` or `windowMs` when out of range.
  #[napi(constructor)]
  pub fn new(requests: f64, window_ms: f64) -> Result<Self> {
    guard_coded("BindingRateLimiter", || {
      let inner = RateLimiter::new(requests, window_ms).map_err(|e| invalid_argument(e.0))?;
      let limiter = Limiter { inner, epoch: Instant::now() };
      let handle =
        handles::insert(&LIMITERS, limiter).map_err(|e| super::errors::internal("BindingRateLimiter", &e.reason))?;
      Ok(Self { handle })
    })
  }

  /// The number `rateLimitCheck` (from `fastCalls()`) takes.
  #[napi(getter)]
  pub fn handle(&self) -> Result<u32> {
    guard("handle", || Ok(self.handle))
  }

  /// 0 when allowed (and counted), else ms until the next request would be allowed.
  #[napi(ts_args_type = "key: string")]
  pub fn check(&self, key: JsText) -> Result<f64> {
    guard("check", || Ok(check(self.handle, &key.0)))
  }

  /// Forgets one key, or every key when none is given.
  #[napi(ts_args_type = "key?: string | undefined | null")]
  pub fn reset(&self, key: Option<JsText>) -> Result<()> {
    guard("reset", || {
      with_limiter(self.handle, |l| l.inner.reset(key.as_ref().map(|k| k.0.as_str())));
      Ok(())
    })
  }
}

impl Drop for BindingRateLimiter {
  fn drop(&mut self) {
    handles::remove(&LIMITERS, self.handle);
  }
}

fn check(handle: u32, key: &str) -> f64 {
  with_limiter(handle, |l| {
    let now = l.epoch.elapsed().as_secs_f64() * 1000.0;
    l.inner.check(key, now)
  })
  .unwrap_or(0.0)
}

/// `rateLimitCheck(handle, key)`: a raw Node-API function reading the key into
/// a stack buffer (no allocation for keys up to ~250 bytes), as native text:
/// keys that differ in JS (by a lone surrogate, say) are different buckets. A
/// handle that names no limiter allows everything (0). A key that is not a
/// string throws `E_INVALID_ARGUMENT`.
///
/// # Safety
/// Called by Node-API as a function callback.
unsafe extern "C" fn raw_rate_limit_check(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  let body = || {
    let mut argc = 2usize;
    let mut argv = [null_mut(); 2];
    let mut handle = u32::MAX;
    // SAFETY: a callback on the env's thread; `argv` has room for `argc` values
    // (missing ones read as undefined), each a value of this call.
    let wait = unsafe {
      sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), null_mut(), null_mut());
      sys::napi_get_value_uint32(env, argv[0], &mut handle);
      text::with_text(env, argv[1], |key| check(handle, key))
    };
    let Some(wait) = wait else {
      // SAFETY: as above; both strings are NUL-terminated.
      unsafe {
        sys::napi_throw_type_error(
          env,
          c"E_INVALID_ARGUMENT".as_ptr(),
          c"rateLimitCheck: key must be a string".as_ptr(),
        )
      };
      return null_mut();
    };
    let mut out = null_mut();
    // SAFETY: as above; `out` is a live out-pointer.
    unsafe { sys::napi_create_double(env, wait, &mut out) };
    out
  };
  // SAFETY: Node-API calls this on the env's thread, during the call.
  unsafe { guard_raw("rateLimitCheck", env, body) }
}

type RawCallback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

fn raw_function<'e>(env: &'e Env, name: &CStr, f: RawCallback) -> napi::Result<Unknown<'e>> {
  let mut out = null_mut();
  let len = name.to_bytes().len() as isize;
  // SAFETY: `env` is the env of the current call; `name` is NUL-terminated and `len` long; `f`
  // needs no data (null).
  let status = unsafe { sys::napi_create_function(env.raw(), name.as_ptr(), len, Some(f), null_mut(), &mut out) };
  if status != sys::Status::napi_ok {
    return Err(Error::new(Status::GenericFailure, "could not create a function"));
  }
  // SAFETY: `out` is a function just made in this env.
  Ok(unsafe { Unknown::from_raw_unchecked(env.raw(), out) })
}

/// The per-call functions as raw Node-API functions (no napi-rs wrapper):
/// `rateLimitCheck(handle, key)` and `histogramRecord(handle, ms)`, where
/// `handle` is `limiter.handle` / `histogram.handle`.
#[napi(
  ts_return_type = "{ rateLimitCheck(handle: number, key: string): number; histogramRecord(handle: number, ms: number): void }"
)]
pub fn fast_calls(env: &Env) -> Result<Object<'_>> {
  guard("fastCalls", || {
    let mut out = Object::new(env)?;
    out.set_named_property("rateLimitCheck", raw_function(env, c"rateLimitCheck", raw_rate_limit_check)?)?;
    let record = raw_function(env, c"histogramRecord", super::histogram::raw_histogram_record)?;
    out.set_named_property("histogramRecord", record)?;
    Ok(out)
  })
}
