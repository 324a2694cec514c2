use super::errors::{guard, guard_coded, internal, Result};
use super::handles;
use crate::batch::{BatchStats, BatchTimer, Delivery, FrameRecordError, LiveGenerations};
use crate::metrics::HistogramSummary;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

/// count, min, max, mean and percentiles of a native histogram.
#[napi(object)]
pub struct BindingDistribution {
  pub count: f64,
  pub min: f64,
  pub max: f64,
  pub mean: f64,
  pub p50: f64,
  pub p95: f64,
  pub p99: f64,
}

impl From<HistogramSummary> for BindingDistribution {
  fn from(s: HistogramSummary) -> Self {
    Self { count: s.count as f64, min: s.min, max: s.max, mean: s.mean, p50: s.p50, p95: s.p95, p99: s.p99 }
  }
}

#[napi(object, object_from_js = false)]
pub struct BindingBatchMetrics {
  pub frames_out: f64,
  pub messages_out: f64,
  /// Frames per reason, keyed by `FlushReason::name()`.
  #[napi(ts_type = "Record<Lowercase<keyof typeof BindingFlushReason>, number>")]
  pub flush_reasons: HashMap<&'static str, f64>,
  pub batch_size: BindingDistribution,
  pub frame_bytes: BindingDistribution,
  pub batch_age_ms: BindingDistribution,
  pub queue_wait_ms: BindingDistribution,
}

type DueCallback = ThreadsafeFunction<Vec<u32>, (), Vec<u32>, Status, false, true>;

struct Core {
  // Declared before `live`, so it drops first: closing stops the task reading `live`'s memory.
  timer: BatchTimer,
  stats: BatchStats,
  /// JS's slot -> live generation array the timer reads; held so it outlives that reading.
  live: Option<Uint32Array>,
}

// The per-batch calls (arm, discard, recorded frames) take a handle (see handles.rs).
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
pub struct BindingBatchClock {
  handle: u32,
}

#[napi]
impl BindingBatchClock {
  /// `on_due([slot, generation, ...])` is called from the timer thread through a
  /// weak ThreadsafeFunction: it never keeps the process alive, and the task
  /// stops as soon as the environment reports it is closing.
  #[napi(constructor)]
  pub fn new(on_due: Function<Vec<u32>, ()>, linger_ms: f64) -> Result<Self> {
    guard("new BindingBatchClock", || {
      let runtime = crate::runtime::handle()
        .ok_or_else(|| Error::new(Status::GenericFailure, "its timer thread could not start"))?;
      let callback: DueCallback =
        on_due.build_threadsafe_function::<Vec<u32>>().weak::<true>().callee_handled::<false>().build()?;
      let timer = BatchTimer::start(&runtime, millis(linger_ms), move |due| {
        match callback.call(due, ThreadsafeFunctionCallMode::NonBlocking) {
          Status::Ok => Delivery::Delivered,
          _ => Delivery::Stop,
        }
      });
      let core = Core { timer, stats: BatchStats::new(), live: None };
      let handle = handles::insert(&CORES, core)?;
      Ok(Self { handle })
    })
  }

  /// The number the per-batch functions take.
  #[napi(getter)]
  pub fn handle(&self) -> u32 {
    self.handle
  }

  #[napi]
  pub fn metrics(&self) -> Result<BindingBatchMetrics> {
    guard("BindingBatchClock.metrics", || {
      Ok(with_core(self.handle, |core| snapshot(&core.stats)).unwrap_or_else(|| snapshot(&BatchStats::new())))
    })
  }

  #[napi]
  pub fn reset_metrics(&self) -> Result<()> {
    guard("BindingBatchClock.resetMetrics", || {
      with_core(self.handle, |core| core.stats.reset());
      Ok(())
    })
  }

  /// From now on a due batch fires only while `live[slot]` holds its generation:
  /// JS forgets a batch that left early with one store instead of a call. Replaces
  /// the array shared before (JS grows it as targets are added).
  #[napi]
  pub fn share_live(&self, live: Uint32Array) -> Result<()> {
    guard("BindingBatchClock.shareLive", || {
      let first = live.as_ptr() as *mut u32;
      with_core(self.handle, |core| {
        // SAFETY: `live` (a strong reference to the JS array) is stored in `core` below and
        // replaced only after the timer stops reading it: by the next share_live, or by close()
        // and Core's drop order. JS writes its elements with plain aligned 32-bit stores.
        core.timer.share_live(unsafe { LiveGenerations::new(first, live.len()) });
        core.live = Some(live);
      });
      Ok(())
    })
  }

  /// Stops the timer task; pending deadlines never fire afterwards.
  #[napi]
  pub fn close(&self) -> Result<()> {
    guard("BindingBatchClock.close", || {
      with_core(self.handle, |core| core.timer.close());
      Ok(())
    })
  }
}

impl Drop for BindingBatchClock {
  fn drop(&mut self) {
    // Dropping the Core closes its timer task.
    handles::remove(&CORES, self.handle);
  }
}

/// Arms (or tightens) the deadline of a target's open batch.
#[napi]
pub fn batch_arm(handle: u32, slot: u32, generation: u32, delay_ms: f64) -> Result<()> {
  guard("batchArm", || {
    with_core(handle, |core| core.timer.arm(slot, generation, millis(delay_ms)));
    Ok(())
  })
}

/// Frame statistics in bulk: `len` values of `records`, laid out as
/// `BatchStats::record_frames` reads them. JS sends them when its buffer
/// fills and before metrics are read, so sending a frame makes no native call.
#[napi]
pub fn batch_record_frames(handle: u32, records: Float64ArraySlice, len: u32) -> Result<()> {
  guard_coded("batchRecordFrames", || {
    let given: &[f64] = &records;
    let Some(records) = given.get(..len as usize) else {
      return Err(internal("batchRecordFrames", &format!("{len} values claimed, {} given", given.len())));
    };
    match with_core(handle, |core| core.stats.record_frames(records)) {
      Some(Err(FrameRecordError { at })) => {
        Err(internal("batchRecordFrames", &format!("malformed frame record at {at}")))
      }
      _ => Ok(()),
    }
  })
}

/// Idle messages sent alone since the last call (adaptive batching); see `record_idle_sends`.
#[napi]
pub fn batch_idle_sent(handle: u32, sends: u32, sampled: u32) -> Result<()> {
  guard("batchIdleSent", || {
    with_core(handle, |core| core.stats.record_idle_sends(sends, sampled));
    Ok(())
  })
}

fn snapshot(stats: &BatchStats) -> BindingBatchMetrics {
  let s = stats.snapshot();
  BindingBatchMetrics {
    frames_out: s.frames as f64,
    messages_out: s.messages_out as f64,
    flush_reasons: s.reasons.iter().map(|&(name, count)| (name, count as f64)).collect(),
    batch_size: s.batch_size.into(),
    frame_bytes: s.frame_bytes.into(),
    batch_age_ms: s.batch_age_ms.into(),
    queue_wait_ms: s.queue_wait_ms.into(),
  }
}
