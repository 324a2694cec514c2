use super::batch::BindingDistribution;
use super::handles;
use crate::metrics::Histogram;
use napi::bindgen_prelude::*;
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
pub struct NativeHistogram {
  handle: u32,
}

#[napi]
impl NativeHistogram {
  #[napi(constructor, catch_unwind)]
  pub fn new() -> Result<Self> {
    let handle = handles::insert(&HISTOGRAMS, Histogram::new())?;
    Ok(Self { handle })
  }

  /// The number `histogramRecord` (from `fastCalls()`) takes.
  #[napi(getter, catch_unwind)]
  pub fn handle(&self) -> u32 {
    self.handle
  }

  #[napi(catch_unwind)]
  pub fn record(&self, value: f64) {
    with_histogram(self.handle, |h| h.record_f64(value * 1000.0));
  }

  /// In milliseconds; all zero when empty.
  #[napi(catch_unwind)]
  pub fn summary(&self) -> BindingDistribution {
    with_histogram(self.handle, |h| h.summary_scaled(0.001)).unwrap_or_default().into()
  }

  #[napi(catch_unwind)]
  pub fn reset(&self) {
    with_histogram(self.handle, Histogram::reset);
  }
}

impl Drop for NativeHistogram {
  fn drop(&mut self) {
    handles::remove(&HISTOGRAMS, self.handle);
  }
}

/// `histogramRecord(handle, ms)`: a raw Node-API function (see `fast_calls` in
/// ratelimit.rs), ~25 ns against ~100 ns for a `#[napi]` function and ~230 ns
/// for the class method. A handle that names no histogram records nothing.
pub(crate) unsafe extern "C" fn raw_histogram_record(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  let mut argc = 2usize;
  let mut argv = [null_mut(); 2];
  sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), null_mut(), null_mut());
  let (mut handle, mut value) = (u32::MAX, f64::NAN);
  sys::napi_get_value_uint32(env, argv[0], &mut handle);
  sys::napi_get_value_double(env, argv[1], &mut value);
  if std::panic::catch_unwind(|| with_histogram(handle, |h| h.record_f64(value * 1000.0))).is_err() {
    sys::napi_throw_error(
      env,
      c"E_NATIVE_PANIC".as_ptr(),
      c"ipcflow: histogramRecord() panicked; this is a bug".as_ptr(),
    );
  }
  null_mut()
}
