//! One full walk of a value: size and depth caps, cycles, values JSON cannot
//! hold, and (when asked) a `serde_json::Value` copy for the fallback path.
//! `Meter` keeps the running totals, so the plan's evaluator can measure the
//! parts it reads itself and hand it only the subtrees it does not.
//!
//! The walk is iterative (an explicit stack of open containers), so a cap of
//! `Infinity` really is no cap: data nested 100,000 deep is measured without
//! native recursion.
use super::limits::{past_ceiling, too_deep, WALK_CEILING};
use super::{cycle_message, refusal, Instance, Issue, Kind, Seg};
use serde_json::{Map, Number, Value};

/// Depth cap applied to conversions when the caller set none.
pub const DEFAULT_MAX_DEPTH: u32 = 256;

/// Strings whose exact UTF-8 size is left uncounted while the worst case fits.
const DEFERRED: usize = 4;

/// Up to this depth a container is compared with every ancestor, so a cycle is
/// reported where it first closes. Deeper, with one checkpoint ancestor only
/// (Brent's method): O(1) per container instead of O(depth), and a cycle is
/// still found, at most about four times as deep as where it closes (a cycle
/// through 100,000 levels is reported within 0.3 s).
const EXACT_CYCLE_DEPTH: usize = 64;

/// Whether `value` is one of `ancestors` (the containers it is nested in), as
/// far as the check above can tell: a cycle is always found, deep ones later.
pub(crate) fn repeats_ancestor<I: Instance>(ancestors: &[I], value: &I) -> bool {
  let depth = ancestors.len();
  if depth <= EXACT_CYCLE_DEPTH {
    return ancestors.iter().any(|a| a.same(value));
  }
  // For depth in [2^k, 2^(k+1)) compare with ancestors[2^k - 1]: once 2^k - 1 is
  // inside the cycle and 2^k is at least its length, some depth in the range hits.
  let checkpoint = (1usize << (usize::BITS - 1 - depth.leading_zeros())) - 1;
  ancestors[checkpoint].same(value)
}

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

/// Copies `value` into a `serde_json::Value`, with the same checks; never
/// deeper than `WALK_CEILING` (what consumes the copy recurses).
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

fn scalar_value<I: Instance>(value: &I) -> Value {
  match value.kind() {
    Kind::Bool => Value::Bool(value.boolean()),
    Kind::Number => {
      let n = value.number();
      if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        Value::Number(Number::from(n as i64))
      } else {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
      }
    }
    Kind::String => Value::String(value.text()),
    _ => Value::Null,
  }
}

/// A container the walk is inside of, with its next member to visit.
enum Open<I: Instance> {
  Array { value: I, len: usize, next: usize, out: Vec<Value> },
  Object { value: I, keys: I::Keys, len: usize, next: usize, out: Map<String, Value> },
}

impl<I: Instance> Meter<I> {
  pub(crate) fn new(max_bytes: f64, max_depth: u32) -> Meter<I> {
    Meter { max_bytes, max_depth, bytes: 0.0, slack: 0.0, uncounted: [const { None }; DEFERRED], ancestors: Vec::new() }
  }

  fn over(&self, path: &[Seg<'_>]) -> Issue {
    Issue::at(path, "maxBytes", format!("must NOT be larger than {} bytes", self.max_bytes))
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
    if repeats_ancestor(&self.ancestors, value) {
      return Err(Issue::at(path, "cycle", cycle_message()));
    }
    if self.ancestors.len() as u32 >= self.max_depth {
      return Err(too_deep(path, self.max_depth));
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
      Kind::Array | Kind::Object => return Ok(false),
      Kind::Undefined | Kind::Unsupported(_) | Kind::Thrown => {
        let (keyword, message) = refusal(value).unwrap_or(("unsupported", String::new()));
        return Err(Issue::at(path, keyword, message));
      }
    }
    Ok(true)
  }

  /// Opens a container: checks, measures its brackets and separators.
  fn open(&mut self, path: &[Seg<'_>], value: &I, build: bool) -> Result<Open<I>, Issue> {
    if build && self.ancestors.len() as u32 >= WALK_CEILING && self.max_depth > WALK_CEILING {
      return Err(past_ceiling(path));
    }
    self.enter(path, value)?;
    if value.kind() == Kind::Array {
      let len = value.array_len();
      self.add(path, 2.0 + len.saturating_sub(1) as f64)?;
      let out = Vec::with_capacity(if build { len.min(1 << 16) } else { 0 });
      Ok(Open::Array { value: value.clone(), len, next: 0, out })
    } else {
      let keys = value.keys().map_err(|f| Issue::at(path, "exception", f.message))?;
      let len = I::keys_len(&keys);
      self.add(path, 2.0 + len.saturating_sub(1) as f64)?;
      Ok(Open::Object { value: value.clone(), keys, len, next: 0, out: Map::new() })
    }
  }

  /// Walks `value` (at `path`, which is restored on success) and copies it when `build`.
  pub(crate) fn walk<'p>(&mut self, path: &mut Vec<Seg<'p>>, value: &I, build: bool) -> Result<Value, Issue> {
    let mut stack: Vec<Open<I>> = Vec::new();
    let mut name = String::new();
    let mut visit = value.clone();
    loop {
      // Visit one value: a scalar is done at once, a container is opened.
      let mut done = if self.scalar(path, &visit)? {
        Some(if build { scalar_value(&visit) } else { Value::Null })
      } else {
        stack.push(self.open(path, &visit, build)?);
        None
      };
      // Hand finished values to their parents until some container has a member left.
      loop {
        if let Some(finished) = done.take() {
          match stack.last_mut() {
            None => return Ok(finished),
            Some(Open::Array { out, .. }) => {
              path.pop();
              if build {
                out.push(finished);
              }
            }
            Some(Open::Object { out, .. }) => {
              if let Some(Seg::Owned(key)) = path.pop() {
                if build {
                  out.insert(key, finished);
                } else {
                  name = key;
                }
              }
            }
          }
        }
        let next = match stack.last_mut() {
          None => unreachable!("the walk ends when the outermost value is done"),
          Some(Open::Array { value, len, next, .. }) => {
            if *next < *len {
              let i = *next;
              *next += 1;
              path.push(Seg::Index(i));
              Some(value.element(i).map_err(|f| Issue::at(path, "exception", f.message))?)
            } else {
              None
            }
          }
          Some(Open::Object { value, keys, len, next, .. }) => {
            let mut found = None;
            while *next < *len {
              let i = *next;
              *next += 1;
              let item = match value.entry(keys, i, &mut name) {
                Ok(item) => item,
                Err(f) => {
                  path.push(Seg::Owned(std::mem::take(&mut name)));
                  return Err(Issue::at(path, "exception", f.message));
                }
              };
              // Undefined members are dropped, as JSON.stringify and structured clone agree on absence.
              if item.kind() != Kind::Undefined {
                found = Some(item);
                break;
              }
            }
            if found.is_some() {
              self.add(path, crate::text::utf8_len(&name) as f64 + 3.0)?;
              path.push(Seg::Owned(std::mem::take(&mut name)));
            }
            found
          }
        };
        match next {
          Some(item) => {
            visit = item;
            break;
          }
          None => {
            self.leave();
            done = Some(match stack.pop() {
              Some(Open::Array { out, .. }) => Value::Array(out),
              Some(Open::Object { out, .. }) => Value::Object(out),
              None => unreachable!(),
            });
          }
        }
      }
    }
  }
}
