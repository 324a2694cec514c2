//! JSON Schema validation over any value representation.
//!
//! `Instance` abstracts reading a value, so the same compiled `Plan` walks a
//! `serde_json::Value` here (tested against the `jsonschema` crate, a
//! dev-dependency only) and a live
//! JS value in the binding, reading only what the schema asks for.
mod accept;
mod compile;
#[cfg(test)]
mod depth_tests;
mod describe;
#[cfg(test)]
mod differential;
mod eval;
mod limits;
mod pattern;
mod plan;
mod serde_impl;
#[cfg(test)]
mod surrogate_tests;
#[cfg(test)]
mod tests;
mod validator;
mod walk;

pub use describe::object_name;
pub use limits::{read_max_bytes, read_max_depth, Limits, NO_DEPTH_CAP, WALK_CEILING};
pub use plan::{Plan, ReadAhead, READ_AHEAD_MAX};
pub use validator::{SchemaError, Validator};
pub use walk::{check_limits, to_value};

/// What kind of value an instance is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
  Null,
  Bool,
  Number,
  String,
  Array,
  Object,
  /// `undefined`: inside an object it means the member is absent (JSON.stringify and
  /// structured clone agree); anywhere else it is a value JSON cannot hold.
  Undefined,
  /// Not JSON: what it is, as a noun phrase ("a Map", "a function", "NaN").
  Unsupported(&'static str),
  /// Reading the value itself threw (a Proxy's `getPrototypeOf` trap, a revoked Proxy):
  /// the exception is kept by the instance, see `Instance::fault`.
  Thrown,
}

/// A JS exception raised while reading a value (a getter or a Proxy trap threw).
#[derive(Debug, Clone)]
pub struct Fault {
  pub message: String,
  /// The member being read, when a whole-object read (`entries`) failed there.
  pub member: Option<String>,
}

/// Longest thrown message kept (a hostile value could throw megabytes).
const THROWN_TEXT_MAX: usize = 200;

impl Fault {
  pub fn new(message: impl Into<String>) -> Fault {
    Fault { message: message.into(), member: None }
  }

  /// What was thrown while reading: its text (`None` when it was not a string
  /// or an Error with a string message), cut to a readable length.
  pub fn thrown(text: Option<String>) -> Fault {
    let mut text = text.unwrap_or_else(|| "a non-Error value".into());
    crate::text::truncate(&mut text, THROWN_TEXT_MAX);
    Fault::new(format!("reading this value threw: {text}"))
  }
}

/// A property name, prepared once when the schema is compiled.
#[derive(Debug, Clone)]
pub struct Key {
  /// Native text (src/text.rs), as every name the walk compares.
  pub name: String,
  /// NUL-terminated copy for C lookups.
  pub c_name: std::ffi::CString,
  /// Names that `Object.prototype` also has: only an own property counts.
  pub own_only: bool,
  /// The JS name's UTF-16 units when `name` is escaped (a lone surrogate or
  /// U+FDD0): `c_name` would then look up another name.
  pub units: Option<Box<[u16]>>,
}

const PROTOTYPE_NAMES: &[&str] = &[
  "__proto__",
  "constructor",
  "toString",
  "toLocaleString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
];

impl Key {
  /// `None` for names with a NUL byte (not addressable through the C API).
  pub fn new(name: &str) -> Option<Key> {
    let c_name = std::ffi::CString::new(name).ok()?;
    let units = crate::text::is_escaped(name).then(|| crate::text::to_units(name).into_boxed_slice());
    Some(Key { name: name.to_string(), c_name, own_only: PROTOTYPE_NAMES.contains(&name), units })
  }

  /// Bytes of the UTF-8 Node-API writes for the JS name (for size caps).
  pub fn utf8_len(&self) -> usize {
    match self.units {
      None => self.name.len(),
      Some(_) => crate::text::utf8_len(&self.name),
    }
  }
}

/// Most names a members code (`Instance::members_among`) can index: 4 bits each, 0 meaning none.
pub const MEMBERS_CODE_NAMES: usize = 15;

/// Read access to one value. Numbers are f64 (JS semantics); strings report
/// their UTF-16 length cheaply and their code-point length when asked; their
/// text, and member names, are native text (src/text.rs): lone surrogates kept.
pub trait Instance: Sized + Clone {
  fn kind(&self) -> Kind;
  fn number(&self) -> f64;
  fn boolean(&self) -> bool;
  fn utf16_len(&self) -> usize;
  /// Length in Unicode code points (JSON Schema's string length).
  fn char_len(&self) -> usize;
  /// Length of the UTF-8 encoding, for size caps.
  fn utf8_len(&self) -> usize;
  fn text(&self) -> String;
  /// An own (or, for ordinary names, readable) property; `None` when absent or undefined.
  fn get(&self, key: &Key) -> Result<Option<Self>, Fault>;
  /// Own enumerable string-keyed properties, in order.
  fn entries(&self) -> Result<Vec<(String, Self)>, Fault> {
    let keys = self.keys()?;
    let len = Self::keys_len(&keys);
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
      let mut name = String::new();
      match self.entry(&keys, i, &mut name) {
        Ok(v) => out.push((name, v)),
        Err(f) => return Err(Fault { member: Some(name), ..f }),
      }
    }
    Ok(out)
  }
  fn array_len(&self) -> usize;
  fn element(&self, index: usize) -> Result<Self, Fault>;
  /// Identity, for cycle detection.
  fn same(&self, other: &Self) -> bool;
  /// A shortcut for objects whose members the schema names: when every own
  /// enumerable key is one of the `count` (<= `MEMBERS_CODE_NAMES`) names (`name(i)`), the keys in
  /// their order as name indices plus one, 4 bits each, lowest first (at most 13
  /// keys). None when unknown, or when some key is not a name. `site` identifies
  /// the name list (for caches).
  fn members_among<'n>(&self, _site: usize, _count: usize, _name: &dyn Fn(usize) -> &'n str) -> Option<u64> {
    None
  }
  /// For `Kind::Thrown`: what was thrown.
  fn fault(&self) -> Fault {
    Fault::new("the value could not be read")
  }

  /// Own enumerable string keys, read once; walked with `entry`.
  type Keys;
  fn keys(&self) -> Result<Self::Keys, Fault>;
  fn keys_len(keys: &Self::Keys) -> usize;
  /// The `index`th own key (written into `name`, which is cleared first) and its value.
  /// On a fault `name` still holds the key.
  fn entry(&self, keys: &Self::Keys, index: usize, name: &mut String) -> Result<Self, Fault>;
}

/// One failing field.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
  pub pointer: String,
  pub keyword: String,
  pub message: String,
}

impl Issue {
  pub fn new(pointer: String, keyword: &str, message: String) -> Issue {
    Issue { pointer, keyword: keyword.to_string(), message }
  }

  /// An issue at the value `path` leads to.
  pub fn at(path: &[Seg<'_>], keyword: &str, message: String) -> Issue {
    Issue::new(pointer(path), keyword, message)
  }
}

/// One step of a JSON pointer.
#[derive(Debug, Clone)]
pub enum Seg<'a> {
  Key(&'a str),
  Owned(String),
  Index(usize),
}

/// RFC 6901 pointer text for a path.
pub fn pointer(path: &[Seg<'_>]) -> String {
  let mut out = String::new();
  for seg in path {
    match seg {
      Seg::Key(k) => push_token(&mut out, k),
      Seg::Owned(k) => push_token(&mut out, k),
      Seg::Index(i) => {
        out.push('/');
        out.push_str(&i.to_string());
      }
    }
  }
  out
}

/// Appends `/` and `key` as one RFC 6901 reference token (`~` as `~0`, `/` as `~1`).
pub fn push_token(out: &mut String, key: &str) {
  out.push('/');
  for c in key.chars() {
    match c {
      '~' => out.push_str("~0"),
      '/' => out.push_str("~1"),
      c => out.push(c),
    }
  }
}

/// The `required` keyword's message.
pub fn required_message(name: &str) -> String {
  format!("must have required property '{name}'")
}

pub fn cycle_message() -> String {
  "must not contain a reference to itself (cycle)".to_string()
}

/// The keyword and message for a value JSON cannot hold, or that threw when read; None for JSON.
pub fn refusal<I: Instance>(value: &I) -> Option<(&'static str, String)> {
  let what = match value.kind() {
    Kind::Undefined => "undefined",
    Kind::Unsupported(what) => what,
    Kind::Thrown => return Some(("exception", value.fault().message)),
    _ => return None,
  };
  let message = match what {
    "NaN" | "Infinity" => format!("must be a finite number, got {what}"),
    _ => format!("{what} cannot be validated as JSON"),
  };
  Some(("unsupported", message))
}
