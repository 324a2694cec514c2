//! Property test: on random JSON values, the plan's verdict (unmetered and
//! metered) matches the `jsonschema` crate's for schemas using every keyword.
use super::{Limits, Validator};
use proptest::prelude::*;
use serde_json::{json, Value};

fn schemas() -> Vec<Value> {
  vec![
    json!({"type": "object", "properties": {"a": {"type": "string", "pattern": "^[a-c]+$", "minLength": 1}, "b": {"type": "integer", "minimum": 0}}, "required": ["a"], "additionalProperties": false}),
    json!({"patternProperties": {"^a": {"type": "number"}, "b$": {"type": "string"}}, "additionalProperties": {"type": "boolean"}, "propertyNames": {"maxLength": 2}}),
    json!({"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": ["number", "null"]}, "contains": {"type": "null"}, "maxContains": 2}),
    json!({"if": {"type": "object", "required": ["a"]}, "then": {"properties": {"a": {"enum": ["a", "ab", 1]}}}, "else": {"not": {"type": "array"}}}),
    json!({"dependentRequired": {"a": ["b"]}, "dependentSchemas": {"c": {"minProperties": 3}}, "oneOf": [{"required": ["a"]}, {"required": ["c"]}, {"type": "number", "multipleOf": 0.5}]}),
    json!({"anyOf": [{"type": "string", "pattern": "\\d\\s"}, {"type": "array", "uniqueItems": true, "items": {"$ref": "#"}}, {"type": "number", "exclusiveMaximum": 3}]}),
  ]
}

fn json_value() -> impl Strategy<Value = Value> {
  let leaf = prop_oneof![
    Just(Value::Null),
    any::<bool>().prop_map(Value::Bool),
    (-4i32..8).prop_map(|n| json!(n)),
    (-8i32..8).prop_map(|n| json!(n as f64 / 4.0)),
    "[abc0-9 ]{0,4}".prop_map(Value::String),
  ];
  leaf.prop_recursive(3, 24, 4, |inner| {
    prop_oneof![
      proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
      proptest::collection::btree_map("[abc]{1,3}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
    ]
  })
}

proptest! {
  #![proptest_config(ProptestConfig::with_cases(512))]
  #[test]
  fn verdicts_match_the_crate(value in json_value()) {
    for schema in schemas() {
      let reference = jsonschema::validator_for(&schema).unwrap().is_valid(&value);
      let plain = Validator::compile(&schema, None).unwrap().validate(&&value);
      prop_assert_eq!(plain.is_empty(), reference, "{} on {}: {:?}", schema, value, plain);
      let capped = Validator::compile(&schema, Some(Limits { max_bytes: Some(1e6), max_depth: Some(64) })).unwrap();
      prop_assert_eq!(capped.validate(&&value), plain, "metered walk on {}", value);
    }
  }
}
