//! A log-linear histogram (HDR-style): exact below 64, then 32 sub-buckets per
//! power of two, so any recorded value is reported within ~3%.
//! Fixed memory (1,920 counters), O(1) record, no allocation after creation.

const LINEAR: u64 = 64;
const SUB_BITS: u32 = 5;
const SUB: u64 = 1 << SUB_BITS;
const BUCKETS: usize = (LINEAR + (64 - 6) * SUB) as usize;

#[derive(Clone)]
pub struct Histogram {
  counts: Vec<u64>,
  count: u64,
  sum: f64,
  min: u64,
  max: u64,
}

/// Percentiles are in the unit the values were recorded in.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HistogramSummary {
  pub count: u64,
  pub min: f64,
  pub max: f64,
  pub mean: f64,
  pub p50: f64,
  pub p95: f64,
  pub p99: f64,
}

fn index_of(value: u64) -> usize {
  if value < LINEAR {
    return value as usize;
  }
  let exp = 63 - value.leading_zeros(); // >= 6
  let mantissa = (value >> (exp - SUB_BITS)) & (SUB - 1);
  (LINEAR + (exp as u64 - 6) * SUB + mantissa) as usize
}

/// Midpoint of the values that share the bucket at `index`.
fn value_of(index: usize) -> f64 {
  let index = index as u64;
  if index < LINEAR {
    return index as f64;
  }
  let exp = (index - LINEAR) / SUB + 6;
  let mantissa = (index - LINEAR) % SUB;
  let width = 1u64 << (exp - SUB_BITS as u64);
  let low = (SUB + mantissa) * width;
  low as f64 + (width - 1) as f64 / 2.0
}

impl Default for Histogram {
  fn default() -> Self {
    Self::new()
  }
}

impl Histogram {
  pub fn new() -> Self {
    Self { counts: vec![0; BUCKETS], count: 0, sum: 0.0, min: u64::MAX, max: 0 }
  }

  pub fn record(&mut self, value: u64) {
    self.record_n(value, 1);
  }

  /// Records `value` `n` times at once.
  pub fn record_n(&mut self, value: u64, n: u64) {
    if n == 0 {
      return;
    }
    self.counts[index_of(value)] += n;
    self.count += n;
    self.sum += value as f64 * n as f64;
    self.min = self.min.min(value);
    self.max = self.max.max(value);
  }

  /// Records a non-negative float rounded to the nearest integer; NaN and
  /// negatives count as 0 so a bad caller can't poison the distribution.
  pub fn record_f64(&mut self, value: f64) {
    let v = if value.is_finite() && value > 0.0 { value.round().min(u64::MAX as f64) as u64 } else { 0 };
    self.record(v);
  }

  pub fn count(&self) -> u64 {
    self.count
  }

  pub fn reset(&mut self) {
    self.counts.iter_mut().for_each(|c| *c = 0);
    self.count = 0;
    self.sum = 0.0;
    self.min = u64::MAX;
    self.max = 0;
  }

  /// `p` in 0..=100. Returns 0 when empty. The result is clamped to the exact
  /// recorded min and max, so p100 is the true maximum.
  pub fn percentile(&self, p: f64) -> f64 {
    if self.count == 0 {
      return 0.0;
    }
    let p = if p.is_nan() { 50.0 } else { p.clamp(0.0, 100.0) };
    let rank = ((p / 100.0) * self.count as f64).ceil().max(1.0) as u64;
    let mut seen = 0;
    for (index, &c) in self.counts.iter().enumerate() {
      seen += c;
      if seen >= rank {
        return value_of(index).clamp(self.min as f64, self.max as f64);
      }
    }
    self.max as f64
  }

  pub fn summary(&self) -> HistogramSummary {
    if self.count == 0 {
      return HistogramSummary::default();
    }
    HistogramSummary {
      count: self.count,
      min: self.min as f64,
      max: self.max as f64,
      mean: self.sum / self.count as f64,
      p50: self.percentile(50.0),
      p95: self.percentile(95.0),
      p99: self.percentile(99.0),
    }
  }

  /// The same summary with every value multiplied by `scale` (e.g. us -> ms).
  pub fn summary_scaled(&self, scale: f64) -> HistogramSummary {
    let s = self.summary();
    HistogramSummary {
      count: s.count,
      min: s.min * scale,
      max: s.max * scale,
      mean: s.mean * scale,
      p50: s.p50 * scale,
      p95: s.p95 * scale,
      p99: s.p99 * scale,
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn small_values_are_exact() {
    let mut h = Histogram::new();
    for v in 1..=50 {
      h.record(v);
    }
    assert_eq!(h.percentile(50.0), 25.0);
    assert_eq!(h.percentile(100.0), 50.0);
    assert_eq!(h.summary().min, 1.0);
    assert_eq!(h.summary().mean, 25.5);
  }

  #[test]
  fn large_values_within_three_percent() {
    for &v in &[100u64, 1_000, 16_000, 1_234_567, u64::MAX / 3] {
      let mut h = Histogram::new();
      h.record(1);
      h.record(v);
      h.record(v);
      let got = h.percentile(99.0);
      let err = (got - v as f64).abs() / v as f64;
      assert!(err < 0.03, "value {v} reported as {got}");
    }
  }

  #[test]
  fn index_is_monotonic_and_in_range() {
    let mut last = 0;
    let mut v = 1u64;
    while v < u64::MAX / 2 {
      let i = index_of(v);
      assert!(i >= last && i < BUCKETS);
      last = i;
      v = v + v / 7 + 1;
    }
    assert!(index_of(u64::MAX) < BUCKETS);
  }

  #[test]
  fn percentiles_of_a_uniform_spread() {
    let mut h = Histogram::new();
    for v in 1..=10_000u64 {
      h.record(v);
    }
    let p99 = h.percentile(99.0);
    assert!((p99 - 9_900.0).abs() / 9_900.0 < 0.03, "p99 {p99}");
    let p50 = h.percentile(50.0);
    assert!((p50 - 5_000.0).abs() / 5_000.0 < 0.03, "p50 {p50}");
  }

  #[test]
  fn bad_floats_do_not_poison() {
    let mut h = Histogram::new();
    h.record_f64(f64::NAN);
    h.record_f64(-5.0);
    h.record_f64(f64::INFINITY);
    h.record_f64(2.6);
    assert_eq!(h.count(), 4);
    assert_eq!(h.summary().max, 3.0);
    h.reset();
    assert_eq!(h.summary(), HistogramSummary::default());
  }
}
