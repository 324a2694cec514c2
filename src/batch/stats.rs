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

/// Values before a frame record's waits: reason, count, bytes, age_ms, n.
pub const FRAME_RECORD_HEAD: usize = 5;

/// A frame record that does not follow the layout, at index `at`.
#[derive(Debug, PartialEq, Eq)]
pub struct FrameRecordError {
  pub at: usize,
}

/// A non-negative whole number that fits an index.
fn whole(value: f64) -> Option<usize> {
  (value >= 0.0 && value.fract() == 0.0 && value <= u32::MAX as f64).then_some(value as usize)
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

  /// Frames recorded in bulk. JS writes one record per frame into a plain
  /// `Float64Array`: `[reason, count, bytes, age_ms, n, wait_ms × n]` (see
  /// `FRAME_RECORD_HEAD`), with `age_ms < 0` when the batch's age is unknown.
  /// So a frame sent in the turn that opened it makes no native call.
  /// Returns how many frames were read; a malformed record stops the read and
  /// leaves the records before it counted.
  pub fn record_frames(&mut self, records: &[f64]) -> Result<usize, FrameRecordError> {
    let mut at = 0;
    let mut frames = 0;
    while at < records.len() {
      let head = records.get(at..at + FRAME_RECORD_HEAD).ok_or(FrameRecordError { at })?;
      let reason = whole(head[0]).and_then(|r| FlushReason::ALL.get(r)).ok_or(FrameRecordError { at })?;
      let count = whole(head[1]).and_then(|c| u32::try_from(c).ok()).ok_or(FrameRecordError { at })?;
      let waits_len = whole(head[4]).ok_or(FrameRecordError { at })?;
      let start = at + FRAME_RECORD_HEAD;
      let waits = records.get(start..start + waits_len).ok_or(FrameRecordError { at })?;
      let age = (head[3].is_finite() && head[3] >= 0.0).then(|| Duration::from_secs_f64(head[3].min(3.6e9) / 1000.0));
      self.record_flush(*reason, count, head[2], age, waits);
      frames += 1;
      at = start + waits_len;
    }
    Ok(frames)
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
  fn frame_records_read_in_bulk_as_one_record_flush_each() {
    let mut s = BatchStats::new();
    let size = FlushReason::Size as usize as f64;
    let time = FlushReason::Time as usize as f64;
    let records = [size, 50.0, 0.0, 4.0, 2.0, 1.0, 2.0, time, 10.0, 2048.0, -1.0, 0.0];
    assert_eq!(s.record_frames(&records), Ok(2));
    let snap = s.snapshot();
    assert_eq!((snap.frames, snap.messages_out), (2, 60));
    assert_eq!((snap.reasons[0], snap.reasons[2]), (("size", 1), ("time", 1)));
    assert_eq!(snap.batch_age_ms.count, 1, "an age below zero is unknown, not recorded");
    assert!((snap.batch_age_ms.max - 4.0).abs() < 0.1);
    assert_eq!((snap.queue_wait_ms.count, snap.frame_bytes.count), (2, 1));
  }

  #[test]
  fn a_malformed_frame_record_stops_the_read_where_it_starts() {
    let size = FlushReason::Size as usize as f64;
    let good = [size, 1.0, 0.0, 0.0, 0.0];
    for (bad, at) in [
      (vec![99.0, 1.0, 0.0, 0.0, 0.0], 5),      // no such reason
      (vec![size, 1.5, 0.0, 0.0, 0.0], 5),      // count not whole
      (vec![size, 1.0, 0.0, 0.0, 3.0, 1.0], 5), // claims 3 waits, has 1
      (vec![size, 1.0, 0.0], 5),                // cut short
      (vec![size, -1.0, 0.0, 0.0, 0.0], 5),     // negative count
    ] {
      let mut s = BatchStats::new();
      let records: Vec<f64> = good.iter().copied().chain(bad).collect();
      assert_eq!(s.record_frames(&records), Err(FrameRecordError { at }));
      assert_eq!(s.snapshot().frames, 1, "the good record before it counts");
    }
  }

  #[test]
  fn every_reason_is_listed_once_with_its_lower_case_name() {
    for (i, r) in FlushReason::ALL.iter().enumerate() {
      assert_eq!(*r as usize, i);
      assert_eq!(r.name(), format!("{r:?}").to_lowercase());
    }
  }
}
