//! A compiled schema: the fast plan when the schema fits its subset, else the
//! `jsonschema` crate on a converted copy; optional size and depth caps first.
use super::walk::{check_limits, to_value, DEFAULT_MAX_DEPTH};
use super::{eval, fallback, Instance, Issue, Limits, Plan};
use serde_json::Value;

/// How deep a schema given as a live value is read (schemas are shallow; this
/// keeps a hostile one from costing more).
const SCHEMA_MAX_DEPTH: u32 = 256;

#[derive(Debug, Clone, PartialEq)]
pub struct SchemaError {
  pub message: String,
  /// JSON pointer into the schema.
  pub pointer: String,
}

pub struct Validator {
  plan: Option<Plan>,
  fallback: jsonschema::Validator,
  limits: Option<Limits>,
}

impl Validator {
  pub fn compile(schema: &Value, limits: Option<Limits>) -> Result<Validator, SchemaError> {
    let fallback = fallback::build(schema).map_err(|(message, pointer)| SchemaError { message, pointer })?;
    Ok(Validator { plan: Plan::compile(schema), fallback, limits })
  }

  /// `compile` for a schema read from any `Instance` (a live JS value).
  pub fn compile_instance<I: Instance>(schema: &I, limits: Option<Limits>) -> Result<Validator, SchemaError> {
    let schema = to_value(schema, f64::INFINITY, SCHEMA_MAX_DEPTH)
      .map_err(|i| SchemaError { message: format!("schema is not JSON: {}", i.message), pointer: i.pointer })?;
    Validator::compile(&schema, limits)
  }

  /// How many object keywords the plan has (for per-site caches of callers).
  pub fn object_sites(&self) -> usize {
    self.plan.as_ref().map_or(0, |p| p.sites)
  }

  /// Whether values are walked in place (true) or converted first.
  pub fn uses_plan(&self) -> bool {
    self.plan.is_some()
  }

  fn max_depth(&self) -> u32 {
    self.limits.and_then(|l| l.max_depth).unwrap_or(DEFAULT_MAX_DEPTH)
  }

  fn precheck<I: Instance>(&self, value: &I) -> Option<Issue> {
    let limits = self.limits?;
    check_limits(value, limits.max_bytes.unwrap_or(f64::INFINITY), self.max_depth())
  }

  /// Every failing field; empty when valid.
  pub fn validate<I: Instance>(&self, value: &I) -> Vec<Issue> {
    match (&self.plan, self.limits) {
      (Some(plan), Some(limits)) => {
        eval::evaluate_metered(plan, value, limits.max_bytes.unwrap_or(f64::INFINITY), self.max_depth())
      }
      (Some(plan), None) => eval::evaluate(plan, value, self.max_depth()),
      (None, _) => match self.precheck(value) {
        Some(issue) => vec![issue],
        None => self.convert_and_validate(value),
      },
    }
  }

  /// Always through conversion and the `jsonschema` crate (the reference path).
  pub fn validate_converted<I: Instance>(&self, value: &I) -> Vec<Issue> {
    if let Some(issue) = self.precheck(value) {
      return vec![issue];
    }
    self.convert_and_validate(value)
  }

  fn convert_and_validate<I: Instance>(&self, value: &I) -> Vec<Issue> {
    match to_value(value, f64::INFINITY, self.max_depth()) {
      Ok(v) => fallback::issues(&self.fallback, &v),
      Err(issue) => vec![issue],
    }
  }
}
