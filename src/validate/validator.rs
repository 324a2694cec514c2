//! A compiled schema with optional size and depth caps, checked in the same walk.
use super::plan::ReadAhead;
use super::walk::{to_value, DEFAULT_MAX_DEPTH};
use super::{eval, Instance, Issue, Limits, Plan};
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
  plan: Plan,
  limits: Option<Limits>,
  read_ahead: Option<ReadAhead>,
}

impl Validator {
  pub fn compile(schema: &Value, limits: Option<Limits>) -> Result<Validator, SchemaError> {
    let plan = Plan::compile(schema)?;
    let read_ahead = plan.read_ahead();
    Ok(Validator { plan, limits, read_ahead })
  }

  /// `compile` for a schema read from any `Instance` (a live JS value).
  pub fn compile_instance<I: Instance>(schema: &I, limits: Option<Limits>) -> Result<Validator, SchemaError> {
    let schema = to_value(schema, f64::INFINITY, SCHEMA_MAX_DEPTH)
      .map_err(|i| SchemaError { message: format!("schema is not JSON: {}", i.message), pointer: i.pointer })?;
    Validator::compile(&schema, limits)
  }

  /// How many object keywords the plan has (for per-site caches of callers).
  pub fn object_sites(&self) -> usize {
    self.plan.sites
  }

  /// What of the root a caller may read first and pass in (the root object's
  /// member names, or an array's leading items; see the binding's `readAhead`),
  /// when the plan reads the root by nothing else. None otherwise.
  pub fn read_ahead(&self) -> Option<&ReadAhead> {
    self.read_ahead.as_ref()
  }

  /// The plan as data for a JS pre-check that may only accept (`Plan::accept_plan`),
  /// as JSON text; None with caps, which measure the whole value (the registry
  /// sends values that cannot reach its caps to a validator without them).
  pub fn accept_plan(&self) -> Option<String> {
    self.limits.is_none().then(|| self.plan.accept_plan().to_string())
  }

  /// Whether `text` matches the i-th pattern of `accept_plan`; None for no such pattern.
  pub fn accept_pattern(&self, i: usize, text: &str) -> Option<bool> {
    self.plan.accept_pattern(i).map(|p| p.is_match(text))
  }

  /// Whether the walk needs to know a root object's keys beside the named
  /// members: with `additionalProperties: false`, or caps (which measure every member).
  pub fn reads_all_keys(&self) -> bool {
    self.limits.is_some() || matches!(self.read_ahead, Some(ReadAhead::Members { deny_others: true, .. }))
  }

  fn max_depth(&self) -> u32 {
    self.limits.and_then(|l| l.max_depth).unwrap_or(DEFAULT_MAX_DEPTH)
  }

  /// Every failing field; empty when valid.
  pub fn validate<I: Instance>(&self, value: &I) -> Vec<Issue> {
    match self.limits {
      Some(limits) => {
        eval::evaluate_metered(&self.plan, value, limits.max_bytes.unwrap_or(f64::INFINITY), self.max_depth())
      }
      None => eval::evaluate(&self.plan, value, self.max_depth()),
    }
  }

  /// The same verdict on a `serde_json` copy of the value (a reference path for
  /// tests and benchmarks: conversion first, then the plan).
  pub fn validate_converted<I: Instance>(&self, value: &I) -> Vec<Issue> {
    if let Some(limits) = self.limits {
      if let Some(issue) = super::check_limits(value, limits.max_bytes.unwrap_or(f64::INFINITY), self.max_depth()) {
        return vec![issue];
      }
    }
    match to_value(value, f64::INFINITY, self.max_depth()) {
      Ok(v) => eval::evaluate(&self.plan, &&v, self.max_depth()),
      Err(issue) => vec![issue],
    }
  }
}
