//! The `jsonschema` crate: checks schemas at compile time and validates
//! converted values for schemas outside the plan's subset.
use super::{push_token, required_message, Issue};
use jsonschema::error::ValidationErrorKind as K;
use jsonschema::ValidationError;
use serde_json::Value;

pub fn build(schema: &Value) -> Result<jsonschema::Validator, (String, String)> {
  jsonschema::options().build(schema).map_err(|e| (e.masked().to_string(), e.instance_path().as_str().to_string()))
}

pub fn issues(validator: &jsonschema::Validator, value: &Value) -> Vec<Issue> {
  validator.iter_errors(value).map(|e| issue(&e)).collect()
}

fn issue(e: &ValidationError<'_>) -> Issue {
  let keyword = e.kind().keyword().to_string();
  let mut pointer = e.instance_path().as_str().to_string();
  let message = match e.kind() {
    K::Required { property } => {
      let name = property.as_str().unwrap_or_default();
      push_token(&mut pointer, name);
      required_message(name)
    }
    K::MaxLength { limit } => format!("must NOT have more than {limit} characters"),
    K::MinLength { limit } => format!("must NOT have fewer than {limit} characters"),
    K::Maximum { limit } => format!("must be <= {limit}"),
    K::Minimum { limit } => format!("must be >= {limit}"),
    K::ExclusiveMaximum { limit } => format!("must be < {limit}"),
    K::ExclusiveMinimum { limit } => format!("must be > {limit}"),
    K::MaxItems { limit } => format!("must NOT have more than {limit} items"),
    K::MinItems { limit } => format!("must NOT have fewer than {limit} items"),
    K::MaxProperties { limit } => format!("must NOT have more than {limit} properties"),
    K::MinProperties { limit } => format!("must NOT have fewer than {limit} properties"),
    K::Enum { .. } => "must be equal to one of the allowed values".to_string(),
    K::Constant { .. } => "must be equal to constant".to_string(),
    K::AnyOf { .. } => "must match a schema in anyOf".to_string(),
    K::Not { .. } => "must NOT be valid".to_string(),
    K::Pattern { pattern } => format!("must match pattern \"{pattern}\""),
    K::Format { format } => format!("must match format \"{format}\""),
    // The masked form names the keyword without echoing the (possibly huge) value.
    _ => e.masked().to_string(),
  };
  Issue::new(pointer, &keyword, message)
}
