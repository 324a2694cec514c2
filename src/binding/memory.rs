//! MemoryManager's native side: the sampler thread (RSS and CPU read off the
//! JS thread, delivered through a weak ThreadsafeFunction) and the core that
//! keeps the sample ring, the trend and the pressure level.
use super::errors::{guard, Result};
use crate::memory::pressure::Level;
use crate::memory::sampler::{Sampler, Tick};
use crate::memory::trend::TrendRule;
use crate::memory::{Config, MemoryCore, Sample};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use std::cell::RefCell;
use std::time::{Duration, Instant};

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
}

#[napi(object)]
pub struct BindingMemoryTick {
  pub at_ms: f64,
  pub sample: bool,
  pub sweep: bool,
  pub rss_bytes: Option<f64>,
  pub cpu_user_pct: f64,
  pub cpu_system_pct: f64,
  /// Linux PSI share of the last 10 s with some task waiting for memory (percent).
  pub os_pressure_some: Option<f64>,
  pub os_pressure_full: Option<f64>,
}

#[napi(object, object_to_js = false)]
pub struct BindingMemorySample {
  pub rss_bytes: f64,
  pub heap_used_bytes: f64,
  pub external_bytes: f64,
  pub array_buffers_bytes: f64,
  pub cpu_user_pct: f64,
  pub cpu_system_pct: f64,
  /// `'normal' | 'warning' | 'critical'`: what the OS signals, if anything.
  pub os_level: Option<String>,
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
}

type TickCallback = ThreadsafeFunction<BindingMemoryTick, (), BindingMemoryTick, Status, false, true>;

fn level_of(s: Option<&str>) -> Level {
  match s {
    Some("critical") => Level::Critical,
    Some("warning") => Level::Warning,
    _ => Level::Normal,
  }
}

fn millis(ms: f64) -> Duration {
  Duration::from_secs_f64(ms.clamp(1.0, 8.64e7) / 1000.0)
}

#[napi]
pub struct BindingMemory {
  core: RefCell<MemoryCore>,
  sampler: RefCell<Option<Sampler>>,
  epoch: Instant,
}

#[napi]
impl BindingMemory {
  /// `on_tick` runs on the JS thread for every sampler tick; the thread stops
  /// on `close()`, when this object is collected, or when the env closes.
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
      let callback: TickCallback =
        on_tick.build_threadsafe_function::<BindingMemoryTick>().weak::<true>().callee_handled::<false>().build()?;
      let interval = if options.sample { millis(options.sample_interval_ms) } else { Duration::from_secs(86_400) };
      let sampler = Sampler::start(interval, millis(options.sweep_interval_ms), move |tick: Tick| {
        let tick = BindingMemoryTick {
          at_ms: tick.at_ms,
          sample: tick.sample && options.sample,
          sweep: tick.sweep,
          rss_bytes: tick.rss_bytes,
          cpu_user_pct: tick.cpu_user_pct,
          cpu_system_pct: tick.cpu_system_pct,
          os_pressure_some: tick.os_pressure.map(|p| p.0),
          os_pressure_full: tick.os_pressure.map(|p| p.1),
        };
        // `Closing` (env teardown) or any failure ends the thread.
        callback.call(tick, ThreadsafeFunctionCallMode::NonBlocking) == Status::Ok
      })
      .map_err(|e| Error::new(Status::GenericFailure, format!("could not start the sampler thread: {e}")))?;
      Ok(Self {
        core: RefCell::new(MemoryCore::new(config)),
        sampler: RefCell::new(Some(sampler)),
        epoch: Instant::now(),
      })
    })
  }

  /// Adds one sample (from a tick, or injected by a test); returns the new
  /// pressure level when it changed.
  #[napi]
  pub fn push(&self, s: BindingMemorySample) -> Result<Option<String>> {
    guard("MemoryManager.sample", || {
      let sample = Sample {
        at_ms: self.epoch.elapsed().as_secs_f64() * 1000.0,
        rss_bytes: s.rss_bytes,
        heap_used_bytes: s.heap_used_bytes,
        external_bytes: s.external_bytes,
        array_buffers_bytes: s.array_buffers_bytes,
        cpu_user_pct: s.cpu_user_pct,
        cpu_system_pct: s.cpu_system_pct,
      };
      let changed = self.core.borrow_mut().push(sample, level_of(s.os_level.as_deref()));
      Ok(changed.map(|l| l.as_str().to_string()))
    })
  }

  #[napi]
  pub fn stats(&self) -> Result<BindingMemoryStats> {
    guard("MemoryManager.getStats", || {
      let s = self.core.borrow().stats();
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
      })
    })
  }

  /// Forgets the samples (the trend restarts from `unknown`); the level stays.
  #[napi]
  pub fn clear(&self) -> Result<()> {
    guard("MemoryManager.clear", || {
      self.core.borrow_mut().clear();
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
