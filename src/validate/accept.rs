//! The plan as data for a JS pre-check that may only accept (lib/registry/accept.js).
//!
//! A valid value's keyword checks cost JS about a nanosecond a read, while the
//! native walk pays a Node-API crossing per read (bench/RESULTS.md, "Validation").
//! So the checks whose verdict JS computes exactly (types, lengths, bounds,
//! primitive `const`/`enum`, properties, items, `allOf`, `anyOf`, `$ref`) are
//! exported here; every other keyword is a `defer`, where JS stops and the
//! native walk decides, and reports. JS never rejects: any doubt (a value JSON
//! cannot hold, a non-plain object, deep recursion) means "ask the walk".
//! A `pattern` whose matches have bounded length runs as a JS RegExp (bounded
//! backtracking per position); any other stays native, asked string by string
//! (`Plan::accept_pattern`): its engine runs in linear time, which a JS RegExp
//! does not promise.
use super::plan::*;
use super::Key;
use serde_json::{json, Value};

fn key(k: &Key) -> Value {
  json!([k.name, k.own_only])
}

/// A `const` or `enum` value JS compares with `===` exactly as `equals` does.
fn primitive(v: &Value) -> bool {
  matches!(v, Value::Null | Value::Bool(_) | Value::String(_) | Value::Number(_))
}

fn check(c: &Check, patterns: &mut usize) -> Value {
  match c {
    Check::Pattern(p) => {
      *patterns += 1;
      // A bounded pattern may run as a JS RegExp: linear time in the text all the same.
      json!(["pattern", *patterns - 1, p.bounded().then_some(&p.source)])
    }
    Check::Type(bits) => json!(["type", type_names(*bits)]),
    Check::Const(v) if primitive(v) => json!(["enum", [v]]),
    Check::Enum(options) if options.iter().all(primitive) => json!(["enum", options]),
    Check::MinLength(n) => json!(["minLength", n]),
    Check::MaxLength(n) => json!(["maxLength", n]),
    Check::Minimum(m) => json!(["minimum", m]),
    Check::Maximum(m) => json!(["maximum", m]),
    Check::ExclusiveMinimum(m) => json!(["exclusiveMinimum", m]),
    Check::ExclusiveMaximum(m) => json!(["exclusiveMaximum", m]),
    Check::Object { props, patterns, extra_required, additional, .. } if patterns.is_empty() => {
      let props: Vec<Value> = props.iter().map(|p| json!([p.key.name, p.key.own_only, p.node, p.required])).collect();
      let required: Vec<Value> = extra_required.iter().map(key).collect();
      let additional = match additional {
        Additional::Any => json!("any"),
        Additional::Deny => json!("deny"),
        Additional::Schema(n) => json!(n),
      };
      json!(["object", props, required, additional])
    }
    Check::MinProperties(n) => json!(["minProperties", n]),
    Check::MaxProperties(n) => json!(["maxProperties", n]),
    Check::Array { prefix, items } => json!(["array", prefix, items]),
    Check::MinItems(n) => json!(["minItems", n]),
    Check::MaxItems(n) => json!(["maxItems", n]),
    Check::AllOf(list) => json!(["allOf", list]),
    // Any branch JS accepts is one the walk accepts: the whole holds.
    Check::AnyOf(list) => json!(["anyOf", list]),
    Check::Ref(n) => json!(["ref", n]),
    // False, multipleOf (a float rule), uniqueItems, contains,
    // oneOf, not, if/then/else (they need a reject verdict), patternProperties,
    // propertyNames, dependent*: the walk decides.
    _ => json!(["defer"]),
  }
}

/// Where each `pattern` keyword of `nodes` sits (node, check), in node order.
pub(super) fn pattern_positions(nodes: &[Node]) -> Vec<(usize, usize)> {
  let mut at = Vec::new();
  for (n, node) in nodes.iter().enumerate() {
    for (c, check) in node.checks.iter().enumerate() {
      if matches!(check, Check::Pattern(_)) {
        at.push((n, c));
      }
    }
  }
  at
}

impl Plan {
  /// `{ refs, nodes: [[check...]...] }`; node 0 is the root. Each check is
  /// `[keyword, ...arguments]` (see `check`): what JS must re-implement is listed here once.
  /// `["pattern", i]` names the i-th `pattern` keyword in node order (`accept_pattern`).
  pub fn accept_plan(&self) -> Value {
    let mut patterns = 0;
    let nodes: Vec<Value> =
      self.nodes.iter().map(|n| Value::Array(n.checks.iter().map(|c| check(c, &mut patterns)).collect())).collect();
    json!({ "refs": self.has_refs, "nodes": nodes })
  }

  /// The i-th `pattern` keyword of `accept_plan` (asked per string: a lookup, not a walk).
  pub fn accept_pattern(&self, i: usize) -> Option<&super::pattern::Pattern> {
    let &(n, c) = self.patterns.get(i)?;
    match &self.nodes[n].checks[c] {
      Check::Pattern(p) => Some(p),
      _ => None,
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn plan(schema: Value) -> Value {
    Plan::compile(&schema).map_err(|e| e.message).unwrap().accept_plan()
  }

  #[test]
  fn the_reference_schema_is_covered_whole() {
    let p = plan(json!({
      "type": "object",
      "properties": { "id": { "type": "number" }, "text": { "type": "string", "maxLength": 500 } },
      "required": ["id", "text"],
    }));
    assert_eq!(p["refs"], json!(false));
    let root = p["nodes"][0].as_array().unwrap();
    assert_eq!(root[0], json!(["type", ["object"]]));
    assert_eq!(root[1][0], json!("object"));
    assert_eq!(root[1][3], json!("any"));
    let props = root[1][1].as_array().unwrap();
    assert_eq!(props.len(), 2);
    assert_eq!(props[0][0], json!("id"));
    assert_eq!(props[0][3], json!(true));
    assert!(p.to_string().contains("[\"maxLength\",500]"));
    assert!(!p.to_string().contains("defer"));
  }

  #[test]
  fn what_js_cannot_decide_exactly_defers() {
    for schema in [
      json!({ "multipleOf": 0.01 }),
      json!({ "oneOf": [{ "type": "string" }, { "type": "number" }] }),
      json!({ "not": { "type": "string" } }),
      json!({ "uniqueItems": true }),
      json!({ "const": { "a": 1 } }),
      json!({ "enum": ["a", [1]] }),
      json!({ "patternProperties": { "^x": { "type": "number" } } }),
      json!(false),
    ] {
      let p = plan(schema.clone());
      assert!(p.to_string().contains("[\"defer\"]"), "{schema}: {p}");
    }
  }

  #[test]
  fn names_object_prototype_has_are_own_only() {
    let p = plan(json!({ "properties": { "constructor": { "type": "string" } }, "required": ["toString"] }));
    let object = &p["nodes"][0][0];
    assert_eq!(object[1][0][1], json!(true));
    assert_eq!(object[2][0], json!(["toString", true]));
  }

  #[test]
  fn patterns_are_numbered_in_node_order_and_found_again() {
    let schema = json!({ "properties": { "a": { "pattern": "^a+" }, "b": { "pattern": "^b$" } }, "pattern": "x" });
    let plan = Plan::compile(&schema).map_err(|e| e.message).unwrap();
    let text = plan.accept_plan().to_string();
    assert!(text.contains("[\"pattern\",0,") && text.contains("[\"pattern\",2,"), "{text}");
    let sources: Vec<&str> = (0..3).map(|i| plan.accept_pattern(i).unwrap().source.as_str()).collect();
    let mut sorted = sources.clone();
    sorted.sort();
    assert_eq!(sorted, ["^a+", "^b$", "x"]);
    assert!(text.contains("\"^b$\"]") && !text.contains("\"^a+\"]"), "only bounded sources go to JS: {text}");
    assert!(plan.accept_pattern(3).is_none());
    // The numbering is the walk's node order: the id JS was given finds the pattern it stands for.
    let root = &plan.accept_plan()["nodes"][0];
    let own = root.as_array().unwrap().iter().find(|c| c[0] == "pattern").unwrap()[1].as_u64().unwrap();
    assert_eq!(plan.accept_pattern(own as usize).unwrap().source, "x");
  }

  #[test]
  fn refs_are_flagged_and_named_by_node() {
    let p = plan(json!({ "$defs": { "n": { "type": "number" } }, "items": { "$ref": "#/$defs/n" } }));
    assert_eq!(p["refs"], json!(true));
    assert!(p.to_string().contains("\"ref\""));
  }
}
