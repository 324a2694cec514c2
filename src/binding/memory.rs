//! MemoryManager's native side: the sampler thread (RSS, CPU and PSI read
//! off the JS thread) and the shared core (src/memory/shared.rs), which says
//! when the JS thread is needed; then a weak ThreadsafeFunction wakes it.
use super::errors::{guard, Result};
use crate::memory::pressure::OsThresholds;
use crate::memory::sampler::{Sampler, Tick};
use crate::memory::shared::SharedMemory;
use crate::memory::trend::TrendRule;
use crate::memory::{Config, MemoryCore, Sample};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

/// Filled and range-checked by lib/memory/options.js.
#[napi(object, object_to_js = false)]
pub struct BindingMemoryOptions {
  pub window_samples: u32,
  pub sample_interval_ms: f64,
  /// How often idle tasks are looked for.
  pub sweep_interval_ms: f64,
  pub pressure_on_heap: bool,
  pub warning_bytes: f64,
  pub critical_bytes: f64,
  pub hysteresis: f64,
  pub min_growth_bytes_per_hour: f64,
  pub min_relative_growth_per_hour: f64,
  pub min_r2: f64,
  /// Start the sampler thread (false: samples come only from `push`).
  pub sample: bool,
  /// JS takes every sample (it reads the heap for each, or feeds a monitor).
  pub wake_every_sample: bool,
  /// PSI thresholds (percent); absent: the OS's signal is ignored.
  pub os_warning_some: Option<f64>,
  pub os_critical_full: Option<f64>,
}

/// What the sampler thread asks of the JS thread.
#[napi(object)]
pub struct BindingMemoryTick {
  /// A sample for JS to complete (heap figures) and push.
  pub sample: bool,
  /// Look for idle tasks.
  pub sweep: bool,
  pub rss_bytes: Option<f64>,
  pub cpu_user_pct: f64,
  pub cpu_system_pct: f64,
  /// The pressure level a sample pushed by the sampler thread changed to.
  pub pressure: Option<String>,
}

#[napi(object, object_to_js = false)]
pub struct BindingMemorySample {
  pub rss_bytes: f64,
  pub heap_used_bytes: f64,
  pub external_bytes: f64,
  pub array_buffers_bytes: f64,
  pub cpu_user_pct: f64,
  pub cpu_system_pct: f64,
}

#[napi(object)]
pub struct BindingMemoryStats {
  pub rss_bytes: f64,
  pub heap_used_bytes: f64,
  pub external_bytes: f64,
  pub array_buffers_bytes: f64,
  pub samples: u32,
  pub trend: String,
  pub growth_bytes_per_hour: f64,
  pub r2: f64,
  pub pressure: String,
  pub cpu_avg_pct: f64,
  pub cpu_peak_pct: f64,
  pub suspends: u32,
  /// Wall-clock ms of the newest sample.
  pub sampled_at_ms: Option<f64>,
  /// The newest sample's heap figures were read, not carried from the one before.
  pub heap_measured: bool,
  /// The newest PSI reading (Linux), percent of the last 10 s.
  pub os_pressure_some: Option<f64>,
  pub os_pressure_full: Option<f64>,
}

type TickCallback = ThreadsafeFunction<BindingMemoryTick, (), BindingMemoryTick, Status, false, true>;

fn millis(ms: f64) -> Duration {
  Duration::from_secs_f64(ms.clamp(1.0, 8.64e7) / 1000.0)
}

#[napi]
pub struct BindingMemory {
  shared: Arc<SharedMemory>,
  sampler: RefCell<Option<Sampler>>,
}

#[napi]
impl BindingMemory {
  /// `on_tick` runs on the JS thread when the sampler needs it; the thread
  /// stops on `close()`, when this object is collected, or when the env closes.
  #[napi(constructor)]
  pub fn new(options: BindingMemoryOptions, on_tick: Function<BindingMemoryTick, ()>) -> Result<Self> {
    guard("new MemoryManager", || {
      let config = Config {
        window_samples: options.window_samples.max(2) as usize,
        interval_ms: options.sample_interval_ms,
        on_heap: options.pressure_on_heap,
        warning_bytes: options.warning_bytes,
        critical_bytes: options.critical_bytes,
        hysteresis: options.hysteresis,
        rule: TrendRule {
          min_samples: 10,
          min_bytes_per_hour: options.min_growth_bytes_per_hour,
          min_relative_per_hour: options.min_relative_growth_per_hour,
          min_r2: options.min_r2,
        },
      };
      let os = match (options.os_warning_some, options.os_critical_full) {
        (Some(warning_some), Some(critical_full)) => Some(OsThresholds { warning_some, critical_full }),
        _ => None,
      };
      let shared = Arc::new(SharedMemory::new(MemoryCore::new(config), os, options.wake_every_sample));
      let callback: TickCallback =
        on_tick.build_threadsafe_function::<BindingMemoryTick>().weak::<true>().callee_handled::<false>().build()?;
      let interval = if options.sample { millis(options.sample_interval_ms) } else { Duration::from_secs(86_400) };
      let sampling = options.sample;
      let ticks = shared.clone();
      let sampler = Sampler::start(interval, millis(options.sweep_interval_ms), move |mut tick: Tick| {
        // Most ticks never call: the env's teardown (which finalizes the
        // function) is seen here instead, and ends the thread.
        if callback.aborted() {
          return false;
        }
        tick.sample &= sampling;
        let Some(work) = ticks.on_tick(&tick) else { return true };
        let tick = BindingMemoryTick {
          sample: work.sample,
          sweep: work.sweep,
          rss_bytes: tick.rss_bytes,
          cpu_user_pct: tick.cpu_user_pct,
          cpu_system_pct: tick.cpu_system_pct,
          pressure: work.pressure.map(|l| l.as_str().to_string()),
        };
        // `Closing` (env teardown) or any failure ends the thread.
        callback.call(tick, ThreadsafeFunctionCallMode::NonBlocking) == Status::Ok
      })
      .map_err(|e| Error::new(Status::GenericFailure, format!("could not start the sampler thread: {e}")))?;
      Ok(Self { shared, sampler: RefCell::new(Some(sampler)) })
    })
  }

  /// Adds one sample (from a tick, or injected by a test); returns the new
  /// pressure level when it changed.
  #[napi]
  pub fn push(&self, s: BindingMemorySample) -> Result<Option<String>> {
    guard("MemoryManager.sample", || {
      let sample = Sample {
        at_ms: self.shared.now_ms(),
        rss_bytes: s.rss_bytes,
        heap_used_bytes: s.heap_used_bytes,
        external_bytes: s.external_bytes,
        array_buffers_bytes: s.array_buffers_bytes,
        cpu_user_pct: s.cpu_user_pct,
        cpu_system_pct: s.cpu_system_pct,
      };
      Ok(self.shared.push(sample, true).map(|l| l.as_str().to_string()))
    })
  }

  /// The first sweep that may find an idle task is due in `ms` (not finite: no task to sweep).
  #[napi]
  pub fn sweep_after(&self, ms: f64) -> Result<()> {
    guard("MemoryManager sweep", || {
      self.shared.sweep_after(ms.is_finite().then(|| Duration::from_secs_f64(ms.max(0.0) / 1000.0)));
      Ok(())
    })
  }

  #[napi]
  pub fn stats(&self) -> Result<BindingMemoryStats> {
    guard("MemoryManager.getStats", || {
      let all = self.shared.stats().ok_or_else(|| Error::from_reason("memory state poisoned"))?;
      let s = all.core;
      Ok(BindingMemoryStats {
        rss_bytes: s.latest.rss_bytes,
        heap_used_bytes: s.latest.heap_used_bytes,
        external_bytes: s.latest.external_bytes,
        array_buffers_bytes: s.latest.array_buffers_bytes,
        samples: s.samples as u32,
        trend: s.trend.as_str().into(),
        growth_bytes_per_hour: s.growth_bytes_per_hour,
        r2: s.r2,
        pressure: s.pressure.as_str().into(),
        cpu_avg_pct: s.cpu_avg_pct,
        cpu_peak_pct: s.cpu_peak_pct,
        suspends: s.suspends,
        sampled_at_ms: all.sampled_at_ms,
        heap_measured: all.heap_measured,
        os_pressure_some: all.os_reading.map(|r| r.0),
        os_pressure_full: all.os_reading.map(|r| r.1),
      })
    })
  }

  /// Forgets the samples (the trend restarts from `unknown`); the level stays.
  #[napi]
  pub fn clear(&self) -> Result<()> {
    guard("MemoryManager.clear", || {
      self.shared.clear();
      Ok(())
    })
  }

  #[napi]
  pub fn close(&self) -> Result<()> {
    guard("MemoryManager.close", || {
      if let Some(mut s) = self.sampler.borrow_mut().take() {
        s.stop();
      }
      Ok(())
    })
  }
}
