use super::handles;
use crate::batch::{BatchConfig, BatchStats, BatchTimer, Delivery, FlushReason, RawBatchOptions};
use crate::metrics::HistogramSummary;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use std::cell::RefCell;
use std::time::Duration;

#[napi(object, object_to_js = false)]
pub struct BatchOptionsInput {
  pub max_batch_size: Option<f64>,
  pub max_wait_ms: Option<f64>,
  pub low_priority_wait_ms: Option<f64>,
  pub max_batch_bytes: Option<f64>,
  pub max_queue_size: Option<f64>,
  pub overflow: Option<String>,
  pub wait_sample_every: Option<f64>,
  pub max_frames_in_flight: Option<f64>,
}

#[napi(object)]
pub struct NormalizedBatchOptions {
  pub max_batch_size: u32,
  pub max_wait_ms: f64,
  pub low_priority_wait_ms: f64,
  pub max_batch_bytes: f64,
  pub max_queue_size: u32,
  pub overflow: String,
  pub wait_sample_every: u32,
  pub max_frames_in_flight: u32,
}

#[napi(object)]
pub struct OptionIssue {
  pub argument: String,
  pub message: String,
}

#[napi(object)]
pub struct CheckedBatchOptions {
  pub options: Option<NormalizedBatchOptions>,
  pub issue: Option<OptionIssue>,
}

/// Applies the option rules; returns the normalized options or the issue,
/// so the JS front can throw its own typed `IpcError`.
#[napi(catch_unwind)]
pub fn check_batch_options(input: BatchOptionsInput) -> CheckedBatchOptions {
  let raw = RawBatchOptions {
    max_batch_size: input.max_batch_size,
    max_wait_ms: input.max_wait_ms,
    low_priority_wait_ms: input.low_priority_wait_ms,
    max_batch_bytes: input.max_batch_bytes,
    max_queue_size: input.max_queue_size,
    overflow: input.overflow,
    wait_sample_every: input.wait_sample_every,
    max_frames_in_flight: input.max_frames_in_flight,
  };
  match BatchConfig::from_raw(&raw) {
    Ok(c) => CheckedBatchOptions {
      options: Some(NormalizedBatchOptions {
        max_batch_size: c.max_batch_size,
        max_wait_ms: c.max_wait_ms,
        low_priority_wait_ms: c.low_priority_wait_ms,
        max_batch_bytes: c.max_batch_bytes,
        max_queue_size: c.max_queue_size,
        overflow: c.overflow.as_str().to_string(),
        wait_sample_every: c.wait_sample_every,
        max_frames_in_flight: c.max_frames_in_flight,
      }),
      issue: None,
    },
    Err(e) => {
      CheckedBatchOptions { options: None, issue: Some(OptionIssue { argument: e.argument, message: e.message }) }
    }
  }
}

#[napi(object)]
pub struct Distribution {
  pub count: f64,
  pub min: f64,
  pub max: f64,
  pub mean: f64,
  pub p50: f64,
  pub p95: f64,
  pub p99: f64,
}

impl From<HistogramSummary> for Distribution {
  fn from(s: HistogramSummary) -> Self {
    Self { count: s.count as f64, min: s.min, max: s.max, mean: s.mean, p50: s.p50, p95: s.p95, p99: s.p99 }
  }
}

#[napi(object)]
pub struct FlushReasonCounts {
  pub size: f64,
  pub bytes: f64,
  pub time: f64,
  pub priority: f64,
  pub manual: f64,
  pub close: f64,
  pub ready: f64,
}

#[napi(object)]
pub struct NativeBatchMetrics {
  pub frames_out: f64,
  pub messages_out: f64,
  pub flush_reasons: FlushReasonCounts,
  pub batch_size: Distribution,
  pub frame_bytes: Distribution,
  pub batch_age_ms: Distribution,
  pub queue_wait_ms: Distribution,
}

type DueCallback = ThreadsafeFunction<Vec<u32>, (), Vec<u32>, Status, false, true>;

struct Core {
  timer: BatchTimer,
  stats: BatchStats,
}

// The per-batch calls (arm, flushed, discard) take a handle (see handles.rs).
thread_local! {
  static CORES: handles::Table<Core> = const { RefCell::new(Vec::new()) };
}

fn with_core<R>(handle: u32, f: impl FnOnce(&mut Core) -> R) -> Option<R> {
  handles::with(&CORES, handle, f)
}

fn millis(ms: f64) -> Duration {
  Duration::from_secs_f64(if ms.is_finite() && ms > 0.0 { ms.min(3.6e6) / 1000.0 } else { 0.0 })
}

/// Owns one BatchManager's native clock and statistics.
#[napi]
pub struct NativeBatchClock {
  handle: u32,
}

#[napi]
impl NativeBatchClock {
  /// `on_due([slot, generation, ...])` is called from the timer thread through a
  /// weak ThreadsafeFunction: it never keeps the process alive, and the task
  /// stops as soon as the environment reports it is closing.
  #[napi(constructor, catch_unwind)]
  pub fn new(on_due: Function<Vec<u32>, ()>, linger_ms: f64) -> Result<Self> {
    let runtime = crate::runtime::handle()
      .ok_or_else(|| Error::new(Status::GenericFailure, "ipcflow: could not start its timer thread"))?;
    let callback: DueCallback =
      on_due.build_threadsafe_function::<Vec<u32>>().weak::<true>().callee_handled::<false>().build()?;
    let timer = BatchTimer::start(&runtime, millis(linger_ms), move |due| {
      match callback.call(due, ThreadsafeFunctionCallMode::NonBlocking) {
        Status::Ok => Delivery::Delivered,
        _ => Delivery::Stop,
      }
    });
    let core = Core { timer, stats: BatchStats::new() };
    let handle = handles::insert(&CORES, core)?;
    Ok(Self { handle })
  }

  /// The number the per-batch functions take.
  #[napi(getter, catch_unwind)]
  pub fn handle(&self) -> u32 {
    self.handle
  }

  #[napi(catch_unwind)]
  pub fn metrics(&self) -> NativeBatchMetrics {
    with_core(self.handle, |core| snapshot(&core.stats)).unwrap_or_else(|| snapshot(&BatchStats::new()))
  }

  #[napi(catch_unwind)]
  pub fn reset_metrics(&self) {
    with_core(self.handle, |core| core.stats.reset());
  }

  /// Stops the timer task; pending deadlines never fire afterwards.
  #[napi(catch_unwind)]
  pub fn close(&self) {
    with_core(self.handle, |core| core.timer.close());
  }
}

impl Drop for NativeBatchClock {
  fn drop(&mut self) {
    // Dropping the Core closes its timer task.
    handles::remove(&CORES, self.handle);
  }
}

/// Arms (or tightens) the deadline of a target's open batch.
#[napi(catch_unwind)]
pub fn batch_arm(handle: u32, slot: u32, generation: u32, delay_ms: f64) {
  with_core(handle, |core| core.timer.arm(slot, generation, millis(delay_ms)));
}

/// One call per frame sent: disarms the batch's timer and records it.
/// `waits` holds `sample_count` sampled queue waits in milliseconds.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn batch_flushed(
  handle: u32,
  slot: u32,
  generation: u32,
  reason: u32,
  count: u32,
  bytes: f64,
  waits: Float64ArraySlice,
  sample_count: u32,
) {
  let samples: &[f64] = &waits;
  let samples = &samples[..(sample_count as usize).min(samples.len())];
  with_core(handle, |core| {
    let age = core.timer.disarm(slot, generation);
    let reason = FlushReason::from_code(reason).unwrap_or(FlushReason::Manual);
    core.stats.record_flush(reason, count, bytes, age, samples);
  });
}

/// Forgets a batch that was dropped rather than sent.
#[napi(catch_unwind)]
pub fn batch_discard(handle: u32, slot: u32, generation: u32) {
  with_core(handle, |core| core.timer.disarm(slot, generation));
}

fn snapshot(stats: &BatchStats) -> NativeBatchMetrics {
  let s = stats.snapshot();
  let r = |name: &str| s.reasons.iter().find(|(n, _)| *n == name).map_or(0.0, |(_, c)| *c as f64);
  NativeBatchMetrics {
    frames_out: s.frames as f64,
    messages_out: s.messages_out as f64,
    flush_reasons: FlushReasonCounts {
      size: r("size"),
      bytes: r("bytes"),
      time: r("time"),
      priority: r("priority"),
      manual: r("manual"),
      close: r("close"),
      ready: r("ready"),
    },
    batch_size: s.batch_size.into(),
    frame_bytes: s.frame_bytes.into(),
    batch_age_ms: s.batch_age_ms.into(),
    queue_wait_ms: s.queue_wait_ms.into(),
  }
}
