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

/// Label names allow no colon: `[a-zA-Z_][a-zA-Z0-9_]*`.
pub fn label_name(name: &str) -> String {
  sanitize(name, false)
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

/// `{a="x",le="1"}`; nothing when there are no labels at all.
fn write_labels(out: &mut String, labels: &[(String, String)], le: Option<f64>) {
  if labels.is_empty() && le.is_none() {
    return;
  }
  out.push('{');
  let mut first = true;
  for (k, v) in labels {
    if !first {
      out.push(',');
    }
    first = false;
    out.push_str(&label_name(k));
    out.push_str("=\"");
    escape_label_value(out, v);
    out.push('"');
  }
  if let Some(le) = le {
    if !first {
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
        write_labels(out, labels, None);
        let _ = writeln!(out, " {}", number(v));
      }
      Value::Histogram(h) => {
        for (le, count) in h.cumulative_buckets() {
          let _ = write!(out, "{base}_bucket");
          write_labels(out, labels, Some(le));
          let _ = writeln!(out, " {count}");
        }
        let s = h.summary();
        let _ = write!(out, "{base}_sum");
        write_labels(out, labels, None);
        let _ = writeln!(out, " {}", number(s.sum));
        let _ = write!(out, "{base}_count");
        write_labels(out, labels, None);
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
