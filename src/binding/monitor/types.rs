//! The objects PerformanceMonitor's binding passes to and from JS.
use crate::binding::text::JsText;
use crate::monitor::histogram::Summary;
use napi_derive::napi;

#[napi(object, object_to_js = false)]
pub struct BindingMonitorOptions {
  /// Prometheus bucket bounds of histograms without their own.
  pub buckets: Option<Vec<f64>>,
  /// Rolling window of `getMetrics()` percentiles, in ms; none when absent.
  pub window_ms: Option<f64>,
  pub window_slots: Option<u32>,
}

#[napi(object)]
#[derive(Default)]
pub struct BindingSummary {
  pub count: f64,
  pub sum: f64,
  pub min: f64,
  pub max: f64,
  pub mean: f64,
  pub p50: f64,
  pub p90: f64,
  pub p95: f64,
  pub p99: f64,
  pub p999: f64,
}

impl From<Summary> for BindingSummary {
  fn from(s: Summary) -> Self {
    Self {
      count: s.count as f64,
      sum: s.sum,
      min: s.min,
      max: s.max,
      mean: s.mean,
      p50: s.p50,
      p90: s.p90,
      p95: s.p95,
      p99: s.p99,
      p999: s.p999,
    }
  }
}

#[napi(object)]
pub struct BindingSeries {
  #[napi(ts_type = "string")]
  pub key: JsText,
  #[napi(ts_type = "string")]
  pub name: JsText,
  pub kind: String,
  /// Counter total or gauge value; a histogram's count.
  pub value: f64,
  pub summary: Option<BindingSummary>,
}

#[napi(object)]
pub struct BindingStall {
  pub duration_ms: f64,
  pub started_at: f64,
}

#[napi(object)]
pub struct BindingStalls {
  pub count: f64,
  /// Stalls the watchdog thread noticed while they lasted.
  pub noticed: f64,
  pub duration_ms: BindingSummary,
  pub watchdog: BindingWatchdogActivity,
}

/// What the watchdog itself did since it started.
#[napi(object)]
pub struct BindingWatchdogActivity {
  /// Times its thread woke up.
  pub wakes: f64,
  /// Times it pinged the JS thread (each a wake of that thread).
  pub pings: f64,
  /// Times it slept until the JS thread's loop, waiting for events, woke up.
  pub parks: f64,
}
