//! One full walk of a value: size and depth caps, cycles, values JSON cannot
//! hold, and (when asked) a `serde_json::Value` copy for the fallback path.
//! `Meter` keeps the running totals, so the plan's evaluator can measure the
//! parts it reads itself and hand it only the subtrees it does not.
use super::{pointer, unsupported_message, Instance, Issue, Kind, Seg};
use serde_json::{Map, Number, Value};

/// Depth cap applied to conversions when the caller set none, so a hostile
/// value can never exhaust the native stack.
pub const DEFAULT_MAX_DEPTH: u32 = 256;

/// Strings whose exact UTF-8 size is left uncounted while the worst case fits.
const DEFERRED: usize = 4;

/// Running size and depth totals of one walk.
///
/// Strings are counted in UTF-16 units (a lower bound of their UTF-8 bytes) and
/// their exact UTF-8 size, an O(length) scan, is only taken when the worst case
/// (3 bytes per unit) of the uncounted ones could cross the cap: until then no
/// prefix of the walk can be over it, so the first crossing is still reported
/// exactly where the exact count would put it.
pub(crate) struct Meter<I> {
  max_bytes: f64,
  max_depth: u32,
  /// Exact, except that uncounted strings add their UTF-16 length.
  bytes: f64,
  /// What the uncounted strings could add at most.
  slack: f64,
  uncounted: [Option<I>; DEFERRED],
  ancestors: Vec<I>,
}

/// The first issue found within `max_bytes` (estimated JSON text bytes) and
/// `max_depth` (nested objects/arrays; the top-level container is 1), or None.
pub fn check_limits<I: Instance>(value: &I, max_bytes: f64, max_depth: u32) -> Option<Issue> {
  Meter::new(max_bytes, max_depth).walk(&mut Vec::new(), value, false).err()
}

/// Copies `value` into a `serde_json::Value`, with the same checks.
pub fn to_value<I: Instance>(value: &I, max_bytes: f64, max_depth: u32) -> Result<Value, Issue> {
  Meter::new(max_bytes, max_depth).walk(&mut Vec::new(), value, true)
}

/// Digits (and sign) of a number as JSON text; 20 for anything with a fraction or exponent.
fn number_bytes(n: f64) -> f64 {
  if n.fract() == 0.0 && n.abs() < 1e15 {
    let mut a = n.abs() as u64;
    let mut digits = 1.0;
    while a >= 10 {
      a /= 10;
      digits += 1.0;
    }
    digits + f64::from(u8::from(n < 0.0))
  } else {
    20.0
  }
}

fn issue(path: &[Seg<'_>], keyword: &str, message: String) -> Issue {
  Issue::new(pointer(path), keyword, message)
}

/// The issue for a value JSON cannot hold (or that threw when read), if it is one.
pub(crate) fn refusal<I: Instance>(path: &[Seg<'_>], value: &I) -> Option<Issue> {
  match value.kind() {
    Kind::Unsupported(what) => Some(issue(path, "unsupported", unsupported_message(what))),
    Kind::Thrown => Some(issue(path, "exception", value.fault().0)),
    _ => None,
  }
}

impl<I: Instance> Meter<I> {
  pub(crate) fn new(max_bytes: f64, max_depth: u32) -> Meter<I> {
    Meter { max_bytes, max_depth, bytes: 0.0, slack: 0.0, uncounted: [const { None }; DEFERRED], ancestors: Vec::new() }
  }

  fn over(&self, path: &[Seg<'_>]) -> Issue {
    issue(path, "maxBytes", format!("must NOT be larger than {} bytes", self.max_bytes))
  }

  /// Counts the deferred strings exactly.
  fn settle(&mut self) {
    for s in &mut self.uncounted {
      if let Some(s) = s.take() {
        self.bytes += s.utf8_len() as f64 - s.utf16_len() as f64;
      }
    }
    self.slack = 0.0;
  }

  pub(crate) fn add(&mut self, path: &[Seg<'_>], n: f64) -> Result<(), Issue> {
    self.bytes += n;
    if self.bytes + self.slack > self.max_bytes {
      self.settle();
      if self.bytes > self.max_bytes {
        return Err(self.over(path));
      }
    }
    Ok(())
  }

  fn string(&mut self, path: &[Seg<'_>], value: &I) -> Result<(), Issue> {
    // UTF-16 units never exceed UTF-8 bytes: huge strings are rejected before any scan.
    let units = value.utf16_len() as f64;
    self.add(path, units + 2.0)?;
    if self.bytes + self.slack + 2.0 * units <= self.max_bytes {
      if let Some(free) = self.uncounted.iter_mut().find(|s| s.is_none()) {
        *free = Some(value.clone());
        self.slack += 2.0 * units;
        return Ok(());
      }
    }
    self.add(path, value.utf8_len() as f64 - units)
  }

  /// Enters a container: cycle and depth checks.
  pub(crate) fn enter(&mut self, path: &[Seg<'_>], value: &I) -> Result<(), Issue> {
    if self.ancestors.iter().any(|a| a.same(value)) {
      return Err(issue(path, "cycle", unsupported_message("cycle")));
    }
    if self.ancestors.len() as u32 >= self.max_depth {
      let m = format!("must NOT be nested deeper than {} levels", self.max_depth);
      return Err(issue(path, "maxDepth", m));
    }
    self.ancestors.push(value.clone());
    Ok(())
  }

  pub(crate) fn leave(&mut self) {
    self.ancestors.pop();
  }

  /// Measures a scalar; false for containers (the caller walks them).
  pub(crate) fn scalar(&mut self, path: &[Seg<'_>], value: &I) -> Result<bool, Issue> {
    match value.kind() {
      Kind::Null => self.add(path, 4.0)?,
      Kind::Bool => self.add(path, if value.boolean() { 4.0 } else { 5.0 })?,
      Kind::Number => self.add(path, number_bytes(value.number()))?,
      Kind::String => self.string(path, value)?,
      Kind::Unsupported(_) | Kind::Thrown => {
        return Err(refusal(path, value).unwrap_or_else(|| issue(path, "unsupported", String::new())))
      }
      Kind::Array | Kind::Object => return Ok(false),
    }
    Ok(true)
  }

  pub(crate) fn walk<'p>(&mut self, path: &mut Vec<Seg<'p>>, value: &I, build: bool) -> Result<Value, Issue> {
    match value.kind() {
      Kind::Array => {
        self.enter(path, value)?;
        let len = value.array_len();
        self.add(path, 2.0 + len.saturating_sub(1) as f64)?;
        let mut out = Vec::with_capacity(if build { len.min(1 << 16) } else { 0 });
        for i in 0..len {
          path.push(Seg::Index(i));
          let item = value.element(i).map_err(|f| issue(path, "exception", f.0))?;
          let v = self.walk(path, &item, build)?;
          if build {
            out.push(v);
          }
          path.pop();
        }
        self.leave();
        Ok(Value::Array(out))
      }
      Kind::Object => {
        self.enter(path, value)?;
        let keys = value.keys().map_err(|f| issue(path, "exception", f.0))?;
        let len = I::keys_len(&keys);
        self.add(path, 2.0 + len.saturating_sub(1) as f64)?;
        let mut out = Map::new();
        let mut name = String::new();
        for i in 0..len {
          let item = match value.entry(&keys, i, &mut name) {
            Ok(item) => item,
            Err(f) => {
              path.push(Seg::Owned(std::mem::take(&mut name)));
              return Err(issue(path, "exception", f.0));
            }
          };
          // Undefined members are dropped, as JSON.stringify and structured clone agree on absence.
          if item.kind() == Kind::Unsupported("undefined") {
            continue;
          }
          self.add(path, name.len() as f64 + 3.0)?;
          path.push(Seg::Owned(std::mem::take(&mut name)));
          let v = self.walk(path, &item, build)?;
          if let Some(Seg::Owned(key)) = path.pop() {
            if build {
              out.insert(key, v);
            } else {
              name = key;
            }
          }
        }
        self.leave();
        Ok(Value::Object(out))
      }
      _ => {
        self.scalar(path, value)?;
        Ok(if !build {
          Value::Null
        } else {
          match value.kind() {
            Kind::Null => Value::Null,
            Kind::Bool => Value::Bool(value.boolean()),
            Kind::Number => {
              let n = value.number();
              if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
                Value::Number(Number::from(n as i64))
              } else {
                Number::from_f64(n).map_or(Value::Null, Value::Number)
              }
            }
            _ => Value::String(value.text()),
          }
        })
      }
    }
  }
}
