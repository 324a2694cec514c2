//! One full walk of a value: size and depth caps, cycles, values JSON cannot
//! hold, and (when asked) a `serde_json::Value` copy for the fallback path.
use super::{pointer, unsupported_message, Instance, Issue, Kind, Seg};
use serde_json::{Map, Number, Value};

/// Depth cap applied to conversions when the caller set none, so a hostile
/// value can never exhaust the native stack.
pub const DEFAULT_MAX_DEPTH: u32 = 256;

struct Walker<I> {
  max_bytes: f64,
  max_depth: u32,
  bytes: f64,
  path: Vec<Seg<'static>>,
  ancestors: Vec<I>,
}

/// The first issue found within `max_bytes` (estimated JSON text bytes) and
/// `max_depth` (nested objects/arrays; the top-level container is 1), or None.
pub fn check_limits<I: Instance>(value: &I, max_bytes: f64, max_depth: u32) -> Option<Issue> {
  let mut w = Walker { max_bytes, max_depth, bytes: 0.0, path: Vec::new(), ancestors: Vec::new() };
  w.walk(value, false).err()
}

/// Copies `value` into a `serde_json::Value`, with the same checks.
pub fn to_value<I: Instance>(value: &I, max_bytes: f64, max_depth: u32) -> Result<Value, Issue> {
  let mut w = Walker { max_bytes, max_depth, bytes: 0.0, path: Vec::new(), ancestors: Vec::new() };
  w.walk(value, true)
}

fn number_bytes(n: f64) -> f64 {
  if n.fract() == 0.0 && n.abs() < 1e15 {
    (n.abs().max(1.0).log10().floor() + 1.0) + f64::from(u8::from(n < 0.0))
  } else {
    20.0
  }
}

impl<I: Instance> Walker<I> {
  fn issue(&self, keyword: &str, message: String) -> Issue {
    Issue::new(pointer(&self.path), keyword, message)
  }

  fn add(&mut self, n: f64) -> Result<(), Issue> {
    self.bytes += n;
    if self.bytes > self.max_bytes {
      let m = format!("must NOT be larger than {} bytes", self.max_bytes);
      return Err(self.issue("maxBytes", m));
    }
    Ok(())
  }

  fn enter(&mut self, value: &I) -> Result<(), Issue> {
    if self.ancestors.iter().any(|a| a.same(value)) {
      return Err(self.issue("cycle", unsupported_message("cycle")));
    }
    if self.ancestors.len() as u32 >= self.max_depth {
      let m = format!("must NOT be nested deeper than {} levels", self.max_depth);
      return Err(self.issue("maxDepth", m));
    }
    self.ancestors.push(value.clone());
    Ok(())
  }

  fn walk(&mut self, value: &I, build: bool) -> Result<Value, Issue> {
    match value.kind() {
      Kind::Unsupported(what) => Err(self.issue("unsupported", unsupported_message(what))),
      Kind::Null => self.add(4.0).map(|_| Value::Null),
      Kind::Bool => {
        let b = value.boolean();
        self.add(if b { 4.0 } else { 5.0 }).map(|_| Value::Bool(b))
      }
      Kind::Number => {
        let n = value.number();
        self.add(number_bytes(n))?;
        Ok(if !build {
          Value::Null
        } else if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
          Value::Number(Number::from(n as i64))
        } else {
          Number::from_f64(n).map_or(Value::Null, Value::Number)
        })
      }
      Kind::String => {
        // UTF-16 units never exceed UTF-8 bytes: reject huge strings before counting them.
        self.add(value.utf16_len() as f64 + 2.0)?;
        self.bytes -= value.utf16_len() as f64;
        self.add(value.utf8_len() as f64)?;
        Ok(if build { Value::String(value.text()) } else { Value::Null })
      }
      Kind::Array => {
        self.enter(value)?;
        let len = value.array_len();
        self.add(2.0 + len.saturating_sub(1) as f64)?;
        let mut out = Vec::with_capacity(if build { len.min(1 << 16) } else { 0 });
        for i in 0..len {
          self.path.push(Seg::Index(i));
          let item = value.element(i).map_err(|f| self.issue("exception", f.0))?;
          let v = self.walk(&item, build)?;
          if build {
            out.push(v);
          }
          self.path.pop();
        }
        self.ancestors.pop();
        Ok(Value::Array(out))
      }
      Kind::Object => {
        self.enter(value)?;
        let entries = value.entries().map_err(|f| {
          if let Some(key) = f.1 {
            self.path.push(Seg::Owned(key));
          }
          self.issue("exception", f.0)
        })?;
        self.add(2.0 + entries.len().saturating_sub(1) as f64)?;
        let mut out = Map::new();
        for (key, item) in entries {
          // Undefined members are dropped, as JSON.stringify and structured clone agree on absence.
          if item.kind() == Kind::Unsupported("undefined") {
            continue;
          }
          self.add(key.len() as f64 + 3.0)?;
          self.path.push(Seg::Owned(key));
          let v = self.walk(&item, build)?;
          if let Some(Seg::Owned(key)) = self.path.pop() {
            if build {
              out.insert(key, v);
            }
          }
        }
        self.ancestors.pop();
        Ok(Value::Object(out))
      }
    }
  }
}
