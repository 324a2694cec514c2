//! Every series of one PerformanceMonitor, addressed by a dense index so the
//! hot path (`series(i).record(v)`) is an array access. A series is a name plus
//! sorted labels; one name has one kind.
use super::histogram::{LogHistogram, Summary, DEFAULT_BOUNDS};
use super::prometheus::{self, Kind, Value};
use super::window::Window;
use std::collections::HashMap;

pub enum Data {
  Counter(f64),
  Gauge(f64),
  Histogram(Box<Hist>),
}

pub struct Hist {
  /// Since creation or reset: what Prometheus reads (counts only grow).
  pub total: LogHistogram,
  /// The last `windowMs`, when set: what `getMetrics()` reads.
  pub window: Option<Window>,
}

pub struct Series {
  pub name: String,
  pub labels: Vec<(String, String)>,
  /// `name` or `name{a="x",b="y"}`: the key `getMetrics()` uses.
  pub key: String,
  pub data: Data,
}

impl Series {
  pub fn kind(&self) -> Kind {
    match self.data {
      Data::Counter(_) => Kind::Counter,
      Data::Gauge(_) => Kind::Gauge,
      Data::Histogram(_) => Kind::Histogram,
    }
  }

  /// The hot path: add for counters, set for gauges, record for histograms.
  #[inline]
  pub fn apply(&mut self, value: f64) {
    match &mut self.data {
      Data::Counter(c) => {
        if value.is_finite() && value >= 0.0 {
          *c += value
        }
      }
      Data::Gauge(g) => *g = value,
      Data::Histogram(h) => {
        h.total.record(value);
        if let Some(w) = &mut h.window {
          w.record(value);
        }
      }
    }
  }

  /// Windowed figures when a window is set, else since creation/reset.
  pub fn summary(&self) -> Option<Summary> {
    match &self.data {
      Data::Histogram(h) => Some(h.window.as_ref().map_or_else(|| h.total.summary(), Window::summary)),
      _ => None,
    }
  }

  pub fn number(&self) -> f64 {
    match self.data {
      Data::Counter(v) | Data::Gauge(v) => v,
      Data::Histogram(ref h) => h.total.count() as f64,
    }
  }
}

#[derive(Debug, PartialEq)]
pub struct KindClash {
  pub name: String,
  pub existing: Kind,
}

#[derive(Default)]
pub struct Registry {
  series: Vec<Series>,
  by_key: HashMap<String, usize>,
  kinds: HashMap<String, Kind>,
  help: HashMap<String, String>,
  bounds: HashMap<String, Vec<f64>>,
  default_bounds: Option<Vec<f64>>,
  /// `(window length ms, slots)` for new histograms.
  window: Option<(f64, usize)>,
  pub closed: bool,
}

/// `name{a="x"}` with labels sorted by name; `name` alone without labels.
pub fn series_key(name: &str, labels: &[(String, String)]) -> String {
  if labels.is_empty() {
    return name.to_string();
  }
  let mut key = format!("{name}{{");
  for (i, (k, v)) in labels.iter().enumerate() {
    if i > 0 {
      key.push(',');
    }
    key.push_str(k);
    key.push_str("=\"");
    prometheus::escape_label_value(&mut key, v);
    key.push('"');
  }
  key.push('}');
  key
}

impl Registry {
  pub fn new(default_bounds: Option<Vec<f64>>, window: Option<(f64, usize)>) -> Self {
    Self { default_bounds, window, ..Self::default() }
  }

  /// Help text and (for histograms created afterwards) bucket bounds of `name`.
  pub fn describe(&mut self, name: &str, help: Option<String>, bounds: Option<Vec<f64>>) {
    if let Some(help) = help {
      self.help.insert(name.to_string(), help);
    }
    if let Some(bounds) = bounds {
      self.bounds.insert(name.to_string(), bounds);
    }
  }

  /// The index of the series, creating it on first use.
  pub fn series_index(
    &mut self,
    kind: Kind,
    name: &str,
    mut labels: Vec<(String, String)>,
  ) -> Result<usize, KindClash> {
    if let Some(&existing) = self.kinds.get(name) {
      if existing != kind {
        return Err(KindClash { name: name.to_string(), existing });
      }
    }
    labels.sort();
    labels.dedup_by(|a, b| a.0 == b.0);
    let key = series_key(name, &labels);
    if let Some(&index) = self.by_key.get(&key) {
      return Ok(index);
    }
    let data = match kind {
      Kind::Counter => Data::Counter(0.0),
      Kind::Gauge => Data::Gauge(0.0),
      Kind::Histogram => {
        let bounds = self.bounds.get(name).or(self.default_bounds.as_ref()).map_or(&DEFAULT_BOUNDS[..], Vec::as_slice);
        let window = self.window.map(|(ms, slots)| Window::new(bounds, ms, slots));
        Data::Histogram(Box::new(Hist { total: LogHistogram::new(bounds), window }))
      }
    };
    self.kinds.insert(name.to_string(), kind);
    self.series.push(Series { name: name.to_string(), labels, key: key.clone(), data });
    self.by_key.insert(key, self.series.len() - 1);
    Ok(self.series.len() - 1)
  }

  #[inline]
  pub fn apply(&mut self, index: usize, value: f64) {
    if self.closed {
      return;
    }
    if let Some(s) = self.series.get_mut(index) {
      s.apply(value);
    }
  }

  pub fn series(&self) -> &[Series] {
    &self.series
  }

  /// Advances every rolling window to `now_ms` (monotonic).
  pub fn rotate(&mut self, now_ms: f64) {
    for s in &mut self.series {
      if let Data::Histogram(h) = &mut s.data {
        if let Some(w) = &mut h.window {
          w.advance(now_ms);
        }
      }
    }
  }

  /// Zeroes every value; series, handles, help and bounds stay.
  pub fn reset(&mut self) {
    for s in &mut self.series {
      match &mut s.data {
        Data::Counter(v) | Data::Gauge(v) => *v = 0.0,
        Data::Histogram(h) => {
          h.total.reset();
          if let Some(w) = &mut h.window {
            w.reset();
          }
        }
      }
    }
  }

  /// The whole exposition; families in first-use order, `extra` (e.g. the
  /// watchdog's stall histogram) appended.
  pub fn prometheus(&self, extra: &[(&str, &str, &LogHistogram)]) -> String {
    let mut out = String::with_capacity(256 * self.series.len() + 256);
    let mut seen: Vec<&str> = Vec::new();
    for s in &self.series {
      if seen.contains(&s.name.as_str()) {
        continue;
      }
      seen.push(&s.name);
      let kind = s.kind();
      let default_help = format!("ipcflow {} {}", kind_word(kind), s.name);
      let help = self.help.get(&s.name).map_or(default_help.as_str(), String::as_str);
      let family = self.series.iter().filter(|o| o.name == s.name).map(|o| {
        let value = match &o.data {
          Data::Histogram(h) => Value::Histogram(&h.total),
          _ => Value::Number(o.number()),
        };
        (o.labels.as_slice(), value)
      });
      prometheus::write_family(&mut out, &s.name, help, kind, family);
    }
    for (name, help, h) in extra {
      prometheus::write_family(&mut out, name, help, Kind::Histogram, std::iter::once((&[][..], Value::Histogram(h))));
    }
    out
  }
}

fn kind_word(kind: Kind) -> &'static str {
  match kind {
    Kind::Counter => "counter",
    Kind::Gauge => "gauge",
    Kind::Histogram => "histogram",
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn l(k: &str, v: &str) -> (String, String) {
    (k.into(), v.into())
  }

  #[test]
  fn series_by_name_and_sorted_labels() {
    let mut r = Registry::new(None, None);
    let a = r.series_index(Kind::Counter, "c", vec![l("b", "2"), l("a", "1")]).unwrap();
    let b = r.series_index(Kind::Counter, "c", vec![l("a", "1"), l("b", "2")]).unwrap();
    assert_eq!(a, b);
    assert_eq!(r.series()[a].key, "c{a=\"1\",b=\"2\"}");
    r.apply(a, 2.0);
    r.apply(a, -1.0);
    assert_eq!(r.series()[a].number(), 2.0);
    assert!(r.series_index(Kind::Gauge, "c", vec![]).is_err());
  }

  #[test]
  fn closed_registry_ignores_values_and_reset_keeps_series() {
    let mut r = Registry::new(None, None);
    let h = r.series_index(Kind::Histogram, "h", vec![]).unwrap();
    r.apply(h, 5.0);
    r.reset();
    assert_eq!(r.series()[h].summary().unwrap().count, 0);
    r.closed = true;
    r.apply(h, 5.0);
    assert_eq!(r.series()[h].summary().unwrap().count, 0);
  }

  #[test]
  fn exposition_groups_families() {
    let mut r = Registry::new(Some(vec![1.0]), None);
    let x = r.series_index(Kind::Counter, "x", vec![l("ch", "a")]).unwrap();
    let y = r.series_index(Kind::Counter, "x", vec![l("ch", "b")]).unwrap();
    r.apply(x, 1.0);
    r.apply(y, 2.0);
    r.describe("x", Some("Things".into()), None);
    let text = r.prometheus(&[]);
    assert_eq!(text, "# HELP x_total Things\n# TYPE x_total counter\nx_total{ch=\"a\"} 1\nx_total{ch=\"b\"} 2\n");
  }
}
