use super::*;
use serde_json::{json, Value};

/// Plan verdicts must match the `jsonschema` crate's on the same instances.
fn agree(schema: Value, instances: &[Value]) {
  let plan = Plan::compile(&schema).unwrap_or_else(|e| panic!("{schema}: {e:?}"));
  let reference = jsonschema::validator_for(&schema).unwrap();
  for inst in instances {
    let issues = eval::evaluate(&plan, &inst, 64);
    assert_eq!(issues.is_empty(), reference.is_valid(inst), "schema {schema} instance {inst}: {issues:?}");
    let converted = Validator::compile(&schema, None).unwrap().validate_converted(&inst);
    assert_eq!(issues.is_empty(), converted.is_empty(), "converted path disagrees on {inst}");
  }
}

fn pointers(schema: Value, inst: Value) -> Vec<(String, String)> {
  let v = Validator::compile(&schema, None).unwrap();
  v.validate(&&inst).into_iter().map(|i| (i.pointer, i.keyword)).collect()
}

#[test]
fn reference_payload() {
  let schema = json!({"type": "object", "properties": {"id": {"type": "number"}, "type": {"type": "string"}, "text": {"type": "string", "maxLength": 500}, "ts": {"type": "number"}}, "required": ["id", "type", "text", "ts"]});
  agree(
    schema.clone(),
    &[
      json!({"id": 1, "type": "t", "text": "hi", "ts": 2}),
      json!({"id": "1", "type": "t", "text": "hi", "ts": 2}),
      json!({"id": 1, "type": "t", "text": "x".repeat(501), "ts": 2}),
      json!({"id": 1, "type": "t", "text": "😀".repeat(500), "ts": 2}),
      json!({"id": 1, "type": "t", "text": "😀".repeat(501), "ts": 2}),
      json!({"id": 1}),
      json!([]),
      json!(null),
    ],
  );
  let got = pointers(schema, json!({"id": "x", "text": 5, "ts": 1}));
  assert_eq!(
    got,
    vec![("/id".into(), "type".into()), ("/text".into(), "type".into()), ("/type".into(), "required".into())]
  );
}

#[test]
fn scalar_keywords() {
  agree(
    json!({"type": "integer", "minimum": 1, "maximum": 10, "multipleOf": 2}),
    &[json!(2), json!(3), json!(0), json!(12), json!(2.5), json!(4.0), json!("4")],
  );
  agree(json!({"exclusiveMinimum": 0, "exclusiveMaximum": 1}), &[json!(0), json!(0.5), json!(1), json!("x")]);
  agree(json!({"multipleOf": 0.0001}), &[json!(0.0075), json!(0.00751), json!(1), json!(0.3), json!(-0.0002)]);
  agree(json!({"multipleOf": 0.1}), &[json!(0.3), json!(0.35), json!(12.3), json!(-4.2)]);
  agree(
    json!({"type": ["string", "null"], "minLength": 2, "maxLength": 3}),
    &[json!("a"), json!("ab"), json!("abcd"), json!(null), json!(1), json!("😀😀")],
  );
  agree(
    json!({"enum": ["a", 1, null, {"x": [1]}]}),
    &[json!("a"), json!(1.0), json!(null), json!({"x": [1]}), json!({"x": [2]}), json!("b")],
  );
  agree(json!({"const": {"a": 1}}), &[json!({"a": 1}), json!({"a": 1, "b": 2}), json!(1)]);
  agree(json!(false), &[json!(1)]);
  agree(json!(true), &[json!(1)]);
}

#[test]
fn containers() {
  agree(
    json!({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false, "minProperties": 1, "maxProperties": 2}),
    &[json!({}), json!({"a": "x"}), json!({"a": "x", "b": 1}), json!({"a": 1})],
  );
  agree(json!({"additionalProperties": {"type": "number"}}), &[json!({"a": 1}), json!({"a": "x"})]);
  agree(
    json!({"prefixItems": [{"type": "string"}], "items": {"type": "number"}, "minItems": 1, "maxItems": 3, "uniqueItems": true}),
    &[
      json!([]),
      json!(["a"]),
      json!(["a", 1, 2]),
      json!(["a", 1, 1]),
      json!([1]),
      json!(["a", 1, 2, 3]),
      json!(["a", "b"]),
    ],
  );
  agree(json!({"items": false, "prefixItems": [true]}), &[json!([1]), json!([1, 2])]);
  agree(json!({"uniqueItems": true}), &[json!([1, 1.0]), json!([{"a": 1}, {"a": 1}]), json!([[1], [2]])]);
  assert_eq!(
    pointers(
      json!({"additionalProperties": false, "properties": {"a/b": {"type": "string"}}}),
      json!({"a/b": 1, "c~": 2})
    ),
    vec![("/a~1b".into(), "type".into()), ("/c~0".into(), "additionalProperties".into())]
  );
}

#[test]
fn combinators_and_refs() {
  agree(json!({"anyOf": [{"type": "string"}, {"type": "number"}]}), &[json!("a"), json!(1), json!(null)]);
  agree(json!({"oneOf": [{"type": "integer"}, {"minimum": 2}]}), &[json!(1), json!(3), json!(2.5), json!(0.5)]);
  agree(json!({"allOf": [{"type": "number"}, {"maximum": 3}], "not": {"const": 2}}), &[json!(1), json!(2), json!(4)]);
  let tree = json!({"$defs": {"node": {"type": "object", "properties": {"v": {"type": "number"}, "next": {"$ref": "#/$defs/node"}}, "required": ["v"]}}, "$ref": "#/$defs/node"});
  agree(
    tree.clone(),
    &[
      json!({"v": 1}),
      json!({"v": 1, "next": {"v": 2}}),
      json!({"v": 1, "next": {"v": "x"}}),
      json!({"v": 1, "next": {}}),
    ],
  );
  assert_eq!(
    pointers(tree, json!({"v": 1, "next": {"next": {"v": "x"}}})),
    vec![("/next/next/v".into(), "type".into()), ("/next/v".into(), "required".into())]
  );
}

#[test]
fn applicators_and_patterns_agree_with_the_crate() {
  agree(
    json!({"properties": {"s": {"type": "string", "pattern": "^a+$"}}, "patternProperties": {"^x-": {"type": "number"}, "id$": {"minimum": 0}}, "additionalProperties": false}),
    &[
      json!({"s": "aaa"}),
      json!({"s": "ab"}),
      json!({"x-a": 1, "xid": 2}),
      json!({"x-id": -1}),
      json!({"x-a": "1"}),
      json!({"y": 1}),
      json!("not an object"),
    ],
  );
  agree(
    json!({"propertyNames": {"maxLength": 3, "pattern": "^[a-z]"}}),
    &[json!({"abc": 1}), json!({"abcd": 1}), json!({"Ab": 1}), json!({}), json!([1])],
  );
  agree(
    json!({"contains": {"type": "integer"}, "minContains": 2, "maxContains": 3}),
    &[json!([1, "a", 2]), json!([1]), json!([1, 2, 3, 4]), json!(["a"]), json!([]), json!({})],
  );
  agree(json!({"contains": {"const": 1}}), &[json!([0, 1]), json!([0]), json!([]), json!("x")]);
  agree(json!({"contains": true, "minContains": 0}), &[json!([]), json!([1])]);
  agree(
    json!({"dependentRequired": {"a": ["b", "c"]}, "dependentSchemas": {"b": {"properties": {"a": {"type": "string"}}}}}),
    &[json!({"a": "x", "b": 1, "c": 2}), json!({"a": 1, "b": 1, "c": 2}), json!({"a": 1}), json!({"b": 1}), json!({})],
  );
  agree(
    json!({"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"type": "number"}}),
    &[json!("ab"), json!("a"), json!(3), json!(null)],
  );
  agree(json!({"if": {"minimum": 10}, "then": {"multipleOf": 5}}), &[json!(15), json!(12), json!(3), json!("x")]);
  agree(json!({"then": {"type": "string"}}), &[json!(1)]);
  agree(
    json!({"$schema": "http://json-schema.org/draft-07/schema#", "items": [{"type": "string"}, {"type": "number"}], "additionalItems": false, "dependencies": {"a": ["b"], "c": {"required": ["d"]}}}),
    &[
      json!(["a", 1]),
      json!(["a", 1, 2]),
      json!([1]),
      json!({"a": 1}),
      json!({"a": 1, "b": 2}),
      json!({"c": 1}),
      json!({"c": 1, "d": 1}),
    ],
  );
  agree(
    json!({"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"s": {"type": "string"}}, "$ref": "#/definitions/s", "minLength": 3}),
    &[json!("a"), json!(1)],
  );
}

#[test]
fn keyword_issues_carry_pointers() {
  let got = pointers(
    json!({"properties": {"s": {"pattern": "^a"}}, "patternProperties": {"^n": {"type": "number"}}, "propertyNames": {"maxLength": 4}, "required": ["t"], "dependentRequired": {"s": ["u"]}}),
    json!({"s": "b", "nn": "x", "long-name": 1}),
  );
  assert_eq!(
    got,
    // Keywords in name order, then the object's members (the walk's order).
    [
      ("/u", "dependentRequired"),
      ("/long-name", "propertyNames"),
      ("/s", "pattern"),
      ("/t", "required"),
      ("/nn", "type")
    ]
    .map(|(p, k)| (p.to_string(), k.to_string()))
  );
}

/// What a meta-schema rejects, and what this validator does not run, fails
/// compilation with a reason and a pointer into the schema.
#[test]
fn schema_errors_name_the_place() {
  for (schema, pointer, says) in [
    (json!({"type": "strin"}), "/type", "not a JSON Schema type"),
    (json!({"properties": {"a": {"minLength": -1}}}), "/properties/a/minLength", "non-negative integer"),
    (json!({"items": [{"type": "string"}]}), "/items", "prefixItems"),
    (json!({"pattern": "a(?=b)"}), "/pattern", "lookaround"),
    (json!({"patternProperties": {"(": {}}}), "/patternProperties/(", "not a valid regular expression"),
    (json!({"unevaluatedProperties": false}), "/unevaluatedProperties", "not supported"),
    (json!({"$ref": "other.json#/a"}), "/$ref", "same schema"),
    (json!({"$ref": "#/$defs/missing"}), "/$ref", "points nowhere"),
    (json!({"$defs": {"x": {"type": 5}}}), "/$defs/x/type", "array of strings"),
    (json!({"allOf": []}), "/allOf", "non-empty array"),
    (json!({"anyOf": [{}, {"multipleOf": 0}]}), "/anyOf/1/multipleOf", "greater than 0"),
    (json!({"$schema": "http://json-schema.org/draft-04/schema#"}), "/$schema", "not supported"),
    (json!({"properties": {"a": {"$id": "x"}}}), "/properties/a/$id", "root only"),
    (json!({"dependentRequired": {"a": [1]}}), "/dependentRequired/a", "array of strings"),
    (json!({"required": "a"}), "/required", "array of strings"),
    (json!(5), "", "object or a boolean"),
  ] {
    let err = Validator::compile(&schema, None).err().unwrap_or_else(|| panic!("{schema} compiled"));
    assert_eq!(err.pointer, pointer, "{schema}: {err:?}");
    assert!(err.message.contains(says), "{schema}: {err:?}");
  }
  // Unknown keywords are ignored (as the specification says); annotations too.
  assert!(Validator::compile(&json!({"x-custom": 1, "format": "email", "title": "t"}), None).is_ok());
}

#[test]
fn limits_trip_before_validation() {
  let v =
    Validator::compile(&json!({"type": "object"}), Some(Limits { max_bytes: Some(20.0), max_depth: Some(2) })).unwrap();
  let big = json!({"a": "x".repeat(100)});
  assert_eq!(v.validate(&&big)[0].keyword, "maxBytes");
  let deep = json!({"a": {"b": {"c": 1}}});
  let issue = &v.validate(&&deep)[0];
  assert_eq!((issue.keyword.as_str(), issue.pointer.as_str()), ("maxDepth", "/a/b"));
  assert!(v.validate(&&json!({"a": {"b": 1}})).is_empty());
  assert!(check_limits(&&json!([1, 2, 3]), 7.0, 5).is_none());
  assert!(check_limits(&&json!([1, 2, 3]), 6.0, 5).is_some());
  assert_eq!(to_value(&&json!({"a": [1, 2.5]}), f64::INFINITY, 8).unwrap(), json!({"a": [1, 2.5]}));
}

#[test]
fn prototype_names_are_own_only() {
  assert!(Key::new("__proto__").unwrap().own_only);
  assert!(!Key::new("text").unwrap().own_only);
  assert!(Key::new("a\0b").is_none());
}

#[test]
fn format_is_an_annotation_as_in_the_crate() {
  agree(json!({"type": "string", "format": "email"}), &[json!("not an email"), json!("a@b.c")]);
}

/// With caps set, validation measures as it goes: same issues, same order, and the
/// same cap issue (at the same pointer) as a separate limits walk followed by the plan.
#[test]
fn metered_walk_matches_limits_then_plan() {
  let schemas = [
    json!({"type": "object", "properties": {"id": {"type": "number"}, "type": {"type": "string"}, "text": {"type": "string", "maxLength": 5}, "ts": {"type": "number"}}, "required": ["id", "type", "text", "ts"]}),
    json!({"properties": {"a": {"items": {"properties": {"b": {"type": "string"}}, "additionalProperties": false}}, "z": {"anyOf": [{"type": "string"}, {"type": "object"}]}}, "additionalProperties": {"type": "number"}, "required": ["q"]}),
    json!({"prefixItems": [{"type": "string"}, {"properties": {"x": {"minimum": 3}}}], "items": {"type": "array"}}),
    json!(true),
  ];
  let instances = [
    json!({"id": 1, "type": "t", "text": "hello", "ts": 2}),
    json!({"ts": "x", "text": "hello world", "extra": [1, 2], "id": "1"}),
    json!({"z": {"k": "é".repeat(10)}, "a": [{"b": 1, "c": 2}, {"b": "ok"}], "n": "s", "q": null}),
    json!(["é😀", {"x": 1, "y": ["é".repeat(7)]}, [1], "x"]),
    json!([[["deep", ["deeper", ["deepest"]]]]]),
    json!({"k": "ü".repeat(40), "j": "a".repeat(30)}),
  ];
  for schema in &schemas {
    let plain = Validator::compile(schema, None).unwrap();
    for inst in &instances {
      let unlimited = Validator::compile(schema, Some(Limits { max_bytes: None, max_depth: Some(64) })).unwrap();
      assert_eq!(unlimited.validate(&inst), plain.validate(&inst), "{schema} on {inst}");
      let exact = serde_json::to_string(inst).unwrap().len() as f64;
      for max_bytes in [0.0, 5.0, 20.0, exact * 0.6, exact - 1.0, exact, exact + 40.0] {
        for max_depth in [1, 2, 3, 64] {
          let v = Validator::compile(schema, Some(Limits { max_bytes: Some(max_bytes), max_depth: Some(max_depth) }))
            .unwrap();
          let expected = match check_limits(&inst, max_bytes, max_depth) {
            Some(issue) => vec![issue],
            None => plain.validate(&inst),
          };
          assert_eq!(v.validate(&inst), expected, "{schema} on {inst} within {max_bytes} bytes, depth {max_depth}");
        }
      }
    }
  }
}

#[test]
fn deferred_string_sizes_are_exact_at_the_cap() {
  // 10 × "é" is 10 UTF-16 units but 20 UTF-8 bytes (+2 quotes): 22, then "x" adds 3, brackets and comma 3.
  let v = json!(["é".repeat(10), "x"]);
  assert!(check_limits(&&v, 28.0, 4).is_none());
  let issue = check_limits(&&v, 27.0, 4).unwrap();
  assert_eq!((issue.keyword.as_str(), issue.pointer.as_str()), ("maxBytes", "/1"));
  let issue = check_limits(&&v, 21.0, 4).unwrap();
  assert_eq!(issue.pointer, "/0");
}

#[test]
fn read_ahead_is_offered_only_when_the_root_is_read_by_its_names_or_leading_items() {
  let ahead = |schema: Value| Plan::compile(&schema).unwrap().read_ahead();
  let members = |names: &[&str], deny_others| {
    Some(ReadAhead::Members { names: names.iter().map(|n| n.to_string()).collect(), deny_others })
  };
  let reference =
    json!({"type": "object", "properties": {"id": {"type": "number"}, "text": {"type": "string"}}, "required": ["id"]});
  assert_eq!(ahead(reference), members(&["id", "text"], false));
  let closed = json!({"properties": {"a": {"type": "object", "properties": {"b": {}}}}, "additionalProperties": false});
  assert_eq!(ahead(closed), members(&["a"], true));
  let args = json!({"type": "array", "prefixItems": [{"type": "string"}, {}], "items": {"type": "number"}, "minItems": 1, "maxItems": 4});
  assert_eq!(ahead(args), Some(ReadAhead::Items { count: 2 }));
  // Anything else at the root reads more than that (or not a container at all).
  for schema in [
    json!({"type": "object", "properties": {"a": {}}, "required": ["b"]}),
    json!({"properties": {"a": {}}, "patternProperties": {"^x": {}}}),
    json!({"properties": {"a": {}}, "additionalProperties": {"type": "number"}}),
    json!({"properties": {"a": {}}, "minProperties": 1}),
    json!({"properties": {"constructor": {}}}),
    json!({"type": "object"}),
    json!({"type": "string"}),
    json!({"anyOf": [{"properties": {"a": {}}}]}),
    json!({"properties": (0..16).map(|i| (format!("k{i}"), json!({}))).collect::<serde_json::Map<_, _>>()}),
    json!({"type": "array", "items": {"type": "number"}}),
    json!({"prefixItems": [{}], "uniqueItems": true}),
    json!({"prefixItems": [{}], "contains": {"type": "number"}}),
    json!({"prefixItems": (0..16).map(|_| json!({})).collect::<Vec<_>>()}),
    json!({"properties": {"a": {}}, "prefixItems": [{}]}),
  ] {
    assert_eq!(ahead(schema.clone()), None, "{schema}");
  }
}

#[test]
fn caps_and_closed_objects_read_all_keys() {
  let open = json!({"properties": {"a": {}}});
  let closed = json!({"properties": {"a": {}}, "additionalProperties": false});
  let limits = Limits { max_bytes: Some(1024.0), max_depth: None };
  assert!(!Validator::compile(&open, None).unwrap().reads_all_keys());
  assert!(Validator::compile(&closed, None).unwrap().reads_all_keys());
  assert!(Validator::compile(&open, Some(limits)).unwrap().reads_all_keys());
  assert!(Validator::compile(&open, Some(limits)).unwrap().read_ahead().is_some());
}
