//! PerformanceMonitor's native side: its series (in a per-thread table, keyed
//! by numeric ids that JS buffers values under, see `apply_many`) and the
//! stall watchdog, fed by libuv prepare/check hooks on the JS thread.
mod log;
mod loop_hooks;
mod types;

pub(crate) use types::{BindingMonitorOptions, BindingSeries, BindingStall, BindingStalls, BindingWatchdogActivity};

use super::errors::{guard, guard_coded, invalid_argument, Result};
use super::handles;
use super::text::{JsText, JsTextRecord};
use crate::monitor::prometheus::Kind;
use crate::monitor::registry::Registry;
use crate::monitor::watchdog::{Stall, Watchdog};
use napi::bindgen_prelude::*;
use napi::sys;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;
use std::cell::RefCell;

use std::time::Instant;

thread_local! {
  static REGISTRIES: handles::Table<Registry> = const { RefCell::new(Vec::new()) };
}

/// A series id is `monitor handle * 2^24 + series index`: one number for the raw call.
const SERIES_BITS: f64 = 16_777_216.0;

type StallCallback = ThreadsafeFunction<BindingStall, (), BindingStall, Status, false, true>;

fn kind_of(kind: &str) -> Option<Kind> {
  match kind {
    "counter" => Some(Kind::Counter),
    "gauge" => Some(Kind::Gauge),
    "histogram" => Some(Kind::Histogram),
    _ => None,
  }
}

fn kind_name(kind: Kind) -> &'static str {
  match kind {
    Kind::Counter => "counter",
    Kind::Gauge => "gauge",
    Kind::Histogram => "histogram",
  }
}

/// One monitor's series and watchdog.
#[napi(custom_finalize)]
pub struct BindingMonitor {
  handle: u32,
  epoch: Instant,
  watch: RefCell<Option<loop_hooks::LoopWatch>>,
  /// Without loop hooks (Windows), a JS heartbeat timer marks turns instead.
  beat: RefCell<Option<Watchdog>>,
}

#[napi]
impl BindingMonitor {
  #[napi(constructor)]
  pub fn new(options: BindingMonitorOptions) -> Result<Self> {
    guard("new PerformanceMonitor", || {
      let window = options.window_ms.map(|ms| (ms, options.window_slots.unwrap_or(6) as usize));
      let handle = handles::insert(&REGISTRIES, Registry::new(options.buckets, window))?;
      Ok(Self { handle, epoch: Instant::now(), watch: RefCell::new(None), beat: RefCell::new(None) })
    })
  }

  /// The id values are buffered under (`applyMany`), creating the series on first use.
  /// Names and labels are read exactly: names that differ in JS (by a lone surrogate) are different series.
  #[napi(ts_args_type = "kind: string, name: string, labels?: Record<string, string> | undefined | null")]
  pub fn series_id(&self, kind: String, name: JsText, labels: Option<JsTextRecord>) -> Result<f64> {
    guard_coded("PerformanceMonitor.series", || {
      let kind = kind_of(&kind).ok_or_else(|| invalid_argument(format!("unknown metric kind '{kind}'")))?;
      let labels = labels.unwrap_or_default().0;
      let index = handles::with(&REGISTRIES, self.handle, |r| r.series_index(kind, &name.0, labels))
        .ok_or_else(|| invalid_argument("the monitor is gone"))?
        .map_err(|clash| {
          let name = crate::text::lossy(&clash.name);
          invalid_argument(format!("metric '{name}' is already a {}", kind_name(clash.existing)))
        })?;
      if index as f64 >= SERIES_BITS {
        return Err(invalid_argument("a monitor holds at most 16,777,216 series"));
      }
      Ok(self.handle as f64 * SERIES_BITS + index as f64)
    })
  }

  #[napi(ts_args_type = "name: string, help?: string | undefined | null, buckets?: Array<number> | undefined | null")]
  pub fn describe(&self, name: JsText, help: Option<JsText>, buckets: Option<Vec<f64>>) -> Result<()> {
    guard("PerformanceMonitor.describe", || {
      handles::with(&REGISTRIES, self.handle, |r| r.describe(&name.0, help.map(|h| h.0), buckets));
      Ok(())
    })
  }

  #[napi]
  pub fn snapshot(&self) -> Result<Vec<BindingSeries>> {
    guard("PerformanceMonitor.getMetrics", || {
      let now = self.epoch.elapsed().as_secs_f64() * 1000.0;
      let all = handles::with(&REGISTRIES, self.handle, |r| {
        r.rotate(now);
        r.series()
          .iter()
          .map(|s| BindingSeries {
            key: JsText(s.key.clone()),
            name: JsText(s.name.clone()),
            kind: kind_name(s.kind()).into(),
            value: s.number(),
            summary: s.summary().map(Into::into),
          })
          .collect()
      });
      Ok(all.unwrap_or_default())
    })
  }

  /// Applies `len` values buffered in JS as `[id, value, id, value, ...]` pairs,
  /// in order (one crossing per buffer instead of one per value, README
  /// PerformanceMonitor). Ids of other monitors are ignored.
  #[napi]
  pub fn apply_many(&self, pairs: Float64ArraySlice, len: u32) -> Result<()> {
    let pairs: &[f64] = &pairs;
    let len = (len as usize).min(pairs.len()) & !1;
    guard("PerformanceMonitor.applyMany", || {
      handles::with(&REGISTRIES, self.handle, |r| {
        for pair in pairs[..len].chunks_exact(2) {
          if let Some(index) = series_index(pair[0], self.handle) {
            r.apply(index, pair[1]);
          }
        }
      });
      Ok(())
    })
  }

  /// Advances rolling windows (a JS timer calls it every slot).
  #[napi]
  pub fn rotate(&self) -> Result<()> {
    guard("PerformanceMonitor.rotate", || {
      let now = self.epoch.elapsed().as_secs_f64() * 1000.0;
      handles::with(&REGISTRIES, self.handle, |r| r.rotate(now));
      Ok(())
    })
  }

  /// The exposition text, names and label values as given (lone surrogates too).
  #[napi(ts_return_type = "string")]
  pub fn prometheus(&self) -> Result<JsText> {
    guard("PerformanceMonitor.toPrometheus", || {
      let stalls = self.shared().map(|s| s.stalls());
      let extra: Vec<(&str, &str, &crate::monitor::histogram::LogHistogram)> = stalls
        .as_ref()
        .map(|h| vec![("ipcflow_js_stall_ms", "JS-thread event-loop stalls (ms) seen by the native watchdog", h)])
        .unwrap_or_default();
      Ok(JsText(handles::with(&REGISTRIES, self.handle, |r| r.prometheus(&extra)).unwrap_or_default()))
    })
  }

  #[napi]
  pub fn reset(&self) -> Result<()> {
    guard("PerformanceMonitor.reset", || {
      handles::with(&REGISTRIES, self.handle, Registry::reset);
      if let Some(s) = self.shared() {
        s.reset();
      }
      Ok(())
    })
  }

  /// Starts the watchdog; true when libuv loop hooks feed it, false when the
  /// caller must call `beat()` from a timer instead.
  #[napi]
  pub fn start_watchdog(&self, env: Env, threshold_ms: f64, on_stall: Function<BindingStall, ()>) -> Result<bool> {
    guard("PerformanceMonitor watchdog", || {
      let callback: StallCallback =
        on_stall.build_threadsafe_function::<BindingStall>().weak::<true>().callee_handled::<false>().build()?;
      let link = loop_hooks::LoopLink::default();
      let ping = link.clone();
      let sleeper = link.sleeper(env.raw());
      let dog = Watchdog::start(
        threshold_ms,
        move |ms| {
          tracing::warn!(target: "ipcflow::watchdog", stalled_ms = ms, "JS thread has not turned its event loop for {ms:.0} ms");
        },
        move || ping.ping(),
        sleeper,
      )
      .map_err(|e| Error::new(Status::GenericFailure, format!("could not start the watchdog thread: {e}")))?;
      match loop_hooks::LoopWatch::start(env.raw(), dog, link, callback) {
        Ok(watch) => {
          *self.watch.borrow_mut() = Some(watch);
          Ok(true)
        }
        Err(dog) => {
          *self.beat.borrow_mut() = Some(dog);
          Ok(false)
        }
      }
    })
  }

  /// One heartbeat (fallback without loop hooks): a sign of life; returns
  /// the stall it ended, if any.
  #[napi]
  pub fn beat(&self) -> Result<Option<BindingStall>> {
    guard("PerformanceMonitor watchdog", || {
      let beat = self.beat.borrow();
      let Some(dog) = beat.as_ref() else { return Ok(None) };
      Ok(dog.shared().alive().map(to_binding_stall))
    })
  }

  #[napi]
  pub fn stalls(&self) -> Result<Option<BindingStalls>> {
    guard("PerformanceMonitor.getMetrics", || {
      Ok(self.shared().map(|s| {
        let h = s.stalls();
        let a = s.activity();
        BindingStalls {
          count: h.count() as f64,
          noticed: s.notices() as f64,
          duration_ms: h.summary().into(),
          watchdog: BindingWatchdogActivity { wakes: a.wakes as f64, pings: a.pings as f64, parks: a.parks as f64 },
        }
      }))
    })
  }

  /// Stops the watchdog and freezes every series; the figures stay readable.
  #[napi]
  pub fn close(&self, env: Env) -> Result<()> {
    guard("PerformanceMonitor.close", || {
      self.stop_watch(env.raw());
      handles::with(&REGISTRIES, self.handle, |r| r.closed = true);
      Ok(())
    })
  }
}

impl BindingMonitor {
  fn shared(&self) -> Option<std::sync::Arc<crate::monitor::watchdog::Shared>> {
    if let Some(w) = self.watch.borrow().as_ref() {
      return Some(w.shared());
    }
    self.beat.borrow().as_ref().map(|d| d.shared().clone())
  }

  fn stop_watch(&self, env: sys::napi_env) {
    if let Some(w) = self.watch.borrow_mut().as_mut() {
      w.stop(env);
    }
    if let Some(d) = self.beat.borrow_mut().as_mut() {
      d.stop();
    }
  }
}

pub(crate) fn to_binding_stall(s: Stall) -> BindingStall {
  BindingStall { duration_ms: s.duration_ms, started_at: s.started_at }
}

impl ObjectFinalize for BindingMonitor {
  fn finalize(self, env: Env) -> napi::Result<()> {
    // Collected: stop the thread and the loop hooks; a panic here must not abort.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.stop_watch(env.raw())));
    Ok(())
  }
}

impl Drop for BindingMonitor {
  fn drop(&mut self) {
    handles::remove(&REGISTRIES, self.handle);
  }
}

/// The series index of `id` when it belongs to monitor `handle`.
fn series_index(id: f64, handle: u32) -> Option<usize> {
  // A cast round trip, not `fract()`: that is a libm call per value on baseline x86-64 (~10 ns).
  let whole = id as u64;
  if !(id >= 0.0 && id < (u32::MAX as f64 + 1.0) * SERIES_BITS) || whole as f64 != id {
    return None;
  }
  let id = whole;
  ((id >> 24) as u32 == handle).then_some((id & 0xff_ffff) as usize)
}
