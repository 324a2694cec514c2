use super::errors::{guard, guard_coded, internal, Result};
use super::handles;
use crate::batch::slots::HEADER_LEN;
use crate::batch::{BatchStats, BatchTimer, Delivery, FrameRecordError, SharedSlots, SLACK_MS};
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

/// The JS arrays over the memory the timer reads (lib/timers/clock.js), held so they outlive that reading.
type SharedArrays = (Int32Array, Uint32Array, Float64Array);

struct Core {
  // Declared before `shared`, so it drops first: closing stops the task reading that memory.
  timer: BatchTimer,
  stats: BatchStats,
  shared: Option<SharedArrays>,
}

// The per-batch calls (wake, recorded frames) take a handle (see handles.rs).
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
      let core = Core { timer, stats: BatchStats::new(), shared: None };
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

  /// The timer reads batch deadlines from these arrays over one SharedArrayBuffer
  /// from now on (replacing those shared before): `header` `[plan, awake, _, _]`,
  /// and per slot its armed generation (0: none) and its deadline in ms since
  /// this clock was made (see src/batch/slots.rs for the protocol).
  #[napi]
  pub fn share_slots(&self, header: Int32Array, generations: Uint32Array, dues: Float64Array) -> Result<()> {
    guard_coded("BindingBatchClock.shareSlots", || {
      if header.len() < HEADER_LEN || generations.len() != dues.len() {
        return Err(internal("BindingBatchClock.shareSlots", "arrays of the wrong lengths"));
      }
      let (h, g, d) = (header.as_ptr() as *mut i32, generations.as_ptr() as *mut u32, dues.as_ptr() as *mut f64);
      with_core(self.handle, |core| {
        // SAFETY: the arrays (strong references) are stored in `core` below and released only
        // after the timer stops reading them: replaced by the next shareSlots once `share`
        // returns, or dropped after `timer` (declared first) closes. JS writes their elements
        // with single aligned stores (typed array elements) or Atomics.
        core.timer.share(unsafe { SharedSlots::new(h, g, d, generations.len()) });
        core.shared = Some((header, generations, dues));
      });
      Ok(())
    })
  }

  /// Milliseconds since this clock's epoch, which shared deadlines count from.
  #[napi(getter)]
  pub fn elapsed_ms(&self) -> Result<f64> {
    guard("BindingBatchClock.elapsedMs", || {
      Ok(with_core(self.handle, |core| core.timer.epoch().elapsed().as_secs_f64() * 1000.0).unwrap_or(0.0))
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

/// How early the timer may deliver a deadline (never late): a deadline that
/// must not be early (a frame budget's) is armed this much later.
#[napi]
pub const BATCH_TIMER_EARLY_MS: u32 = SLACK_MS as u32;

/// Makes the timer look at the shared deadlines now: one was armed earlier than its plan.
#[napi]
pub fn batch_wake(handle: u32) -> Result<()> {
  guard("batchWake", || {
    with_core(handle, |core| core.timer.wake());
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
