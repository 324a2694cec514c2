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
  fn the_os_signal_raises_but_does_not_stick() {
    let mut p = Pressure::new(100.0, 200.0, 0.1);
    assert_eq!(p.update(10.0, Warning), Some(Warning));
    assert_eq!(p.update(10.0, Warning), None);
    assert_eq!(p.update(10.0, Normal), Some(Normal));
    assert_eq!(p.update(250.0, Normal), Some(Critical));
  }
}
