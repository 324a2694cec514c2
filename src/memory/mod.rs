//! MemoryManager's core: a bounded ring of samples, the trend over it and the
//! pressure level. Pure Rust; the binding adds the sampler thread's delivery.
pub mod platform;
pub mod pressure;
pub mod sampler;
pub mod shared;
pub mod trend;

use pressure::{Level, Pressure};
use std::collections::VecDeque;
use trend::{Trend, TrendRule};

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sample {
  /// Monotonic ms; a suspend gap is folded to one interval (see `push`).
  pub at_ms: f64,
  pub rss_bytes: f64,
  pub heap_used_bytes: f64,
  pub external_bytes: f64,
  pub array_buffers_bytes: f64,
  pub cpu_user_pct: f64,
  pub cpu_system_pct: f64,
}

#[derive(Clone, Copy, Debug)]
pub struct Config {
  pub window_samples: usize,
  pub interval_ms: f64,
  /// Pressure and trend follow the JS heap (`heapUsed`) instead of RSS.
  pub on_heap: bool,
  pub warning_bytes: f64,
  pub critical_bytes: f64,
  pub hysteresis: f64,
  pub rule: TrendRule,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
  pub latest: Sample,
  pub samples: usize,
  pub trend: Trend,
  pub growth_bytes_per_hour: f64,
  pub r2: f64,
  pub pressure: Level,
  pub cpu_avg_pct: f64,
  pub cpu_peak_pct: f64,
  pub suspends: u32,
}

pub struct MemoryCore {
  config: Config,
  ring: VecDeque<Sample>,
  pressure: Pressure,
  /// Last real (unfolded) tick time, to see suspends.
  last_real_ms: Option<f64>,
  suspends: u32,
}

impl MemoryCore {
  pub fn new(config: Config) -> Self {
    Self {
      ring: VecDeque::with_capacity(config.window_samples.max(1)),
      pressure: Pressure::new(config.warning_bytes, config.critical_bytes, config.hysteresis),
      config,
      last_real_ms: None,
      suspends: 0,
    }
  }

  /// A gap of more than max(5 s, 5 intervals) between ticks is a system suspend.
  fn suspend_gap_ms(&self) -> f64 {
    (5.0 * self.config.interval_ms).max(5000.0)
  }

  /// Adds one sample; returns the pressure level when it changed. A suspend
  /// gap counts as one interval on the trend's time axis, so it is not growth.
  pub fn push(&mut self, mut s: Sample, os: Level) -> Option<Level> {
    let real = s.at_ms;
    if let (Some(last_real), Some(last)) = (self.last_real_ms, self.ring.back()) {
      let gap = real - last_real;
      s.at_ms = last.at_ms + if gap > self.suspend_gap_ms() { self.config.interval_ms } else { gap.max(0.0) };
      if gap > self.suspend_gap_ms() {
        self.suspends += 1;
      }
    }
    self.last_real_ms = Some(real);
    if self.ring.len() == self.config.window_samples.max(1) {
      self.ring.pop_front();
    }
    self.ring.push_back(s);
    self.pressure.update(self.watched(&s), os)
  }

  fn watched(&self, s: &Sample) -> f64 {
    if self.config.on_heap {
      s.heap_used_bytes
    } else {
      s.rss_bytes
    }
  }

  pub fn level(&self) -> Level {
    self.pressure.level()
  }

  /// The newest sample, if any.
  pub fn latest(&self) -> Option<Sample> {
    self.ring.back().copied()
  }

  pub fn clear(&mut self) {
    self.ring.clear();
    self.last_real_ms = None;
  }

  pub fn stats(&self) -> Stats {
    let points: Vec<(f64, f64)> = self.ring.iter().map(|s| (s.at_ms, self.watched(s))).collect();
    let (trend, growth, r2) = trend::judge(&points, &self.config.rule);
    let cpu: Vec<f64> = self.ring.iter().skip(1).map(|s| s.cpu_user_pct + s.cpu_system_pct).collect();
    let cpu_avg = if cpu.is_empty() { 0.0 } else { cpu.iter().sum::<f64>() / cpu.len() as f64 };
    Stats {
      latest: self.ring.back().copied().unwrap_or_default(),
      samples: self.ring.len(),
      trend,
      growth_bytes_per_hour: growth,
      r2,
      pressure: self.pressure.level(),
      cpu_avg_pct: cpu_avg,
      cpu_peak_pct: cpu.iter().copied().fold(0.0, f64::max),
      suspends: self.suspends,
    }
  }
}

#[cfg(test)]
pub(crate) mod tests {
  use super::*;

  /// A core with thresholds at 1000 / 2000 bytes and a 100 ms interval.
  pub(crate) fn core(window: usize) -> MemoryCore {
    MemoryCore::new(Config {
      window_samples: window,
      interval_ms: 100.0,
      on_heap: false,
      warning_bytes: 1000.0,
      critical_bytes: 2000.0,
      hysteresis: 0.1,
      rule: TrendRule::default(),
    })
  }

  fn at(ms: f64, rss: f64) -> Sample {
    Sample { at_ms: ms, rss_bytes: rss, ..Sample::default() }
  }

  #[test]
  fn ring_is_bounded_and_pressure_reported_on_change() {
    let mut c = core(3);
    assert_eq!(c.push(at(0.0, 500.0), Level::Normal), None);
    assert_eq!(c.push(at(100.0, 1500.0), Level::Normal), Some(Level::Warning));
    c.push(at(200.0, 1500.0), Level::Normal);
    c.push(at(300.0, 1500.0), Level::Normal);
    assert_eq!(c.stats().samples, 3);
    assert_eq!(c.stats().latest.rss_bytes, 1500.0);
  }

  #[test]
  fn a_suspend_is_neither_growth_nor_a_gap() {
    let mut c = core(120);
    let mb = 1024.0 * 1024.0;
    for i in 0..20 {
      c.push(at(i as f64 * 100.0, 100.0 * mb), Level::Normal);
    }
    // The machine sleeps for an hour; memory after waking is a little higher.
    for i in 0..20 {
      c.push(at(3_600_000.0 + i as f64 * 100.0, 101.0 * mb), Level::Normal);
    }
    let s = c.stats();
    assert_eq!(s.suspends, 1);
    assert_ne!(s.trend, Trend::Growing);
    assert!(c.ring.back().unwrap().at_ms < 5_000.0);
  }
}
