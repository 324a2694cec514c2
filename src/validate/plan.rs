//! A compiled schema: the checks of each (sub)schema, as the evaluator walks
//! them. `compile` builds it from draft 2020-12 (and draft-07 / 2019-09) JSON.
use super::pattern::Pattern;
use super::Key;
use serde_json::Value;

pub const T_NULL: u8 = 1;
pub const T_BOOL: u8 = 2;
pub const T_NUMBER: u8 = 4;
pub const T_INTEGER: u8 = 8;
pub const T_STRING: u8 = 16;
pub const T_ARRAY: u8 = 32;
pub const T_OBJECT: u8 = 64;

pub enum Additional {
  Any,
  Deny,
  Schema(usize),
}

pub struct Prop {
  pub key: Key,
  /// None for a schema that accepts everything.
  pub node: Option<usize>,
  pub required: bool,
}

pub enum Check {
  False,
  Type(u8),
  Const(Value),
  Enum(Vec<Value>),
  MinLength(u64),
  MaxLength(u64),
  Minimum(f64),
  Maximum(f64),
  ExclusiveMinimum(f64),
  ExclusiveMaximum(f64),
  MultipleOf(f64),
  Pattern(Pattern),
  /// `site` numbers the object keywords of a plan (0..`Plan::sites`), for per-site caches.
  Object {
    props: Vec<Prop>,
    /// `patternProperties`: members whose name matches are checked by the node too.
    patterns: Vec<(Pattern, usize)>,
    extra_required: Vec<Key>,
    additional: Additional,
    site: usize,
  },
  MinProperties(u64),
  PropertyNames(usize),
  /// Each name present requires the listed names.
  DependentRequired(Vec<(Key, Vec<Key>)>),
  /// Each name present applies its schema to the whole object.
  DependentSchemas(Vec<(Key, usize)>),
  MaxProperties(u64),
  Array {
    prefix: Vec<usize>,
    items: Option<usize>,
  },
  MinItems(u64),
  MaxItems(u64),
  Unique,
  /// `contains` with `minContains` (default 1) and `maxContains`.
  Contains {
    node: usize,
    min: u64,
    max: Option<u64>,
  },
  /// `if` / `then` / `else`.
  Conditional {
    test: usize,
    then: Option<usize>,
    otherwise: Option<usize>,
  },
  AllOf(Vec<usize>),
  AnyOf(Vec<usize>),
  OneOf(Vec<usize>),
  Not(usize),
  Ref(usize),
}

#[derive(Default)]
pub struct Node {
  pub checks: Vec<Check>,
}

pub struct Plan {
  pub nodes: Vec<Node>,
  /// True when `$ref` can make the walk revisit a value (then cycles are checked).
  pub has_refs: bool,
  /// How many object keywords (`Check::Object`) there are.
  pub sites: usize,
}
