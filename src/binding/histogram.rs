use super::batch::BindingDistribution;
use super::errors::{guard, guard_raw, Result};
use super::handles;
use crate::metrics::Histogram;
use napi::sys;
use napi_derive::napi;
use std::cell::RefCell;
use std::ptr::null_mut;

// `record` runs once per handled call: like the per-batch calls in batch.rs it
// is a plain function on a per-thread handle table (a class method pays for
// unwrapping `this`); the class owns the entry's lifetime and keeps its API.
thread_local! {
  static HISTOGRAMS: handles::Table<Histogram> = const { RefCell::new(Vec::new()) };
}

fn with_histogram<R>(handle: u32, f: impl FnOnce(&mut Histogram) -> R) -> Option<R> {
  handles::with(&HISTOGRAMS, handle, f)
}

/// Latency histogram for one channel; values in milliseconds, stored in microseconds.
#[napi]
pub struct BindingHistogram {
  handle: u32,
}

#[napi]
impl BindingHistogram {
  #[napi(constructor)]
  pub fn new() -> Result<Self> {
    guard("BindingHistogram", || Ok(Self { handle: handles::insert(&HISTOGRAMS, Histogram::new())? }))
  }

  /// The number `histogramRecord` (from `fastCalls()`) takes.
  #[napi(getter)]
  pub fn handle(&self) -> Result<u32> {
    guard("handle", || Ok(self.handle))
  }

  #[napi]
  pub fn record(&self, value: f64) -> Result<()> {
    guard("record", || {
      record(self.handle, value);
      Ok(())
    })
  }

  /// In milliseconds; all zero when empty.
  #[napi]
  pub fn summary(&self) -> Result<BindingDistribution> {
    guard("summary", || Ok(with_histogram(self.handle, |h| h.summary_scaled(0.001)).unwrap_or_default().into()))
  }

  #[napi]
  pub fn reset(&self) -> Result<()> {
    guard("reset", || {
      with_histogram(self.handle, Histogram::reset);
      Ok(())
    })
  }
}

impl Drop for BindingHistogram {
  fn drop(&mut self) {
    handles::remove(&HISTOGRAMS, self.handle);
  }
}

fn record(handle: u32, ms: f64) {
  with_histogram(handle, |h| h.record_f64(ms * 1000.0));
}

/// `histogramRecord(handle, ms)`: a raw Node-API function (see `fast_calls` in
/// ratelimit.rs). It skips napi-rs's argument wrapper, which a plain `#[napi]`
/// function pays (~45 ns per call; a class method ~250 ns: README, "How it is
/// built, and why"). A handle that names no histogram records nothing.
///
/// # Safety
/// Called by Node-API as a function callback.
pub(crate) unsafe extern "C" fn raw_histogram_record(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  let body = || {
    let mut argc = 2usize;
    let mut argv = [null_mut(); 2];
    let (mut handle, mut value) = (u32::MAX, f64::NAN);
    // SAFETY: a callback on the env's thread; `argv` has room for `argc` values; a
    // read that fails (not a number) leaves the defaults, which record nothing.
    unsafe {
      sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), null_mut(), null_mut());
      sys::napi_get_value_uint32(env, argv[0], &mut handle);
      sys::napi_get_value_double(env, argv[1], &mut value);
    }
    record(handle, value);
    null_mut()
  };
  // SAFETY: Node-API calls this on the env's thread, during the call.
  unsafe { guard_raw("histogramRecord", env, body) }
}
