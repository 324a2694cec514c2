//! Property tests (proptest) for the GCRA limiter: never more than the burst
//! plus the refill in any span, a retry-after that is honest (allowed then, a
//! denial changes nothing), and keys that never see each other (sweeps included).
use super::RateLimiter;
use proptest::prelude::*;

proptest! {
  #![proptest_config(ProptestConfig::with_cases(256))]

  #[test]
  fn allowed_never_exceed_burst_plus_refill(
    requests in 1u32..20,
    window in 1u32..2000,
    gaps in proptest::collection::vec(0u32..200, 1..300),
  ) {
    let mut r = RateLimiter::new(requests as f64, window as f64).unwrap();
    let interval = window as f64 / requests as f64;
    let mut now = 0.0;
    let mut allowed = Vec::new();
    for gap in gaps {
      now += gap as f64;
      if r.check("k", now) == 0.0 {
        allowed.push(now);
      }
    }
    // A token bucket of `requests`, refilled one per interval: in [a, b] at most requests + (b - a) / interval.
    for i in 0..allowed.len() {
      for j in i..allowed.len() {
        let span = allowed[j] - allowed[i];
        let bound = requests as f64 + (span / interval + 1e-9).floor();
        prop_assert!(((j - i + 1) as f64) <= bound, "{} allowed within {} ms (bound {})", j - i + 1, span, bound);
      }
    }
  }

  #[test]
  fn retry_after_is_honest(requests in 1u32..10, window in 1u32..5000, times in proptest::collection::vec(0u32..100, 1..100)) {
    let mut r = RateLimiter::new(requests as f64, window as f64).unwrap();
    let mut now = 0.0;
    for gap in times {
      now += gap as f64;
      let wait = r.check("k", now);
      if wait > 0.0 {
        prop_assert!(wait >= 1.0 && wait.fract() == 0.0, "whole milliseconds >= 1, got {}", wait);
        // A denial changes nothing: asked again, the same answer; a ms before the wait still denied.
        prop_assert_eq!(r.check("k", now), wait);
        if wait > 1.0 {
          prop_assert!(r.check("k", now + wait - 1.0) > 0.0);
        }
        now += wait;
        prop_assert_eq!(r.check("k", now), 0.0, "denied after the retry-after it gave");
      }
    }
  }

  #[test]
  fn keys_are_isolated(
    ops in proptest::collection::vec((0u32..3, 0u32..50), 1..300),
    others in 0usize..5000,
  ) {
    // Key "a" answers the same whether or not thousands of other keys (and sweeps) happen around it.
    let mut alone = RateLimiter::new(3.0, 100.0).unwrap();
    let mut crowded = RateLimiter::new(3.0, 100.0).unwrap();
    for i in 0..others {
      crowded.check(&format!("o{i}"), 0.0);
    }
    let mut now = 0.0;
    for (who, gap) in ops {
      now += gap as f64;
      if who == 0 {
        prop_assert_eq!(alone.check("a", now), crowded.check("a", now));
      } else {
        crowded.check(&format!("b{who}"), now);
      }
    }
  }
}
