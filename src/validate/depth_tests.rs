//! Depth: `Infinity` is no cap for the iterative caps walk; the recursive
//! walks stop at `WALK_CEILING`; and the small shared pieces of messages.
use super::*;
use serde_json::{json, Value};

/// Runs `f` on a thread with the ceiling's stack budget (see `WALK_CEILING`)
/// in an optimised build; unoptimised frames are several times larger. (Dropping
/// a deep `serde_json::Value` recurses too.)
fn on_stack_of_2_mb(f: fn()) {
  let stack = if cfg!(debug_assertions) { 16 << 20 } else { 2 << 20 };
  std::thread::Builder::new().stack_size(stack).spawn(f).unwrap().join().unwrap();
}

fn nested(depth: usize, recursive_key: &str) -> Value {
  let mut v = json!({});
  for _ in 0..depth {
    // Not `json!`: it would copy `v` each time.
    v = Value::Object(serde_json::Map::from_iter([(recursive_key.to_string(), v)]));
  }
  v
}

/// `maxDepth: Infinity` is no cap: the caps walk is iterative, so deep data
/// passes whether or not a schema is set (the schema here does not recurse).
#[test]
fn no_depth_cap_accepts_deep_data_with_or_without_a_schema() {
  on_stack_of_2_mb(no_depth_cap_on_deep_data);
}

fn no_depth_cap_on_deep_data() {
  let deep = nested(5000, "a");
  assert!(check_limits(&&deep, 1e9, NO_DEPTH_CAP).is_none());
  let depth = read_max_depth("maxDepth", f64::INFINITY).unwrap();
  assert_eq!(depth, NO_DEPTH_CAP);
  assert_eq!(read_max_depth("maxDepth", 2_147_483_647.0).unwrap(), NO_DEPTH_CAP);
  assert_eq!(read_max_bytes("maxBytes", 2_147_483_647.0).unwrap(), f64::INFINITY);
  assert!(read_max_depth("limits.maxDepth", 0.5).unwrap_err().contains("limits.maxDepth"));
  for max_bytes in [None, Some(1e9)] {
    let v = Validator::compile(&json!({"type": "object"}), Some(Limits { max_bytes, max_depth: Some(depth) })).unwrap();
    assert!(v.validate(&&deep).is_empty());
  }
  assert!(Validator::compile(&json!({"type": "object"}), None).unwrap().validate(&&deep).is_empty());
  // A finite cap still trips at the same place with or without a schema.
  let capped = Validator::compile(&json!({"type": "object"}), Some(Limits { max_bytes: None, max_depth: Some(64) }));
  let issue = &capped.unwrap().validate(&&deep)[0];
  assert_eq!(Some(issue), check_limits(&&deep, 1e9, 64).as_ref());
}

/// A recursive schema follows the data with native recursion: past
/// `WALK_CEILING` levels it refuses with a clear `maxDepth` issue.
#[test]
fn a_recursive_schema_stops_at_the_walk_ceiling() {
  on_stack_of_2_mb(recursive_schema_at_the_ceiling);
}

fn recursive_schema_at_the_ceiling() {
  let schema =
    json!({"$defs": {"n": {"type": "object", "properties": {"a": {"$ref": "#/$defs/n"}}}}, "$ref": "#/$defs/n"});
  let v = Validator::compile(&schema, Some(Limits { max_bytes: None, max_depth: Some(NO_DEPTH_CAP) })).unwrap();
  let shallow = v.validate(&&nested(400, "a"));
  assert!(shallow.is_empty(), "{shallow:?}");
  let issues = v.validate(&&nested(3000, "a"));
  assert_eq!(issues.len(), 1);
  assert_eq!(issues[0].keyword, "maxDepth");
  assert!(issues[0].message.contains(&format!("cannot walk deeper than {WALK_CEILING} levels")), "{issues:?}");
  // The converting path stops there too.
  let issue = &v.validate_converted(&&nested(3000, "a"))[0];
  assert!(issue.keyword == "maxDepth" && issue.message.contains("cannot walk deeper"), "{issue:?}");
}

#[test]
fn one_pointer_escaping_and_one_required_message() {
  let schema = json!({"required": ["a/b~"]});
  let plan = Validator::compile(&schema, None).unwrap();
  let via_plan = plan.validate(&&json!({}));
  let converted = plan.validate_converted(&&json!({}));
  assert_eq!(via_plan, converted);
  assert_eq!(via_plan[0].pointer, "/a~1b~0");
  assert_eq!(via_plan[0].message, "must have required property 'a/b~'");
}

#[test]
fn objects_are_named_by_their_tag() {
  assert_eq!(object_name("[object Map]"), "a Map");
  assert_eq!(object_name("[object Uint8Array]"), "a Uint8Array");
  assert_eq!(object_name("[object Foo]"), "a class instance");
  assert_eq!(object_name("nonsense"), "a class instance");
}
