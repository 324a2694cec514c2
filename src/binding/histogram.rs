use super::batch::Distribution;
use crate::metrics::Histogram;
use napi_derive::napi;

/// Latency histogram for one channel; values in milliseconds, stored in microseconds.
#[napi]
pub struct NativeHistogram {
  inner: Histogram,
}

#[napi]
impl NativeHistogram {
  #[napi(constructor, catch_unwind)]
  #[allow(clippy::new_without_default)]
  pub fn new() -> Self {
    Self { inner: Histogram::new() }
  }

  #[napi(catch_unwind)]
  pub fn record(&mut self, value: f64) {
    self.inner.record_f64(value * 1000.0);
  }

  /// In milliseconds; all zero when empty.
  #[napi(catch_unwind)]
  pub fn summary(&self) -> Distribution {
    self.inner.summary_scaled(0.001).into()
  }

  #[napi(catch_unwind)]
  pub fn reset(&mut self) {
    self.inner.reset();
  }
}
