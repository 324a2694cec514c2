//! Per-key rate limiting by GCRA (generic cell rate algorithm): a token bucket
//! of `requests` per `window_ms` kept as one "theoretical arrival time" per key,
//! so a burst of `requests` is allowed and then one request per emission interval.
//! Time is passed in (milliseconds on any monotonic clock) so tests inject it.
use std::collections::HashMap;

/// Keys whose bucket refilled are dropped once the map grows past this.
const SWEEP_AT: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub struct RateError(pub String);

#[derive(Debug)]
pub struct RateLimiter {
  interval: f64,
  tolerance: f64,
  tat: HashMap<String, f64>,
  sweep_at: usize,
}

impl RateLimiter {
  pub fn new(requests: f64, window_ms: f64) -> Result<RateLimiter, RateError> {
    if !(requests.is_finite() && requests >= 1.0) {
      return Err(RateError(format!("requests must be a finite number >= 1, got {requests}")));
    }
    if !(window_ms.is_finite() && window_ms > 0.0) {
      return Err(RateError(format!("windowMs must be a finite number > 0, got {window_ms}")));
    }
    let interval = window_ms / requests.floor();
    Ok(RateLimiter { interval, tolerance: window_ms - interval, tat: HashMap::new(), sweep_at: SWEEP_AT })
  }

  /// 0 when allowed (and counted); else whole milliseconds (>= 1) until a
  /// request for `key` would be allowed.
  pub fn check(&mut self, key: &str, now: f64) -> f64 {
    let tat = self.tat.get(key).copied().unwrap_or(now).max(now);
    let allow_at = tat - self.tolerance;
    if now < allow_at {
      return (allow_at - now).ceil().max(1.0);
    }
    if self.tat.len() >= self.sweep_at && !self.tat.contains_key(key) {
      self.sweep(now);
    }
    match self.tat.get_mut(key) {
      Some(t) => *t = tat + self.interval,
      None => {
        self.tat.insert(key.to_string(), tat + self.interval);
      }
    }
    0.0
  }

  /// Forgets one key, or every key.
  pub fn reset(&mut self, key: Option<&str>) {
    match key {
      Some(k) => {
        self.tat.remove(k);
      }
      None => self.tat.clear(),
    }
  }

  pub fn tracked_keys(&self) -> usize {
    self.tat.len()
  }

  /// Drops keys whose bucket is full again (they behave as new keys), and
  /// doubles the threshold if most keys are still active.
  fn sweep(&mut self, now: f64) {
    self.tat.retain(|_, t| *t > now);
    if self.tat.len() * 2 >= self.sweep_at {
      self.sweep_at *= 2;
    }
  }
}

#[cfg(test)]
mod props;

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn burst_then_refill() {
    let mut r = RateLimiter::new(3.0, 1000.0).unwrap();
    assert_eq!([r.check("a", 0.0), r.check("a", 0.0), r.check("a", 0.0)], [0.0; 3]);
    // Fourth in the same instant waits one emission interval (333.3 ms).
    assert_eq!(r.check("a", 0.0), 334.0);
    assert_eq!(r.check("a", 100.0), 234.0);
    assert_eq!(r.check("a", 334.0), 0.0);
    assert!(r.check("a", 334.0) > 0.0);
    // A whole window later the full burst is back.
    let later = 334.0 + 1000.0;
    assert_eq!([r.check("a", later), r.check("a", later), r.check("a", later)], [0.0; 3]);
    assert!(r.check("a", later) > 0.0);
  }

  #[test]
  fn steady_rate_is_allowed() {
    let mut r = RateLimiter::new(10.0, 1000.0).unwrap();
    for i in 0..100 {
      assert_eq!(r.check("k", i as f64 * 100.0), 0.0, "request {i}");
    }
  }

  #[test]
  fn keys_are_isolated_and_reset() {
    let mut r = RateLimiter::new(1.0, 1000.0).unwrap();
    assert_eq!(r.check("a", 0.0), 0.0);
    assert_eq!(r.check("a", 0.0), 1000.0);
    assert_eq!(r.check("b", 0.0), 0.0);
    r.reset(Some("a"));
    assert_eq!(r.check("a", 1.0), 0.0);
    assert!(r.check("b", 1.0) > 0.0);
    r.reset(None);
    assert_eq!(r.check("b", 1.0), 0.0);
  }

  #[test]
  fn rejects_bad_arguments() {
    assert!(RateLimiter::new(f64::NAN, 1000.0).unwrap_err().0.contains("requests"));
    assert!(RateLimiter::new(-1.0, 1000.0).unwrap_err().0.contains("requests"));
    assert!(RateLimiter::new(1.0, 0.0).unwrap_err().0.contains("windowMs"));
    assert!(RateLimiter::new(1.0, f64::INFINITY).unwrap_err().0.contains("windowMs"));
  }

  #[test]
  fn idle_keys_are_swept() {
    let mut r = RateLimiter::new(1.0, 10.0).unwrap();
    for i in 0..SWEEP_AT {
      r.check(&i.to_string(), 0.0);
    }
    r.check("new", 1000.0);
    assert_eq!(r.tracked_keys(), 1);
  }
}
