//! The monitor's histogram: log-linear (HDR-style) counts in nanosecond units
//! with 64 sub-buckets per power of two, so any percentile is within 1/128
//! (0.8%) of a recorded value from 1 us to 104 days; `metrics::Histogram`
//! (32 sub-buckets, ~1.6%) misses the 1% bound the README promises.
//! Beside the log-linear counts it keeps exact counts per Prometheus bucket
//! bound (a value lands in the first bound it is <= to, as prom-client does).

const SUB_BITS: u32 = 6;
const SUB: u64 = 1 << SUB_BITS;
const LINEAR: u64 = 2 * SUB;
/// Values at or above 2^53 ns land in the top bucket (min/max stay exact).
const TOP_EXP: u64 = 52;
const BUCKETS: usize = (LINEAR + (TOP_EXP - 6) * SUB) as usize;
/// Recorded values are scaled to integer nanoseconds when given in ms.
pub const UNITS_PER_VALUE: f64 = 1e6;

/// Prometheus bucket bounds used when none are set, in the recorded unit (ms).
pub const DEFAULT_BOUNDS: [f64; 14] =
  [0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0];

fn index_of(units: u64) -> usize {
  let v = units.min((1u64 << (TOP_EXP + 1)) - 1);
  if v < LINEAR {
    return v as usize;
  }
  let exp = 63 - v.leading_zeros() as u64; // 7..=TOP_EXP
  let mantissa = (v >> (exp - SUB_BITS as u64)) & (SUB - 1);
  (LINEAR + (exp - 7) * SUB + mantissa) as usize
}

/// Midpoint of the values sharing bucket `index`.
fn value_of(index: usize) -> f64 {
  let index = index as u64;
  if index < LINEAR {
    return index as f64;
  }
  let exp = (index - LINEAR) / SUB + 7;
  let mantissa = (index - LINEAR) % SUB;
  let width = 1u64 << (exp - SUB_BITS as u64);
  ((SUB + mantissa) * width) as f64 + (width - 1) as f64 / 2.0
}

/// The figures `getMetrics()` reports for one histogram, in the recorded unit.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
  pub count: u64,
  pub sum: f64,
  pub min: f64,
  pub max: f64,
  pub mean: f64,
  pub p50: f64,
  pub p90: f64,
  pub p95: f64,
  pub p99: f64,
  pub p999: f64,
}

#[derive(Clone, Debug)]
pub struct LogHistogram {
  counts: Box<[u64]>,
  count: u64,
  sum: f64,
  min: f64,
  max: f64,
  bounds: Box<[f64]>,
  /// Non-cumulative; the last slot counts values above every bound (+Inf).
  bucket_counts: Box<[u64]>,
  /// The Prometheus slot of every value in each log-linear bucket, or
  /// `STRADDLES` when a bound falls inside it (then the value is compared).
  slot_of: Box<[u8]>,
}

const STRADDLES: u8 = u8::MAX;
/// At most this many bucket bounds (the JS front checks).
pub const MAX_BOUNDS: usize = 254;

/// The lowest and highest integer units sharing bucket `index`.
fn units_of(index: usize) -> (u64, u64) {
  let i = index as u64;
  if i < LINEAR {
    return (i, i);
  }
  let exp = (i - LINEAR) / SUB + 7;
  let width = 1u64 << (exp - SUB_BITS as u64);
  let low = (SUB + (i - LINEAR) % SUB) * width;
  (low, low + width - 1)
}

fn slots(bounds: &[f64]) -> Box<[u8]> {
  (0..BUCKETS)
    .map(|index| {
      let (lo, hi) = units_of(index);
      // Values that round into this bucket lie in [v_lo, v_hi).
      let (v_lo, v_hi) = ((lo as f64 - 0.5).max(0.0) / UNITS_PER_VALUE, (hi as f64 + 0.5) / UNITS_PER_VALUE);
      let straddles = index + 1 == BUCKETS
        || bounds.iter().any(|&b| b >= v_lo * (1.0 - 1e-9) - 1e-12 && b < v_hi * (1.0 + 1e-9) + 1e-12);
      if straddles {
        STRADDLES
      } else {
        bounds.partition_point(|b| *b < v_lo) as u8
      }
    })
    .collect()
}

impl LogHistogram {
  /// `bounds` must be finite and strictly increasing (the JS front checks).
  pub fn new(bounds: &[f64]) -> Self {
    Self {
      counts: vec![0; BUCKETS].into_boxed_slice(),
      count: 0,
      sum: 0.0,
      min: f64::INFINITY,
      max: 0.0,
      bounds: bounds[..bounds.len().min(MAX_BOUNDS)].into(),
      bucket_counts: vec![0; bounds.len().min(MAX_BOUNDS) + 1].into_boxed_slice(),
      slot_of: slots(&bounds[..bounds.len().min(MAX_BOUNDS)]),
    }
  }

  /// NaN and negatives count as 0, so a bad caller can't poison the figures.
  #[inline]
  pub fn record(&mut self, value: f64) {
    let v = if value > 0.0 && value.is_finite() { value } else { 0.0 };
    // Nearest unit (v >= 0); `round()` would be a libm call per value on baseline x86-64. The cast saturates.
    let units = (v * UNITS_PER_VALUE + 0.5) as u64;
    let index = index_of(units);
    self.counts[index] += 1;
    self.count += 1;
    self.sum += v;
    self.min = self.min.min(v);
    self.max = self.max.max(v);
    let slot = match self.slot_of[index] {
      STRADDLES => self.bounds.partition_point(|b| *b < v),
      slot => slot as usize,
    };
    self.bucket_counts[slot] += 1;
  }

  pub fn count(&self) -> u64 {
    self.count
  }

  pub fn bounds(&self) -> &[f64] {
    &self.bounds
  }

  /// `(le, cumulative count)` per bound, then `(+Inf, count)`.
  pub fn cumulative_buckets(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
    let mut running = 0;
    self.bucket_counts.iter().enumerate().map(move |(i, c)| {
      running += c;
      (self.bounds.get(i).copied().unwrap_or(f64::INFINITY), running)
    })
  }

  pub fn reset(&mut self) {
    self.counts.fill(0);
    self.bucket_counts.fill(0);
    self.count = 0;
    self.sum = 0.0;
    self.min = f64::INFINITY;
    self.max = 0.0;
  }

  /// Adds `other`'s counts (same bounds) into this one: rolling windows merge slots.
  pub fn merge(&mut self, other: &LogHistogram) {
    for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
      *a += b;
    }
    for (a, b) in self.bucket_counts.iter_mut().zip(other.bucket_counts.iter()) {
      *a += b;
    }
    self.count += other.count;
    self.sum += other.sum;
    self.min = self.min.min(other.min);
    self.max = self.max.max(other.max);
  }

  /// Values for each `p` in 0..=100 (ascending), clamped to the exact min/max.
  pub fn percentiles<const N: usize>(&self, ps: [f64; N]) -> [f64; N] {
    let mut out = [0.0; N];
    if self.count == 0 {
      return out;
    }
    let mut seen = 0u64;
    let mut next = 0;
    for (index, &c) in self.counts.iter().enumerate() {
      if c == 0 {
        continue;
      }
      seen += c;
      while next < N && seen >= rank(ps[next], self.count) {
        out[next] = (value_of(index) / UNITS_PER_VALUE).clamp(self.min, self.max);
        next += 1;
      }
      if next == N {
        break;
      }
    }
    for slot in out.iter_mut().skip(next) {
      *slot = self.max;
    }
    out
  }

  pub fn summary(&self) -> Summary {
    if self.count == 0 {
      return Summary::default();
    }
    let [p50, p90, p95, p99, p999] = self.percentiles([50.0, 90.0, 95.0, 99.0, 99.9]);
    Summary {
      count: self.count,
      sum: self.sum,
      min: self.min,
      max: self.max,
      mean: self.sum / self.count as f64,
      p50,
      p90,
      p95,
      p99,
      p999,
    }
  }
}

fn rank(p: f64, count: u64) -> u64 {
  ((p.clamp(0.0, 100.0) / 100.0) * count as f64).ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
  use super::*;

  fn relative_error(got: f64, want: f64) -> f64 {
    (got - want).abs() / want
  }

  #[test]
  fn every_value_from_1us_to_1h_within_one_percent() {
    let mut v = 0.001; // 1 us in ms
    while v <= 3.6e6 {
      let mut h = LogHistogram::new(&DEFAULT_BOUNDS);
      h.record(0.0);
      h.record(v);
      h.record(v);
      let [p50, p99] = h.percentiles([50.0, 99.0]);
      assert!(relative_error(p99, v) <= 0.01 && relative_error(p50, v) <= 0.01, "{v} read as {p50}/{p99}");
      v *= 1.0137;
    }
  }

  #[test]
  fn percentiles_of_a_uniform_spread_and_summary() {
    let mut h = LogHistogram::new(&DEFAULT_BOUNDS);
    for v in 1..=10_000 {
      h.record(v as f64);
    }
    let s = h.summary();
    assert_eq!((s.count, s.min, s.max), (10_000, 1.0, 10_000.0));
    assert!(relative_error(s.p50, 5_000.0) <= 0.01 && relative_error(s.p999, 9_990.0) <= 0.01);
    assert!((s.mean - 5_000.5).abs() < 1e-9);
  }

  #[test]
  fn prometheus_buckets_are_exact_and_cumulative() {
    let mut h = LogHistogram::new(&[1.0, 10.0]);
    for v in [0.5, 1.0, 1.0000001, 10.0, 11.0, f64::NAN] {
      h.record(v);
    }
    let got: Vec<_> = h.cumulative_buckets().collect();
    assert_eq!(got, vec![(1.0, 3), (10.0, 5), (f64::INFINITY, 6)]);
  }

  #[test]
  fn slot_table_agrees_with_comparing_every_value() {
    let bounds = [0.005, 0.5, 1.0, 2.5, 100.0, 1e4];
    let mut h = LogHistogram::new(&bounds);
    let mut want = vec![0u64; bounds.len() + 1];
    let mut v = 1e-7;
    while v < 1e8 {
      for x in [v, v * 1.0000001, v * 0.9999999] {
        h.record(x);
        want[bounds.partition_point(|b| *b < x)] += 1;
      }
      v *= 1.001;
    }
    for b in bounds {
      h.record(b);
      want[bounds.partition_point(|x| *x < b)] += 1;
    }
    assert_eq!(&h.bucket_counts[..], &want[..]);
  }

  #[test]
  fn index_is_monotonic_and_in_range() {
    let mut last = 0;
    let mut v = 1u64;
    while v < u64::MAX / 2 {
      let i = index_of(v);
      assert!(i >= last && i < BUCKETS);
      last = i;
      v = v + v / 9 + 1;
    }
    assert!(index_of(u64::MAX) < BUCKETS);
  }

  #[test]
  fn merge_and_reset() {
    let mut a = LogHistogram::new(&DEFAULT_BOUNDS);
    let mut b = LogHistogram::new(&DEFAULT_BOUNDS);
    a.record(1.0);
    b.record(3.0);
    a.merge(&b);
    assert_eq!(a.summary().count, 2);
    assert_eq!(a.summary().max, 3.0);
    a.reset();
    assert_eq!(a.summary(), Summary::default());
  }
}
