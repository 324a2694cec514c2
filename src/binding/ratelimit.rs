use crate::ratelimit::RateLimiter;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::time::Instant;

/// GCRA rate limiter: a burst of `requests` per `windowMs`, refilled evenly.
#[napi]
pub struct NativeRateLimiter {
  inner: RateLimiter,
  epoch: Instant,
}

#[napi]
impl NativeRateLimiter {
  #[napi(constructor, catch_unwind)]
  pub fn new(requests: f64, window_ms: f64) -> Result<Self> {
    let inner = RateLimiter::new(requests, window_ms).map_err(|e| Error::new(Status::InvalidArg, e.0))?;
    Ok(Self { inner, epoch: Instant::now() })
  }

  /// 0 when allowed (and counted), else ms until the next request would be allowed.
  #[napi(catch_unwind)]
  pub fn check(&mut self, key: String) -> f64 {
    let now = self.epoch.elapsed().as_secs_f64() * 1000.0;
    self.inner.check(&key, now)
  }

  /// Forgets one key, or every key when none is given.
  #[napi(catch_unwind)]
  pub fn reset(&mut self, key: Option<String>) {
    self.inner.reset(key.as_deref());
  }
}
