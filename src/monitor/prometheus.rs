//! The Prometheus text exposition format 0.0.4, written the way prom-client
//! writes it: `# HELP` and `# TYPE` per family, counters as `<name>_total`,
//! histograms as cumulative `_bucket{le=...}` plus `_sum` and `_count`.
use super::histogram::LogHistogram;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
  Counter,
  Gauge,
  Histogram,
}

pub enum Value<'a> {
  Number(f64),
  Histogram(&'a LogHistogram),
}

/// Maps a name onto `[a-zA-Z_:][a-zA-Z0-9_:]*` (`ipcflow.invoke` -> `ipcflow_invoke`).
pub fn metric_name(name: &str) -> String {
  sanitize(name, true)
}

/// Label names allow no colon: `[a-zA-Z_][a-zA-Z0-9_]*`, and names starting
/// with `__` are reserved for Prometheus itself (`__proto__` -> `_proto__`).
pub fn label_name(name: &str) -> String {
  let mut out = sanitize(name, false);
  let underscores = out.bytes().take_while(|&b| b == b'_').count();
  if underscores >= 2 && underscores < out.len() {
    out.drain(..underscores - 1);
  } else if underscores >= 2 {
    out.truncate(1);
  }
  out
}

fn sanitize(name: &str, colon: bool) -> String {
  let mut out = String::with_capacity(name.len() + 1);
  for (i, c) in name.chars().enumerate() {
    let ok = c.is_ascii_alphabetic() || c == '_' || (colon && c == ':') || (i > 0 && c.is_ascii_digit());
    if i == 0 && c.is_ascii_digit() {
      out.push('_');
      out.push(c);
    } else {
      out.push(if ok { c } else { '_' });
    }
  }
  if out.is_empty() {
    out.push('_');
  }
  out
}

/// Go's float formatting as Prometheus parses it.
pub fn number(v: f64) -> String {
  if v.is_nan() {
    "NaN".into()
  } else if v == f64::INFINITY {
    "+Inf".into()
  } else if v == f64::NEG_INFINITY {
    "-Inf".into()
  } else {
    format!("{v}")
  }
}

pub fn escape_label_value(out: &mut String, v: &str) {
  for c in v.chars() {
    match c {
      '\\' => out.push_str("\\\\"),
      '"' => out.push_str("\\\""),
      '\n' => out.push_str("\\n"),
      c => out.push(c),
    }
  }
}

fn escape_help(out: &mut String, v: &str) {
  for c in v.chars() {
    match c {
      '\\' => out.push_str("\\\\"),
      '\n' => out.push_str("\\n"),
      c => out.push(c),
    }
  }
}

/// `{a="x",le="1"}`; nothing when there are no labels at all. Names that
/// sanitise alike (`a.b`, `a_b`), or `le` on any line of a histogram, get a
/// trailing `_` until unique: a series never repeats a label name.
fn write_labels(out: &mut String, labels: &[(String, String)], histogram: bool, le: Option<f64>) {
  if labels.is_empty() && le.is_none() {
    return;
  }
  out.push('{');
  let mut used: Vec<String> = Vec::with_capacity(labels.len() + 1);
  if histogram {
    used.push("le".to_string());
  }
  for (k, v) in labels {
    let mut name = label_name(k);
    while used.contains(&name) {
      name.push('_');
    }
    if used.len() > usize::from(histogram) {
      out.push(',');
    }
    out.push_str(&name);
    out.push_str("=\"");
    escape_label_value(out, v);
    out.push('"');
    used.push(name);
  }
  if let Some(le) = le {
    if !labels.is_empty() {
      out.push(',');
    }
    let _ = write!(out, "le=\"{}\"", number(le));
  }
  out.push('}');
}

/// Writes one family: `name` as given by the user (sanitised here), every series of it.
pub fn write_family<'a>(
  out: &mut String,
  name: &str,
  help: &str,
  kind: Kind,
  series: impl Iterator<Item = (&'a [(String, String)], Value<'a>)>,
) {
  let mut base = metric_name(name);
  let (type_name, suffix) = match kind {
    Kind::Counter => {
      if let Some(stripped) = base.strip_suffix("_total") {
        base = stripped.to_string();
      }
      ("counter", "_total")
    }
    Kind::Gauge => ("gauge", ""),
    Kind::Histogram => ("histogram", ""),
  };
  let _ = write!(out, "# HELP {base}{suffix} ");
  escape_help(out, help);
  let _ = writeln!(out, "\n# TYPE {base}{suffix} {type_name}");
  for (labels, value) in series {
    match value {
      Value::Number(v) => {
        let _ = write!(out, "{base}{suffix}");
        write_labels(out, labels, false, None);
        let _ = writeln!(out, " {}", number(v));
      }
      Value::Histogram(h) => {
        for (le, count) in h.cumulative_buckets() {
          let _ = write!(out, "{base}_bucket");
          write_labels(out, labels, true, Some(le));
          let _ = writeln!(out, " {count}");
        }
        let s = h.summary();
        let _ = write!(out, "{base}_sum");
        write_labels(out, labels, true, None);
        let _ = writeln!(out, " {}", number(s.sum));
        let _ = write!(out, "{base}_count");
        write_labels(out, labels, true, None);
        let _ = writeln!(out, " {}", h.count());
      }
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn names_are_sanitised() {
    assert_eq!(metric_name("ipcflow.invoke"), "ipcflow_invoke");
    assert_eq!(metric_name("9lives:x-y"), "_9lives:x_y");
    assert_eq!(label_name("a:b"), "a_b");
    assert_eq!(metric_name(""), "_");
  }

  #[test]
  fn reserved_label_names_are_not_written() {
    assert_eq!(label_name("__proto__"), "_proto__");
    assert_eq!(label_name("__name__"), "_name__");
    assert_eq!(label_name("___"), "_");
    assert_eq!(label_name("_ok"), "_ok");
  }

  #[test]
  fn a_series_never_repeats_a_label_name() {
    let mut h = LogHistogram::new(&[1.0]);
    h.record(0.5);
    let labels =
      [("a.b".to_string(), "1".to_string()), ("a_b".to_string(), "2".to_string()), ("le".to_string(), "3".to_string())];
    let mut out = String::new();
    write_family(&mut out, "lat", "Latency", Kind::Histogram, std::iter::once((&labels[..], Value::Histogram(&h))));
    assert!(out.contains("lat_bucket{a_b=\"1\",a_b_=\"2\",le_=\"3\",le=\"1\"} 1\n"), "{out}");
    assert!(out.contains("lat_count{a_b=\"1\",a_b_=\"2\",le_=\"3\"} 1\n"), "{out}");
    assert!(out.contains("lat_sum{a_b=\"1\",a_b_=\"2\",le_=\"3\"} 0.5\n"), "{out}");
  }

  #[test]
  fn counter_with_escaped_labels() {
    let mut out = String::new();
    let labels = [("channel".to_string(), "a\"b\\c\nd".to_string())];
    write_family(
      &mut out,
      "calls_total",
      "Calls\nmade",
      Kind::Counter,
      std::iter::once((&labels[..], Value::Number(3.0))),
    );
    assert_eq!(
      out,
      "# HELP calls_total Calls\\nmade\n# TYPE calls_total counter\ncalls_total{channel=\"a\\\"b\\\\c\\nd\"} 3\n"
    );
  }

  #[test]
  fn histogram_lines() {
    let mut h = LogHistogram::new(&[1.0, 2.5]);
    h.record(0.5);
    h.record(2.0);
    h.record(9.0);
    let mut out = String::new();
    write_family(&mut out, "lat", "Latency", Kind::Histogram, std::iter::once((&[][..], Value::Histogram(&h))));
    assert!(
      out.contains(
        "lat_bucket{le=\"1\"} 1\nlat_bucket{le=\"2.5\"} 2\nlat_bucket{le=\"+Inf\"} 3\nlat_sum 11.5\nlat_count 3\n"
      ),
      "{out}"
    );
  }
}
