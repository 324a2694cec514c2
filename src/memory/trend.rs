//! Memory trend by least squares over the sample window. A series is
//! `growing` when the fitted slope is at least `min_bytes_per_hour` and at
//! least `min_relative_per_hour` of the mean, the fit explains at least
//! `min_r2` of the variance (noise and GC sawtooth do not), and the newer half
//! of the window still grows at that rate (so a one-off step stops reading as
//! growth once it is older than half the window). `shrinking` mirrors it.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trend {
  Unknown,
  Growing,
  Stable,
  Shrinking,
}

impl Trend {
  pub fn as_str(self) -> &'static str {
    match self {
      Trend::Unknown => "unknown",
      Trend::Growing => "growing",
      Trend::Stable => "stable",
      Trend::Shrinking => "shrinking",
    }
  }
}

#[derive(Clone, Copy, Debug)]
pub struct TrendRule {
  pub min_samples: usize,
  pub min_bytes_per_hour: f64,
  pub min_relative_per_hour: f64,
  pub min_r2: f64,
}

impl Default for TrendRule {
  fn default() -> Self {
    Self { min_samples: 10, min_bytes_per_hour: 1024.0 * 1024.0, min_relative_per_hour: 0.1, min_r2: 0.6 }
  }
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Fit {
  pub bytes_per_hour: f64,
  pub r2: f64,
  pub mean: f64,
}

const HOUR_MS: f64 = 3_600_000.0;

/// Least squares over `(t_ms, bytes)`.
pub fn fit(points: &[(f64, f64)]) -> Fit {
  let n = points.len() as f64;
  if points.len() < 2 {
    return Fit { mean: points.first().map_or(0.0, |p| p.1), ..Fit::default() };
  }
  let (mt, mv) = points.iter().fold((0.0, 0.0), |(a, b), (t, v)| (a + t / n, b + v / n));
  let (mut stt, mut stv, mut svv) = (0.0, 0.0, 0.0);
  for (t, v) in points {
    let (dt, dv) = (t - mt, v - mv);
    stt += dt * dt;
    stv += dt * dv;
    svv += dv * dv;
  }
  if stt == 0.0 {
    return Fit { mean: mv, ..Fit::default() };
  }
  let slope = stv / stt;
  let r2 = if svv == 0.0 { 0.0 } else { (stv * stv) / (stt * svv) };
  Fit { bytes_per_hour: slope * HOUR_MS, r2, mean: mv }
}

/// `(trend, fitted growth in bytes per hour, r2)`.
pub fn judge(points: &[(f64, f64)], rule: &TrendRule) -> (Trend, f64, f64) {
  let all = fit(points);
  if points.len() < rule.min_samples.max(2) {
    return (Trend::Unknown, all.bytes_per_hour, all.r2);
  }
  let needed = rule.min_bytes_per_hour.max(rule.min_relative_per_hour * all.mean.abs());
  let recent = fit(&points[points.len() / 2..]);
  let trend = if all.r2 < rule.min_r2 || all.bytes_per_hour.abs() < needed {
    Trend::Stable
  } else if all.bytes_per_hour > 0.0 && recent.bytes_per_hour >= needed {
    Trend::Growing
  } else if all.bytes_per_hour < 0.0 && recent.bytes_per_hour <= -needed {
    Trend::Shrinking
  } else {
    Trend::Stable
  };
  (trend, all.bytes_per_hour, all.r2)
}

#[cfg(test)]
mod tests {
  use super::*;

  const MB: f64 = 1024.0 * 1024.0;

  /// Deterministic noise in [-1, 1].
  fn noise(i: usize) -> f64 {
    let x = (i as u64).wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    ((x >> 33) as f64 / (1u64 << 31) as f64) - 1.0
  }

  fn series(n: usize, step_ms: f64, f: impl Fn(usize) -> f64) -> Vec<(f64, f64)> {
    (0..n).map(|i| (i as f64 * step_ms, f(i))).collect()
  }

  #[test]
  fn too_few_samples_is_unknown() {
    let s = series(9, 1000.0, |i| 100.0 * MB + i as f64 * MB);
    assert_eq!(judge(&s, &TrendRule::default()).0, Trend::Unknown);
  }

  #[test]
  fn flat_with_noise_is_stable() {
    let s = series(120, 1000.0, |i| 200.0 * MB + 5.0 * MB * noise(i));
    let (trend, _, r2) = judge(&s, &TrendRule::default());
    assert_eq!(trend, Trend::Stable, "r2 {r2}");
  }

  #[test]
  fn linear_leak_is_growing_with_its_rate() {
    // 100 KB per second with noise: 351 MB per hour.
    let s = series(120, 1000.0, |i| 200.0 * MB + i as f64 * 100.0 * 1024.0 + 0.5 * MB * noise(i));
    let (trend, per_hour, r2) = judge(&s, &TrendRule::default());
    assert_eq!(trend, Trend::Growing);
    assert!((per_hour / (360.0 * 1024.0 * 1024.0 * 1000.0 / 1024.0) - 1.0).abs() < 0.1, "{per_hour}");
    assert!(r2 > 0.9);
    // The same leak sampled every 50 ms reads growing after 20 samples (1 s).
    let fast = series(20, 50.0, |i| 50.0 * MB + i as f64 * MB);
    assert_eq!(judge(&fast, &TrendRule::default()).0, Trend::Growing);
  }

  #[test]
  fn sawtooth_gc_is_stable_and_a_leaking_sawtooth_grows() {
    let saw = |i: usize| 40.0 * MB * ((i % 12) as f64 / 12.0);
    let s = series(120, 1000.0, |i| 300.0 * MB + saw(i));
    assert_eq!(judge(&s, &TrendRule::default()).0, Trend::Stable);
    let leaking = series(120, 1000.0, |i| 300.0 * MB + saw(i) + i as f64 * 2.0 * MB);
    assert_eq!(judge(&leaking, &TrendRule::default()).0, Trend::Growing);
  }

  #[test]
  fn a_step_in_the_middle_is_not_growth_nor_is_a_release_shrinking() {
    let up = series(120, 1000.0, |i| if i < 60 { 200.0 } else { 300.0 } * MB + 0.2 * MB * noise(i));
    assert_eq!(judge(&up, &TrendRule::default()).0, Trend::Stable);
    let down = series(120, 1000.0, |i| if i < 60 { 300.0 } else { 200.0 } * MB + 0.2 * MB * noise(i));
    assert_eq!(judge(&down, &TrendRule::default()).0, Trend::Stable);
  }

  #[test]
  fn steady_release_is_shrinking() {
    let s = series(60, 1000.0, |i| 500.0 * MB - i as f64 * MB);
    assert_eq!(judge(&s, &TrendRule::default()).0, Trend::Shrinking);
  }
}
