//! A compiled schema: the checks of each (sub)schema, as the evaluator walks
//! them. `compile` builds it from draft 2020-12 (and draft-07 / 2019-09) JSON.
use super::pattern::Pattern;
use super::{Key, MEMBERS_CODE_NAMES};
use serde_json::Value;

pub const T_NULL: u8 = 1;
pub const T_BOOL: u8 = 2;
pub const T_NUMBER: u8 = 4;
pub const T_INTEGER: u8 = 8;
pub const T_STRING: u8 = 16;
pub const T_ARRAY: u8 = 32;
pub const T_OBJECT: u8 = 64;

/// JSON Schema's type names and their bits: the one table `type` is read and written with.
pub const TYPES: [(u8, &str); 7] = [
  (T_NULL, "null"),
  (T_BOOL, "boolean"),
  (T_NUMBER, "number"),
  (T_INTEGER, "integer"),
  (T_STRING, "string"),
  (T_ARRAY, "array"),
  (T_OBJECT, "object"),
];

/// The bit of a type name.
pub fn type_bit(name: &str) -> Option<u8> {
  TYPES.iter().find(|(_, n)| *n == name).map(|(b, _)| *b)
}

/// The names of the types in `bits`, in `TYPES` order.
pub fn type_names(bits: u8) -> Vec<&'static str> {
  TYPES.iter().filter(|(b, _)| bits & b != 0).map(|(_, n)| *n).collect()
}

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
  /// Where each `pattern` keyword sits (node, check), in node order: `accept_plan`'s numbering.
  pub patterns: Vec<(usize, usize)>,
}

/// What of the root a caller can read before the walk, in one batch: what
/// `Plan::read_ahead` finds.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadAhead {
  /// An object read by its property names alone.
  Members {
    /// The root's property names, in the plan's order.
    names: Vec<String>,
    /// `additionalProperties: false`: whether the names are all the object may hold.
    deny_others: bool,
  },
  /// An array whose first `count` items have their own schemas (`prefixItems`).
  Items { count: usize },
}

/// Most members or items a read-ahead carries (as many as a members code names).
pub const READ_AHEAD_MAX: usize = MEMBERS_CODE_NAMES;

impl Plan {
  /// Some when the root reads a value only by its property names or its
  /// leading items, beside at most a type check (and, for arrays, item counts):
  /// one object keyword with at most `READ_AHEAD_MAX` names (none that
  /// `Object.prototype` also has) and no pattern, extra `required` name or
  /// additional schema; or one array keyword with 1 to `READ_AHEAD_MAX`
  /// `prefixItems`. Nested schemas can be anything.
  pub fn read_ahead(&self) -> Option<ReadAhead> {
    let mut found = None;
    for check in &self.nodes.first()?.checks {
      match check {
        Check::Type(bits) if bits & (T_OBJECT | T_ARRAY) != 0 => {}
        // Item counts read an array's length, which its read-ahead carries (an object ignores them).
        Check::MinItems(_) | Check::MaxItems(_) => {}
        Check::Object { props, patterns, extra_required, additional, .. }
          if found.is_none()
            && patterns.is_empty()
            && extra_required.is_empty()
            && (1..=READ_AHEAD_MAX).contains(&props.len())
            && props.iter().all(|p| !p.key.own_only) =>
        {
          let deny_others = match additional {
            Additional::Any => false,
            Additional::Deny => true,
            Additional::Schema(_) => return None,
          };
          found = Some(ReadAhead::Members { names: props.iter().map(|p| p.key.name.clone()).collect(), deny_others });
        }
        Check::Array { prefix, .. } if found.is_none() && (1..=READ_AHEAD_MAX).contains(&prefix.len()) => {
          found = Some(ReadAhead::Items { count: prefix.len() });
        }
        _ => return None,
      }
    }
    found
  }
}
