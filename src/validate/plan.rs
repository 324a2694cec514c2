//! Compiles the common keyword subset of a draft 2020-12 schema into a plan
//! the evaluator walks. Anything outside the subset makes `Plan::compile`
//! return None and the validator falls back to the `jsonschema` crate.
use super::Key;
use serde_json::{Map, Value};
use std::collections::HashMap;

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
  /// `site` numbers the object keywords of a plan (0..`Plan::sites`), for per-site caches.
  Object {
    props: Vec<Prop>,
    extra_required: Vec<Key>,
    additional: Additional,
    site: usize,
  },
  MinProperties(u64),
  MaxProperties(u64),
  Array {
    prefix: Vec<usize>,
    items: Option<usize>,
  },
  MinItems(u64),
  MaxItems(u64),
  Unique,
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

const IGNORED: &[&str] = &[
  "$comment",
  "title",
  "description",
  "default",
  "examples",
  "deprecated",
  "readOnly",
  "writeOnly",
  "$defs",
  "definitions",
  "format",
  "contentMediaType",
  "contentEncoding",
];

struct Compiler<'a> {
  root: &'a Value,
  nodes: Vec<Node>,
  refs: HashMap<String, usize>,
  sites: usize,
}

type R<T> = Result<T, ()>;

fn uint(v: &Value) -> R<u64> {
  match v.as_f64() {
    Some(f) if f >= 0.0 && f.fract() == 0.0 => Ok(f as u64),
    _ => Err(()),
  }
}

fn num(v: &Value) -> R<f64> {
  v.as_f64().ok_or(())
}

fn type_bit(name: &str) -> R<u8> {
  Ok(match name {
    "null" => T_NULL,
    "boolean" => T_BOOL,
    "number" => T_NUMBER,
    "integer" => T_INTEGER,
    "string" => T_STRING,
    "array" => T_ARRAY,
    "object" => T_OBJECT,
    _ => return Err(()),
  })
}

impl Plan {
  /// None when the schema uses anything outside the subset.
  pub fn compile(schema: &Value) -> Option<Plan> {
    if let Some(obj) = schema.as_object() {
      match obj.get("$schema").and_then(Value::as_str) {
        None | Some("https://json-schema.org/draft/2020-12/schema") => {}
        Some(_) => return None,
      }
    }
    let mut c = Compiler { root: schema, nodes: Vec::new(), refs: HashMap::new(), sites: 0 };
    c.schema(schema, true).ok()?;
    let has_refs = !c.refs.is_empty();
    Some(Plan { nodes: c.nodes, has_refs, sites: c.sites })
  }
}

impl Compiler<'_> {
  fn schema(&mut self, schema: &Value, root: bool) -> R<usize> {
    let index = self.nodes.len();
    self.nodes.push(Node::default());
    let checks = match schema {
      Value::Bool(true) => Vec::new(),
      Value::Bool(false) => vec![Check::False],
      Value::Object(map) => self.keywords(map, root)?,
      _ => return Err(()),
    };
    self.nodes[index].checks = checks;
    Ok(index)
  }

  fn sub(&mut self, schema: &Value) -> R<usize> {
    self.schema(schema, false)
  }

  fn list(&mut self, v: &Value) -> R<Vec<usize>> {
    v.as_array().ok_or(())?.iter().map(|s| self.sub(s)).collect()
  }

  fn reference(&mut self, target: &str) -> R<usize> {
    if let Some(&i) = self.refs.get(target) {
      return Ok(i);
    }
    let pointer = target.strip_prefix('#').ok_or(())?;
    if pointer.contains('%') {
      return Err(());
    }
    let schema = self.root.pointer(pointer).ok_or(())?;
    // Reserve the slot first so recursive references resolve to it.
    let index = self.nodes.len();
    self.refs.insert(target.to_string(), index);
    let compiled = self.schema(schema, pointer.is_empty())?;
    debug_assert_eq!(compiled, index);
    Ok(index)
  }

  fn keywords(&mut self, map: &Map<String, Value>, root: bool) -> R<Vec<Check>> {
    let mut checks = Vec::new();
    let required: Vec<&str> = match map.get("required") {
      Some(v) => v.as_array().ok_or(())?.iter().map(|s| s.as_str().ok_or(())).collect::<R<_>>()?,
      None => Vec::new(),
    };
    for (kw, v) in map {
      match kw.as_str() {
        "$schema" | "$id" if root => {}
        k if IGNORED.contains(&k) => {}
        "required" => {}
        "type" => {
          let bits = match v {
            Value::String(s) => type_bit(s)?,
            Value::Array(a) => {
              a.iter().map(|t| t.as_str().ok_or(()).and_then(type_bit)).try_fold(0, |acc, b| b.map(|b| acc | b))?
            }
            _ => return Err(()),
          };
          checks.push(Check::Type(bits));
        }
        "const" => checks.push(Check::Const(v.clone())),
        "enum" => checks.push(Check::Enum(v.as_array().ok_or(())?.clone())),
        "minLength" => checks.push(Check::MinLength(uint(v)?)),
        "maxLength" => checks.push(Check::MaxLength(uint(v)?)),
        "minimum" => checks.push(Check::Minimum(num(v)?)),
        "maximum" => checks.push(Check::Maximum(num(v)?)),
        "exclusiveMinimum" => checks.push(Check::ExclusiveMinimum(num(v)?)),
        "exclusiveMaximum" => checks.push(Check::ExclusiveMaximum(num(v)?)),
        // Fractional divisors need decimal arithmetic: left to the fallback.
        "multipleOf" => {
          checks.push(Check::MultipleOf(uint(v).map(|m| m as f64).and_then(|m| if m > 0.0 { Ok(m) } else { Err(()) })?))
        }
        "minProperties" => checks.push(Check::MinProperties(uint(v)?)),
        "maxProperties" => checks.push(Check::MaxProperties(uint(v)?)),
        "minItems" => checks.push(Check::MinItems(uint(v)?)),
        "maxItems" => checks.push(Check::MaxItems(uint(v)?)),
        "uniqueItems" => {
          if v.as_bool().ok_or(())? {
            checks.push(Check::Unique)
          }
        }
        "properties" | "additionalProperties" => {}
        "items" | "prefixItems" => {}
        "allOf" => checks.push(Check::AllOf(self.list(v)?)),
        "anyOf" => checks.push(Check::AnyOf(self.list(v)?)),
        "oneOf" => checks.push(Check::OneOf(self.list(v)?)),
        "not" => checks.push(Check::Not(self.sub(v)?)),
        "$ref" => checks.push(Check::Ref(self.reference(v.as_str().ok_or(())?)?)),
        _ => return Err(()),
      }
    }
    if map.contains_key("properties") || map.contains_key("additionalProperties") || !required.is_empty() {
      checks.push(self.object(map, &required)?);
    }
    if map.contains_key("items") || map.contains_key("prefixItems") {
      let prefix = match map.get("prefixItems") {
        Some(v) => self.list(v)?,
        None => Vec::new(),
      };
      let items = match map.get("items") {
        Some(v) => Some(self.sub(v)?),
        None => None,
      };
      checks.push(Check::Array { prefix, items });
    }
    Ok(checks)
  }

  fn object(&mut self, map: &Map<String, Value>, required: &[&str]) -> R<Check> {
    let mut props = Vec::new();
    if let Some(p) = map.get("properties") {
      for (name, s) in p.as_object().ok_or(())? {
        let key = Key::new(name).ok_or(())?;
        let node = self.sub(s)?;
        let node = if self.nodes[node].checks.is_empty() { None } else { Some(node) };
        props.push(Prop { key, node, required: required.contains(&name.as_str()) });
      }
    }
    let mut extra_required = Vec::new();
    for name in required {
      if !props.iter().any(|p| p.key.name == *name) && !extra_required.iter().any(|k: &Key| k.name == *name) {
        extra_required.push(Key::new(name).ok_or(())?);
      }
    }
    let additional = match map.get("additionalProperties") {
      None | Some(Value::Bool(true)) => Additional::Any,
      Some(Value::Bool(false)) => Additional::Deny,
      Some(s) => Additional::Schema(self.sub(s)?),
    };
    self.sites += 1;
    Ok(Check::Object { props, extra_required, additional, site: self.sites - 1 })
  }
}
