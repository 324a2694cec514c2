//! The memory core as the sampler thread and the JS thread share it. Unless
//! JS must see every sample (a monitor's gauges, pressure on the JS heap),
//! the sampler thread pushes RSS samples itself and asks the JS thread only
//! for a pressure change, or for an idle-task sweep once a task may have gone
//! idle (JS says when that can first be).
use super::pressure::{Level, OsThresholds};
use super::sampler::Tick;
use super::{MemoryCore, Sample, Stats};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

struct State {
  core: MemoryCore,
  /// The newest PSI reading; samples JS pushes between ticks keep it.
  os_reading: Option<(f64, f64)>,
  sampled_at_ms: Option<f64>,
  /// The newest sample's heap figures were read (JS pushed it), not carried.
  heap_measured: bool,
}

/// What a tick needs from the JS thread.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct JsWork {
  /// Read the heap and push this sample.
  pub sample: bool,
  /// Look for idle tasks.
  pub sweep: bool,
  /// The level a sample pushed here changed to.
  pub pressure: Option<Level>,
}

/// What `stats` adds to the core's figures.
#[derive(Clone, Copy, Debug)]
pub struct SharedStats {
  pub core: Stats,
  /// Wall-clock ms of the newest sample.
  pub sampled_at_ms: Option<f64>,
  pub os_reading: Option<(f64, f64)>,
  pub heap_measured: bool,
}

impl State {
  fn push(&mut self, sample: Sample, heap_measured: bool, os: Option<OsThresholds>) -> Option<Level> {
    self.heap_measured = heap_measured;
    self.sampled_at_ms = SystemTime::now().duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs_f64() * 1000.0);
    let os = os.map_or(Level::Normal, |t| t.level(self.os_reading));
    self.core.push(sample, os)
  }
}

pub struct SharedMemory {
  state: Mutex<State>,
  os: Option<OsThresholds>,
  epoch: Instant,
  /// JS pushes every sample itself.
  js_samples: bool,
  /// ns since `epoch` from which a sweep may find an idle task; never: u64::MAX.
  sweep_at: AtomicU64,
}

impl SharedMemory {
  pub fn new(core: MemoryCore, os: Option<OsThresholds>, js_samples: bool) -> Self {
    Self {
      state: Mutex::new(State { core, os_reading: None, sampled_at_ms: None, heap_measured: false }),
      os,
      epoch: Instant::now(),
      js_samples,
      sweep_at: AtomicU64::new(u64::MAX),
    }
  }

  /// Monotonic ms for a sample's `at_ms`.
  pub fn now_ms(&self) -> f64 {
    self.epoch.elapsed().as_secs_f64() * 1000.0
  }

  /// Adds one sample (its heap figures read, or carried from the one before);
  /// returns the pressure level when it changed.
  pub fn push(&self, sample: Sample, heap_measured: bool) -> Option<Level> {
    self.state.lock().ok()?.push(sample, heap_measured, self.os)
  }

  /// The first sweep that may find an idle task is due `after` from now (`None`: no task to sweep).
  pub fn sweep_after(&self, after: Option<Duration>) {
    let at = after.map_or(u64::MAX, |d| (self.epoch.elapsed() + d).as_nanos().min(u64::MAX as u128 - 1) as u64);
    self.sweep_at.store(at, Ordering::Relaxed);
  }

  pub fn clear(&self) {
    if let Ok(mut st) = self.state.lock() {
      st.core.clear();
    }
  }

  pub fn stats(&self) -> Option<SharedStats> {
    let st = self.state.lock().ok()?;
    Some(SharedStats {
      core: st.core.stats(),
      sampled_at_ms: st.sampled_at_ms,
      os_reading: st.os_reading,
      heap_measured: st.heap_measured,
    })
  }

  /// On the sampler thread: takes the tick's sample if JS need not, and says
  /// what is left for the JS thread (nothing, mostly).
  pub fn on_tick(&self, tick: &Tick) -> Option<JsWork> {
    // Without an RSS reading (an unsupported platform) JS reads it.
    let here = tick.sample && !self.js_samples && tick.rss_bytes.is_some();
    let mut pressure = None;
    if tick.sample {
      if let Ok(mut st) = self.state.lock() {
        st.os_reading = tick.os_pressure;
        if here {
          // The heap figures are the last JS sample's; `getStats` reads fresh ones.
          let sample = Sample {
            at_ms: self.now_ms(),
            rss_bytes: tick.rss_bytes.unwrap_or_default(),
            cpu_user_pct: tick.cpu_user_pct,
            cpu_system_pct: tick.cpu_system_pct,
            ..st.core.latest().unwrap_or_default()
          };
          pressure = st.push(sample, false, self.os);
        }
      }
    }
    let sweep = tick.sweep && self.epoch.elapsed().as_nanos() as u64 >= self.sweep_at.load(Ordering::Relaxed);
    let work = JsWork { sample: tick.sample && !here, sweep, pressure };
    (work != JsWork::default()).then_some(work)
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn shared(js_samples: bool, os: Option<OsThresholds>) -> SharedMemory {
    SharedMemory::new(crate::memory::tests::core(10), os, js_samples)
  }

  fn tick(rss: Option<f64>, sweep: bool) -> Tick {
    Tick { sample: true, sweep, rss_bytes: rss, ..Tick::default() }
  }

  #[test]
  fn samples_stay_native_and_only_a_pressure_change_reaches_js() {
    let m = shared(false, None);
    assert_eq!(m.on_tick(&tick(Some(500.0), true)), None, "a sweep without tasks is not JS's business");
    let changed = m.on_tick(&tick(Some(1500.0), false));
    assert_eq!(changed, Some(JsWork { pressure: Some(Level::Warning), ..JsWork::default() }));
    assert_eq!(m.on_tick(&tick(Some(1500.0), false)), None);
    let s = m.stats().unwrap();
    assert_eq!((s.core.samples, s.core.latest.rss_bytes), (3, 1500.0));
    assert!(s.sampled_at_ms.is_some());
    assert!(!s.heap_measured, "the heap figures were carried");
    m.push(Sample { rss_bytes: 1500.0, heap_used_bytes: 7.0, ..Sample::default() }, true);
    let s = m.stats().unwrap();
    assert!(s.heap_measured && s.core.latest.heap_used_bytes == 7.0);
  }

  #[test]
  fn js_takes_every_sample_when_it_must_or_when_rss_is_unknown() {
    let m = shared(true, None);
    assert_eq!(m.on_tick(&tick(Some(1500.0), false)), Some(JsWork { sample: true, ..JsWork::default() }));
    assert_eq!(m.stats().unwrap().core.samples, 0, "JS pushes it, with the heap");
    let n = shared(false, None);
    assert_eq!(n.on_tick(&tick(None, false)), Some(JsWork { sample: true, ..JsWork::default() }));
  }

  #[test]
  fn sweeps_reach_js_once_a_task_may_be_idle() {
    let m = shared(false, None);
    let sweep = Tick { sweep: true, ..Tick::default() };
    assert_eq!(m.on_tick(&sweep), None, "no tasks");
    m.sweep_after(Some(Duration::ZERO));
    assert_eq!(m.on_tick(&sweep), Some(JsWork { sweep: true, ..JsWork::default() }));
    // An hour away: no stall of this thread between the two calls can make it due.
    m.sweep_after(Some(Duration::from_secs(3600)));
    assert_eq!(m.on_tick(&sweep), None, "no task can be idle for an hour");
    m.sweep_after(Some(Duration::from_millis(30)));
    std::thread::sleep(Duration::from_millis(31)); // at least 31 ms
    assert_eq!(m.on_tick(&sweep), Some(JsWork { sweep: true, ..JsWork::default() }));
    m.sweep_after(None);
    assert_eq!(m.on_tick(&sweep), None);
  }

  #[test]
  fn the_os_reading_of_the_last_tick_raises_the_level_of_later_js_samples() {
    let m = shared(true, Some(OsThresholds { warning_some: 10.0, critical_full: 10.0 }));
    m.on_tick(&Tick { sample: true, os_pressure: Some((20.0, 0.0)), ..Tick::default() });
    let sample = Sample { rss_bytes: 1.0, ..Sample::default() };
    assert_eq!(m.push(sample, true), Some(Level::Warning));
    assert_eq!(m.stats().unwrap().os_reading, Some((20.0, 0.0)));
  }
}
