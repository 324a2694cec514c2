//! A rolling window over a histogram: `slots` sub-histograms, each covering
//! `window_ms / slots`; the oldest is cleared as time moves on, so a summary
//! covers between `window_ms` and `window_ms + window_ms / slots` and no
//! sample is stored.
use super::histogram::{LogHistogram, Summary};

pub struct Window {
  slots: Vec<LogHistogram>,
  slot_ms: f64,
  current: usize,
  /// Monotonic ms at which the current slot began (`None` before the first advance).
  started: Option<f64>,
}

impl Window {
  pub fn new(bounds: &[f64], window_ms: f64, slots: usize) -> Self {
    let slots = slots.max(1);
    Self {
      slots: (0..=slots).map(|_| LogHistogram::new(bounds)).collect(),
      slot_ms: window_ms / slots as f64,
      current: 0,
      started: None,
    }
  }

  #[inline]
  pub fn record(&mut self, value: f64) {
    self.slots[self.current].record(value);
  }

  /// Moves to the slot covering `now_ms`, clearing every slot skipped over.
  pub fn advance(&mut self, now_ms: f64) {
    let Some(started) = self.started else {
      self.started = Some(now_ms);
      return;
    };
    let steps = ((now_ms - started) / self.slot_ms).floor();
    if steps < 1.0 {
      return;
    }
    let n = self.slots.len();
    for _ in 0..(steps as usize).min(n) {
      self.current = (self.current + 1) % n;
      self.slots[self.current].reset();
    }
    self.started = Some(started + steps * self.slot_ms);
  }

  pub fn reset(&mut self) {
    self.slots.iter_mut().for_each(LogHistogram::reset);
  }

  pub fn summary(&self) -> Summary {
    let mut all = self.slots[0].clone();
    for s in &self.slots[1..] {
      all.merge(s);
    }
    all.summary()
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn old_values_leave_the_window() {
    let mut w = Window::new(&[1.0], 1000.0, 4);
    w.advance(0.0);
    w.record(100.0);
    w.advance(600.0);
    w.record(1.0);
    assert_eq!(w.summary().count, 2);
    w.advance(1300.0); // the slot holding 100 is > 1000 + 250 ms old
    let s = w.summary();
    assert_eq!((s.count, s.max), (1, 1.0));
    w.advance(10_000.0);
    assert_eq!(w.summary().count, 0);
  }
}
