use super::handles;
use crate::ratelimit::RateLimiter;
use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use std::cell::RefCell;
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
pub struct NativeRateLimiter {
  handle: u32,
}

#[napi]
impl NativeRateLimiter {
  #[napi(constructor, catch_unwind)]
  pub fn new(requests: f64, window_ms: f64) -> Result<Self> {
    let inner = RateLimiter::new(requests, window_ms).map_err(|e| Error::new(Status::InvalidArg, e.0))?;
    let limiter = Limiter { inner, epoch: Instant::now() };
    let handle = handles::insert(&LIMITERS, limiter)?;
    Ok(Self { handle })
  }

  /// The number `rateLimitCheck` (from `fastCalls()`) takes.
  #[napi(getter, catch_unwind)]
  pub fn handle(&self) -> u32 {
    self.handle
  }

  /// 0 when allowed (and counted), else ms until the next request would be allowed.
  #[napi(catch_unwind)]
  pub fn check(&self, key: String) -> f64 {
    check(self.handle, &key)
  }

  /// Forgets one key, or every key when none is given.
  #[napi(catch_unwind)]
  pub fn reset(&self, key: Option<String>) {
    with_limiter(self.handle, |l| l.inner.reset(key.as_deref()));
  }
}

impl Drop for NativeRateLimiter {
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
/// a stack buffer (no allocation for keys up to 127 bytes). A handle that names
/// no limiter allows everything (0).
unsafe extern "C" fn raw_rate_limit_check(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  let mut argc = 2usize;
  let mut argv = [null_mut(); 2];
  sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), null_mut(), null_mut());
  let mut handle = u32::MAX;
  sys::napi_get_value_uint32(env, argv[0], &mut handle);
  let mut buf = [0u8; 128];
  let mut len = 0usize;
  if sys::napi_get_value_string_utf8(env, argv[1], buf.as_mut_ptr().cast(), buf.len(), &mut len) != sys::Status::napi_ok
  {
    sys::napi_throw_type_error(env, c"InvalidArg".as_ptr(), c"rateLimitCheck: key must be a string".as_ptr());
    return null_mut();
  }
  let mut heap = Vec::new();
  let key: &[u8] = if len + 4 >= buf.len() {
    sys::napi_get_value_string_utf8(env, argv[1], null_mut(), 0, &mut len);
    heap.resize(len + 1, 0u8);
    sys::napi_get_value_string_utf8(env, argv[1], heap.as_mut_ptr().cast(), len + 1, &mut len);
    &heap[..len]
  } else {
    &buf[..len]
  };
  // napi writes UTF-8 (lone surrogates replaced), so this never fails.
  let key = std::str::from_utf8(key).unwrap_or_default();
  match std::panic::catch_unwind(|| check(handle, key)) {
    Ok(wait) => {
      let mut out = null_mut();
      sys::napi_create_double(env, wait, &mut out);
      out
    }
    Err(_) => {
      sys::napi_throw_error(
        env,
        c"E_NATIVE_PANIC".as_ptr(),
        c"ipcflow: rateLimitCheck() panicked; this is a bug".as_ptr(),
      );
      null_mut()
    }
  }
}

unsafe fn raw_function(
  env: sys::napi_env,
  name: &std::ffi::CStr,
  f: unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value,
) -> Result<Unknown<'_>> {
  let mut out = null_mut();
  let len = name.to_bytes().len() as isize;
  if sys::napi_create_function(env, name.as_ptr(), len, Some(f), null_mut(), &mut out) != sys::Status::napi_ok {
    return Err(Error::new(Status::GenericFailure, "ipcflow: could not create a function"));
  }
  Ok(Unknown::from_raw_unchecked(env, out))
}

/// The per-call functions as raw Node-API functions (no napi-rs wrapper):
/// `rateLimitCheck(handle, key)` and `histogramRecord(handle, ms)`, where
/// `handle` is `limiter.handle` / `histogram.handle`.
#[napi(
  catch_unwind,
  ts_return_type = "{ rateLimitCheck(handle: number, key: string): number; histogramRecord(handle: number, ms: number): void; monitorApply(id: number, value: number): void }"
)]
pub fn fast_calls(env: &Env) -> Result<Object<'_>> {
  let mut out = Object::new(env)?;
  unsafe {
    out.set_named_property("rateLimitCheck", raw_function(env.raw(), c"rateLimitCheck", raw_rate_limit_check)?)?;
    out.set_named_property(
      "histogramRecord",
      raw_function(env.raw(), c"histogramRecord", super::histogram::raw_histogram_record)?,
    )?;
    out.set_named_property(
      "monitorApply",
      raw_function(env.raw(), c"monitorApply", super::monitor::raw_monitor_apply)?,
    )?;
  }
  Ok(out)
}
