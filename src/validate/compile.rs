//! Schema JSON to `Plan`: the validation and applicator keywords of draft
//! 2020-12 (draft 2019-09, 07 and 06 read with their own `items`, `dependencies`
//! and `$ref` rules). What a meta-schema would reject, and the few keywords this
//! validator does not run, are a `SchemaError` with its pointer into the schema:
//! a schema is never half-checked. Unknown keywords are ignored, as the
//! specification says.
use super::accept::pattern_positions;
use super::pattern::Pattern;
use super::plan::*;
use super::{push_token, Key, SchemaError};
use serde_json::{Map, Value};
use std::collections::HashMap;

const ANNOTATIONS: &[&str] = &[
  "$comment",
  "title",
  "description",
  "default",
  "examples",
  "deprecated",
  "readOnly",
  "writeOnly",
  "format",
  "contentMediaType",
  "contentEncoding",
  "contentSchema",
  "$anchor",
  "$dynamicAnchor",
  "$recursiveAnchor",
  "$vocabulary",
];

/// Keywords whose meaning this validator does not implement: refused, not ignored.
const UNSUPPORTED: &[&str] = &["unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef"];

#[derive(Clone, Copy, PartialEq)]
enum Draft {
  D2020,
  D2019,
  /// Draft-07 and draft-06.
  D7,
}

impl Draft {
  fn of(uri: &str) -> Option<Draft> {
    match uri.trim_end_matches('#') {
      "https://json-schema.org/draft/2020-12/schema" => Some(Draft::D2020),
      "https://json-schema.org/draft/2019-09/schema" => Some(Draft::D2019),
      "http://json-schema.org/draft-07/schema" | "http://json-schema.org/draft-06/schema" => Some(Draft::D7),
      _ => None,
    }
  }
}

struct Compiler<'a> {
  root: &'a Value,
  draft: Draft,
  nodes: Vec<Node>,
  refs: HashMap<String, usize>,
  /// A `$ref` was compiled (`$defs` are compiled even when nothing refers to them).
  has_refs: bool,
  sites: usize,
  /// Pointer tokens from the schema's root to what is being compiled.
  at: Vec<String>,
}

type R<T> = Result<T, SchemaError>;

impl Plan {
  pub fn compile(schema: &Value) -> Result<Plan, SchemaError> {
    let draft = match schema.get("$schema") {
      None => Draft::D2020,
      Some(Value::String(uri)) => Draft::of(uri).ok_or_else(|| SchemaError {
        message: format!("$schema \"{uri}\" is not supported: use draft 2020-12, 2019-09, 07 or 06"),
        pointer: "/$schema".into(),
      })?,
      Some(_) => return Err(SchemaError { message: "$schema must be a string".into(), pointer: "/$schema".into() }),
    };
    let mut c = Compiler {
      root: schema,
      draft,
      nodes: Vec::new(),
      refs: HashMap::new(),
      has_refs: false,
      sites: 0,
      at: Vec::new(),
    };
    c.schema(schema, true)?;
    let patterns = pattern_positions(&c.nodes);
    Ok(Plan { nodes: c.nodes, has_refs: c.has_refs, sites: c.sites, patterns })
  }
}

impl Compiler<'_> {
  fn err<T>(&self, message: impl Into<String>) -> R<T> {
    let mut pointer = String::new();
    for token in &self.at {
      push_token(&mut pointer, token);
    }
    Err(SchemaError { message: message.into(), pointer })
  }

  /// Runs `f` with `token` appended to the pointer.
  fn inside<T>(&mut self, token: &str, f: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
    self.at.push(token.to_string());
    let r = f(self);
    self.at.pop();
    r
  }

  fn uint(&self, v: &Value) -> R<u64> {
    match v.as_f64() {
      Some(f) if f >= 0.0 && f.fract() == 0.0 => Ok(f as u64),
      _ => self.err("must be a non-negative integer"),
    }
  }

  fn num(&self, v: &Value) -> R<f64> {
    v.as_f64().map_or_else(|| self.err("must be a number"), Ok)
  }

  fn key(&self, name: &str) -> R<Key> {
    Key::new(name).map_or_else(|| self.err(format!("property name {name:?} contains a NUL character")), Ok)
  }

  fn names<'v>(&self, v: &'v Value) -> R<Vec<&'v str>> {
    let list = v.as_array().map_or_else(|| self.err("must be an array of strings"), Ok)?;
    list.iter().map(|s| s.as_str().map_or_else(|| self.err("must be an array of strings"), Ok)).collect()
  }

  fn members<'v>(&self, v: &'v Value) -> R<&'v Map<String, Value>> {
    v.as_object().map_or_else(|| self.err("must be an object"), Ok)
  }

  fn pattern(&self, source: &str) -> R<Pattern> {
    Pattern::new(source).or_else(|why| self.err(format!("pattern \"{source}\" {why}")))
  }

  fn schema(&mut self, schema: &Value, root: bool) -> R<usize> {
    let index = self.nodes.len();
    self.nodes.push(Node::default());
    let checks = match schema {
      Value::Bool(true) => Vec::new(),
      Value::Bool(false) => vec![Check::False],
      Value::Object(map) => self.keywords(map, root)?,
      _ => return self.err("a schema must be an object or a boolean"),
    };
    self.nodes[index].checks = checks;
    Ok(index)
  }

  fn sub(&mut self, token: &str, schema: &Value) -> R<usize> {
    self.inside(token, |c| c.schema(schema, false))
  }

  /// A non-empty array of schemas.
  fn list(&mut self, v: &Value) -> R<Vec<usize>> {
    match v.as_array() {
      Some(a) if !a.is_empty() => a.iter().enumerate().map(|(i, s)| self.sub(&i.to_string(), s)).collect(),
      _ => self.err("must be a non-empty array of schemas"),
    }
  }

  /// A schema by its JSON pointer from the root, compiled once (recursion resolves to the reserved slot).
  fn at_pointer(&mut self, pointer: &str) -> R<usize> {
    if let Some(&i) = self.refs.get(pointer) {
      return Ok(i);
    }
    let Some(schema) = self.root.pointer(pointer) else {
      return self.err(format!("$ref \"#{pointer}\" points nowhere"));
    };
    let index = self.nodes.len();
    self.refs.insert(pointer.to_string(), index);
    let tokens = pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect();
    let outer = std::mem::replace(&mut self.at, tokens);
    let compiled = self.schema(schema, pointer.is_empty());
    self.at = outer;
    debug_assert!(compiled.as_ref().map_or(true, |&c| c == index));
    compiled
  }

  fn reference(&mut self, target: &Value) -> R<usize> {
    let Some(target) = target.as_str() else { return self.err("must be a string") };
    self.has_refs = true;
    match target.strip_prefix('#') {
      Some(pointer) if (pointer.is_empty() || pointer.starts_with('/')) && !pointer.contains('%') => {
        self.at_pointer(pointer)
      }
      _ => self.err(format!(
        "$ref \"{target}\" is not supported: only JSON pointers within the same schema (\"#/$defs/name\") are"
      )),
    }
  }

  fn keywords(&mut self, map: &Map<String, Value>, root: bool) -> R<Vec<Check>> {
    let mut checks = Vec::new();
    // Draft-07 and 06: a `$ref` replaces its siblings.
    let ref_only = self.draft == Draft::D7 && map.contains_key("$ref");
    for (kw, v) in map {
      if ref_only && !matches!(kw.as_str(), "$ref" | "$defs" | "definitions") {
        continue;
      }
      self.at.push(kw.clone());
      self.keyword(kw, v, root, &mut checks)?;
      self.at.pop();
    }
    if ref_only {
      return Ok(checks);
    }
    if ["properties", "patternProperties", "additionalProperties", "required"].iter().any(|k| map.contains_key(*k)) {
      checks.push(self.object(map)?);
    }
    if let Some(check) = self.array(map)? {
      checks.push(check);
    }
    if let Some(c) = map.get("contains") {
      let node = self.sub("contains", c)?;
      let mut bound = |k: &str| map.get(k).map(|v| self.inside(k, |c| c.uint(v))).transpose();
      let (min, max) = (bound("minContains")?.unwrap_or(1), bound("maxContains")?);
      checks.push(Check::Contains { node, min, max });
    }
    if let Some(test) = map.get("if") {
      let test = self.sub("if", test)?;
      let then = map.get("then").map(|s| self.sub("then", s)).transpose()?;
      let otherwise = map.get("else").map(|s| self.sub("else", s)).transpose()?;
      checks.push(Check::Conditional { test, then, otherwise });
    }
    Ok(checks)
  }

  fn keyword(&mut self, kw: &str, v: &Value, root: bool, checks: &mut Vec<Check>) -> R<()> {
    let check = match kw {
      "$schema" => return Ok(()),
      "$id" if root => return Ok(()),
      "$id" => return self.err("$id is supported at the root only (a nested $id changes what $ref means below it)"),
      "$defs" | "definitions" => {
        // Compiled (so checked) even when nothing refers to them, as a meta-schema would.
        let mut here = String::new();
        for token in &self.at {
          push_token(&mut here, token);
        }
        for name in self.members(v)?.keys() {
          let mut pointer = here.clone();
          push_token(&mut pointer, name);
          self.at_pointer(&pointer)?;
        }
        return Ok(());
      }
      k if ANNOTATIONS.contains(&k) => return Ok(()),
      k if UNSUPPORTED.contains(&k) => return self.err(format!("{k} is not supported by ipcflow's validator")),
      "type" => {
        let names = match v {
          Value::String(s) => vec![s.as_str()],
          _ => self.names(v)?,
        };
        let mut bits = 0;
        for name in names {
          bits |= type_bit(name).map_or_else(|| self.err(format!("\"{name}\" is not a JSON Schema type")), Ok)?;
        }
        Check::Type(bits)
      }
      "const" => Check::Const(v.clone()),
      "enum" => Check::Enum(v.as_array().map_or_else(|| self.err("must be an array"), Ok)?.clone()),
      "minLength" => Check::MinLength(self.uint(v)?),
      "maxLength" => Check::MaxLength(self.uint(v)?),
      "minimum" => Check::Minimum(self.num(v)?),
      "maximum" => Check::Maximum(self.num(v)?),
      "exclusiveMinimum" => Check::ExclusiveMinimum(self.num(v)?),
      "exclusiveMaximum" => Check::ExclusiveMaximum(self.num(v)?),
      "multipleOf" => match self.num(v)? {
        m if m > 0.0 => Check::MultipleOf(m),
        _ => return self.err("must be a number greater than 0"),
      },
      "pattern" => Check::Pattern(self.pattern(v.as_str().map_or_else(|| self.err("must be a string"), Ok)?)?),
      "minProperties" => Check::MinProperties(self.uint(v)?),
      "maxProperties" => Check::MaxProperties(self.uint(v)?),
      "minItems" => Check::MinItems(self.uint(v)?),
      "maxItems" => Check::MaxItems(self.uint(v)?),
      "minContains" | "maxContains" => {
        self.uint(v)?;
        return Ok(());
      }
      "uniqueItems" => match v.as_bool() {
        Some(true) => Check::Unique,
        Some(false) => return Ok(()),
        None => return self.err("must be a boolean"),
      },
      "propertyNames" => Check::PropertyNames(self.schema(v, false)?),
      "dependentRequired" => self.dependent_required(v, |_| true)?,
      "dependentSchemas" => self.dependent_schemas(v, |_| true)?,
      // Before 2019-09 one keyword held both: name lists and schemas.
      "dependencies" if self.draft != Draft::D2020 => {
        checks.push(self.dependent_schemas(v, |d| !d.is_array())?);
        self.dependent_required(v, Value::is_array)?
      }
      "allOf" => Check::AllOf(self.list(v)?),
      "anyOf" => Check::AnyOf(self.list(v)?),
      "oneOf" => Check::OneOf(self.list(v)?),
      "not" => Check::Not(self.schema(v, false)?),
      "$ref" => Check::Ref(self.reference(v)?),
      // `properties`, `items`, `contains`, `if`... are read with their siblings after
      // this loop; any other keyword is unknown, and ignored.
      _ => return Ok(()),
    };
    checks.push(check);
    Ok(())
  }

  /// The members that pass `keep`.
  fn dependent_required(&mut self, v: &Value, keep: impl Fn(&Value) -> bool) -> R<Check> {
    let mut out = Vec::new();
    for (name, list) in self.members(v)?.iter().filter(|(_, list)| keep(list)) {
      let key = self.key(name)?;
      let needs = self.inside(name, |c| c.names(list)?.into_iter().map(|n| c.key(n)).collect::<R<Vec<_>>>())?;
      out.push((key, needs));
    }
    Ok(Check::DependentRequired(out))
  }

  /// The members that pass `keep`.
  fn dependent_schemas(&mut self, v: &Value, keep: impl Fn(&Value) -> bool) -> R<Check> {
    let mut out = Vec::new();
    for (name, s) in self.members(v)?.iter().filter(|(_, s)| keep(s)) {
      out.push((self.key(name)?, self.sub(name, s)?));
    }
    Ok(Check::DependentSchemas(out))
  }

  fn object(&mut self, map: &Map<String, Value>) -> R<Check> {
    let required = match map.get("required") {
      Some(v) => {
        self.at.push("required".into());
        let names = self.names(v)?;
        self.at.pop();
        names
      }
      None => Vec::new(),
    };
    let mut props = Vec::new();
    if let Some(p) = map.get("properties") {
      self.at.push("properties".into());
      for (name, s) in self.members(p)? {
        let key = self.key(name)?;
        let node = self.sub(name, s)?;
        let node = if self.nodes[node].checks.is_empty() { None } else { Some(node) };
        props.push(Prop { key, node, required: required.contains(&name.as_str()) });
      }
      self.at.pop();
    }
    let mut patterns = Vec::new();
    if let Some(p) = map.get("patternProperties") {
      self.at.push("patternProperties".into());
      for (source, s) in self.members(p)? {
        let pattern = self.inside(source, |c| c.pattern(source))?;
        patterns.push((pattern, self.sub(source, s)?));
      }
      self.at.pop();
    }
    let mut extra_required = Vec::new();
    for name in &required {
      if !props.iter().any(|p| p.key.name == *name) && !extra_required.iter().any(|k: &Key| k.name == *name) {
        extra_required.push(self.inside("required", |c| c.key(name))?);
      }
    }
    let additional = match map.get("additionalProperties") {
      None | Some(Value::Bool(true)) => Additional::Any,
      Some(Value::Bool(false)) => Additional::Deny,
      Some(s) => Additional::Schema(self.sub("additionalProperties", s)?),
    };
    self.sites += 1;
    Ok(Check::Object { props, patterns, extra_required, additional, site: self.sites - 1 })
  }

  /// `prefixItems` and `items` (before 2020-12: `items` as an array, then `additionalItems`).
  fn array(&mut self, map: &Map<String, Value>) -> R<Option<Check>> {
    let mut prefix = match map.get("prefixItems") {
      Some(v) => self.inside("prefixItems", |c| c.list(v))?,
      None => Vec::new(),
    };
    let items = match map.get("items") {
      Some(Value::Array(_)) if self.draft == Draft::D2020 => {
        return self.inside("items", |c| c.err("must be a schema in draft 2020-12 (for tuples, use prefixItems)"));
      }
      Some(v @ Value::Array(_)) => {
        prefix = self.inside("items", |c| c.list(v))?;
        map.get("additionalItems").map(|s| self.sub("additionalItems", s)).transpose()?
      }
      Some(s) => Some(self.sub("items", s)?),
      None => None,
    };
    Ok((!prefix.is_empty() || items.is_some()).then_some(Check::Array { prefix, items }))
  }
}
