//! Issue 25's reproductions on the core: schemas and values whose strings hold
//! lone surrogates, written as the binding reads them (native text, src/text.rs).
//! Each verdict is the one ajv and the specification give on the JS strings.
use super::*;
use crate::text::from_units;
use serde_json::{json, Map, Value};

/// The native text of the JS string `'\ud800'`-style literals: `units` as given.
fn js(units: &[u16]) -> String {
  from_units(units)
}

fn s(units: &[u16]) -> Value {
  Value::String(js(units))
}

fn object(members: &[(&[u16], Value)]) -> Value {
  let map: Map<String, Value> = members.iter().map(|(k, v)| (js(k), v.clone())).collect();
  Value::Object(map)
}

fn valid(schema: &Value, value: &Value) -> bool {
  let v = Validator::compile(schema, None).unwrap_or_else(|e| panic!("{schema}: {e:?}"));
  let issues = v.validate(&value);
  let capped = Validator::compile(schema, Some(Limits { max_bytes: Some(1e6), max_depth: Some(64) })).unwrap();
  assert_eq!(capped.validate(&value), issues, "the metered walk agrees on {value}");
  assert_eq!(v.validate_converted(&value).is_empty(), issues.is_empty(), "the converted path agrees on {value}");
  issues.is_empty()
}

const LEAD: &[u16] = &[0xD800];
const FFFD: &[u16] = &[0xFFFD];

#[test]
fn enum_and_const_compare_what_js_compares() {
  let schema = json!({ "enum": [s(&[0xD800, 0x30])] });
  assert!(!valid(&schema, &s(&[0xFFFD, 0x30])) && valid(&schema, &s(&[0xD800, 0x30])));
  assert!(!valid(&schema, &s(&[0xD801, 0x30])));
  let schema = json!({ "const": object(&[(FFFD, json!(null)), (LEAD, json!(true))]) });
  assert!(!valid(&schema, &object(&[(LEAD, json!(true))])));
  assert!(valid(&schema, &object(&[(LEAD, json!(true)), (FFFD, json!(null))])));
  assert!(!valid(&schema, &object(&[(&[0xD801], json!(true)), (FFFD, json!(null))])));
}

#[test]
fn names_are_the_js_names() {
  let required = json!({ "required": [s(LEAD)] });
  assert!(valid(&required, &object(&[(LEAD, json!([]))])));
  assert!(!valid(&required, &object(&[(FFFD, json!([]))])));
  let closed = json!({ "properties": object(&[(FFFD, json!({}))]), "additionalProperties": false });
  assert!(!valid(&closed, &object(&[(LEAD, json!([]))])));
  assert!(valid(&closed, &object(&[(FFFD, json!([]))])));
  let dependent = json!({ "dependentRequired": object(&[(LEAD, json!([s(&[0xDFFF])]))]) });
  assert!(!valid(&dependent, &object(&[(LEAD, json!(1)), (FFFD, json!(1))])));
  assert!(valid(&dependent, &object(&[(LEAD, json!(1)), (&[0xDFFF], json!(1))])));
}

#[test]
fn unique_items_tells_lone_surrogates_apart() {
  let schema = json!({ "uniqueItems": true });
  assert!(valid(&schema, &json!([s(LEAD), s(&[0xD801]), s(FFFD)])));
  assert!(!valid(&schema, &json!([s(LEAD), s(LEAD)])));
  assert!(valid(&schema, &json!([object(&[(LEAD, json!(1))]), object(&[(FFFD, json!(1))])])));
}

#[test]
fn lengths_count_a_lone_surrogate_as_one() {
  let schema = json!({ "minLength": 2, "maxLength": 2 });
  assert!(valid(&schema, &s(&[0xD800, 0xD800])) && !valid(&schema, &s(&[0xD83D, 0xDE00])));
  assert!(valid(&schema, &s(&[0xFDD0, 0xDC00])), "U+FDD0, the escape, is one character too");
  let names = json!({ "propertyNames": { "maxLength": 1, "pattern": "^\\ud800$" } });
  assert!(valid(&names, &object(&[(LEAD, json!(1))])) && !valid(&names, &object(&[(FFFD, json!(1))])));
}

#[test]
fn patterns_and_pattern_properties() {
  let schema = json!({ "pattern": "\\ufffd$" });
  assert!(!valid(&schema, &s(&[0xDE00])) && valid(&schema, &s(&[0x61, 0xFFFD])));
  let schema = json!({ "patternProperties": { "^\\ud800": { "type": "number" } } });
  assert!(!valid(&schema, &object(&[(&[0xD800, 0x61], json!("x"))])));
  assert!(valid(&schema, &object(&[(&[0xFFFD, 0x61], json!("x"))])));
}

#[test]
fn size_caps_measure_the_js_string() {
  // Node-API's UTF-8 of a lone surrogate is 3 bytes (U+FFFD), not the 6 of its escape.
  // `{"\ud800\ud800":1}`: 2 + (6 + 3) + 1 bytes.
  let key = object(&[(&[0xD800, 0xD800], json!(1))]);
  let limits = Some(Limits { max_bytes: Some(12.0), max_depth: None });
  let v = Validator::compile(&json!({ "properties": object(&[(&[0xD800, 0xD800], json!({}))]) }), limits).unwrap();
  assert!(v.validate(&&key).is_empty(), "{:?}", v.validate(&&key));
  assert!(check_limits(&&key, 12.0, 8).is_none());
  assert_eq!(check_limits(&&key, 11.0, 8).map(|i| i.keyword), Some("maxBytes".to_string()));
}
