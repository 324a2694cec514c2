//! Memory pressure levels with hysteresis: a level is entered at its
//! threshold and left only below `threshold * (1 - hysteresis)`, so a value
//! hovering at a threshold does not flap. An OS signal can raise the level.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
  Normal,
  Warning,
  Critical,
}

impl Level {
  pub fn as_str(self) -> &'static str {
    match self {
      Level::Normal => "normal",
      Level::Warning => "warning",
      Level::Critical => "critical",
    }
  }
}

#[derive(Clone, Copy, Debug)]
pub struct Pressure {
  pub warning: f64,
  pub critical: f64,
  pub hysteresis: f64,
  by_threshold: Level,
  level: Level,
}

impl Pressure {
  pub fn new(warning: f64, critical: f64, hysteresis: f64) -> Self {
    Self { warning, critical, hysteresis, by_threshold: Level::Normal, level: Level::Normal }
  }

  pub fn level(&self) -> Level {
    self.level
  }

  /// Feeds one value (and the OS's own level); returns the new level when it changed.
  pub fn update(&mut self, value: f64, os: Level) -> Option<Level> {
    let keep = 1.0 - self.hysteresis;
    let (w, c) = (self.warning, self.critical);
    self.by_threshold = match self.by_threshold {
      _ if value >= c => Level::Critical,
      Level::Critical if value >= c * keep => Level::Critical,
      Level::Normal if value >= w => Level::Warning,
      Level::Warning | Level::Critical if value >= w * keep => Level::Warning,
      _ => Level::Normal,
    };
    let next = self.by_threshold.max(os);
    (next != self.level).then(|| {
      self.level = next;
      next
    })
  }
}

/// Thresholds on Linux PSI (percent of the last 10 s): tasks waiting for
/// memory some of the time raise a warning; all of them, critical.
#[derive(Clone, Copy, Debug)]
pub struct OsThresholds {
  pub warning_some: f64,
  pub critical_full: f64,
}

impl OsThresholds {
  /// The OS's level for a `(some avg10, full avg10)` reading; normal without one.
  pub fn level(&self, reading: Option<(f64, f64)>) -> Level {
    match reading {
      Some((_, full)) if full >= self.critical_full => Level::Critical,
      Some((some, _)) if some >= self.warning_some => Level::Warning,
      _ => Level::Normal,
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use Level::*;

  #[test]
  fn levels_rise_at_thresholds_and_clear_below_the_hysteresis_band() {
    let mut p = Pressure::new(100.0, 200.0, 0.1);
    let mut seen = Vec::new();
    for v in [50.0, 100.0, 95.0, 91.0, 89.0, 150.0, 200.0, 185.0, 179.0, 85.0, 0.0] {
      seen.push((v, p.update(v, Normal)));
    }
    let changes: Vec<_> = seen.iter().filter_map(|(v, c)| c.map(|c| (*v, c))).collect();
    assert_eq!(
      changes,
      vec![(100.0, Warning), (89.0, Normal), (150.0, Warning), (200.0, Critical), (179.0, Warning), (85.0, Normal)]
    );
  }

  #[test]
  fn psi_readings_map_to_levels() {
    let t = OsThresholds { warning_some: 10.0, critical_full: 5.0 };
    assert_eq!(t.level(None), Normal);
    assert_eq!(t.level(Some((9.9, 4.9))), Normal);
    assert_eq!(t.level(Some((10.0, 0.0))), Warning);
    assert_eq!(t.level(Some((0.0, 5.0))), Critical);
  }

  #[test]
  fn the_os_signal_raises_but_does_not_stick() {
    let mut p = Pressure::new(100.0, 200.0, 0.1);
    assert_eq!(p.update(10.0, Warning), Some(Warning));
    assert_eq!(p.update(10.0, Warning), None);
    assert_eq!(p.update(10.0, Normal), Some(Normal));
    assert_eq!(p.update(250.0, Normal), Some(Critical));
  }
}
