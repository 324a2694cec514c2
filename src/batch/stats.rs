//! What batching did: frames, flush reasons, batch sizes, queue waits.
use crate::metrics::{Histogram, HistogramSummary};
use std::time::Duration;

/// Why a frame left. The one definition: JS passes it as `BindingFlushReason.Time`
/// (a numeric enum, cheaper per frame than a string), metrics key counts by `name()`,
/// and the public TS type is derived from it (`Lowercase<keyof typeof ...>`).
#[cfg_attr(feature = "binding", napi_derive::napi(js_name = "BindingFlushReason"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlushReason {
  /// maxBatchSize messages were queued.
  Size,
  /// maxBatchBytes (estimated) were queued.
  Bytes,
  /// The batch's deadline passed.
  Time,
  /// A critical message flushed what was pending.
  Priority,
  /// `flush()`.
  Manual,
  /// `close()`.
  Close,
  /// A target became ready (markReady, an ack that reopened it).
  Ready,
  /// Adaptive batching: the message reached an idle target and left at once.
  Idle,
}

impl FlushReason {
  pub const COUNT: usize = 8;
  pub const ALL: [FlushReason; Self::COUNT] = [
    FlushReason::Size,
    FlushReason::Bytes,
    FlushReason::Time,
    FlushReason::Priority,
    FlushReason::Manual,
    FlushReason::Close,
    FlushReason::Ready,
    FlushReason::Idle,
  ];

  /// The key in `getMetrics().flushReasons`: the variant's name in lower case.
  pub fn name(self) -> &'static str {
    match self {
      FlushReason::Size => "size",
      FlushReason::Bytes => "bytes",
      FlushReason::Time => "time",
      FlushReason::Priority => "priority",
      FlushReason::Manual => "manual",
      FlushReason::Close => "close",
      FlushReason::Ready => "ready",
      FlushReason::Idle => "idle",
    }
  }
}

#[derive(Default)]
pub struct BatchStats {
  pub frames: u64,
  pub messages_out: u64,
  pub reasons: [u64; FlushReason::COUNT],
  batch_size: Histogram,
  frame_bytes: Histogram,
  /// Wait of the oldest message of each batch, exact, in microseconds.
  batch_age_us: Histogram,
  /// Wait of sampled messages (1 in N), in microseconds.
  queue_wait_us: Histogram,
}

pub struct StatsSnapshot {
  pub frames: u64,
  pub messages_out: u64,
  pub reasons: [(&'static str, u64); FlushReason::COUNT],
  pub batch_size: HistogramSummary,
  pub frame_bytes: HistogramSummary,
  pub batch_age_ms: HistogramSummary,
  pub queue_wait_ms: HistogramSummary,
}

impl BatchStats {
  pub fn new() -> Self {
    Self::default()
  }

  pub fn record_flush(
    &mut self,
    reason: FlushReason,
    count: u32,
    bytes: f64,
    batch_age: Option<Duration>,
    sampled_waits_ms: &[f64],
  ) {
    self.frames += 1;
    self.messages_out += count as u64;
    self.reasons[reason as usize] += 1;
    self.batch_size.record(count as u64);
    if bytes > 0.0 {
      self.frame_bytes.record_f64(bytes);
    }
    if let Some(age) = batch_age {
      self.batch_age_us.record(age.as_micros().min(u64::MAX as u128) as u64);
    }
    for &wait in sampled_waits_ms {
      self.queue_wait_us.record_f64(wait * 1000.0);
    }
  }

  /// `sends` idle messages that left alone as plain sends (adaptive batching),
  /// `sampled` of them with their wait (none: they never queued). Folded in
  /// when metrics are read, so the send itself makes no native call.
  pub fn record_idle_sends(&mut self, sends: u32, sampled: u32) {
    let sends = sends as u64;
    self.frames += sends;
    self.messages_out += sends;
    self.reasons[FlushReason::Idle as usize] += sends;
    self.batch_size.record_n(1, sends);
    self.queue_wait_us.record_n(0, sampled as u64);
  }

  pub fn snapshot(&self) -> StatsSnapshot {
    let mut reasons = [("", 0); FlushReason::COUNT];
    for (slot, reason) in reasons.iter_mut().zip(FlushReason::ALL) {
      *slot = (reason.name(), self.reasons[reason as usize]);
    }
    StatsSnapshot {
      frames: self.frames,
      messages_out: self.messages_out,
      reasons,
      batch_size: self.batch_size.summary(),
      frame_bytes: self.frame_bytes.summary(),
      batch_age_ms: self.batch_age_us.summary_scaled(0.001),
      queue_wait_ms: self.queue_wait_us.summary_scaled(0.001),
    }
  }

  pub fn reset(&mut self) {
    *self = Self::default();
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn records_reasons_sizes_and_waits() {
    let mut s = BatchStats::new();
    s.record_flush(FlushReason::Size, 50, 0.0, Some(Duration::from_millis(4)), &[1.0, 2.0]);
    s.record_flush(FlushReason::Time, 10, 2048.0, Some(Duration::from_millis(16)), &[16.0]);
    let snap = s.snapshot();
    assert_eq!(snap.frames, 2);
    assert_eq!(snap.messages_out, 60);
    assert_eq!(snap.reasons[0], ("size", 1));
    assert_eq!(snap.reasons[2], ("time", 1));
    assert_eq!(snap.batch_size.max, 50.0);
    assert_eq!(snap.frame_bytes.count, 1);
    assert!((snap.batch_age_ms.max - 16.0).abs() < 0.5);
    assert_eq!(snap.queue_wait_ms.count, 3);
    assert!((snap.queue_wait_ms.p50 - 2.0).abs() < 0.1);
  }

  #[test]
  fn idle_sends_count_as_frames_of_one_that_never_waited() {
    let mut s = BatchStats::new();
    s.record_flush(FlushReason::Size, 50, 0.0, None, &[]);
    s.record_idle_sends(3, 1);
    s.record_idle_sends(0, 0);
    let snap = s.snapshot();
    assert_eq!((snap.frames, snap.messages_out), (4, 53));
    assert_eq!(snap.reasons[FlushReason::Idle as usize], ("idle", 3));
    assert_eq!((snap.batch_size.count, snap.batch_size.min, snap.batch_size.max), (4, 1.0, 50.0));
    assert_eq!((snap.queue_wait_ms.count, snap.queue_wait_ms.max), (1, 0.0));
  }

  #[test]
  fn every_reason_is_listed_once_with_its_lower_case_name() {
    for (i, r) in FlushReason::ALL.iter().enumerate() {
      assert_eq!(*r as usize, i);
      assert_eq!(r.name(), format!("{r:?}").to_lowercase());
    }
  }
}
