//! Size and depth caps: checking the numbers given, and `checkLimits`.
use super::instance::JsVal;
use super::realm::Realm;
use super::ValidationIssue;
use crate::validate;
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Past this, native recursion could exhaust the stack before V8 notices.
const HARD_MAX_DEPTH: f64 = 1000.0;

#[napi(object, object_to_js = false)]
pub struct SchemaLimits {
  pub max_bytes: Option<f64>,
  pub max_depth: Option<f64>,
}

pub(super) fn check_bytes(name: &str, v: f64) -> Result<f64> {
  if v.is_nan() || v < 0.0 {
    return Err(Error::new(Status::InvalidArg, format!("{name} must be a number >= 0, got {v}")));
  }
  Ok(v)
}

pub(super) fn check_depth(name: &str, v: f64) -> Result<u32> {
  if v.is_nan() || v < 1.0 {
    return Err(Error::new(Status::InvalidArg, format!("{name} must be a number >= 1, got {v}")));
  }
  Ok(v.min(HARD_MAX_DEPTH) as u32)
}

/// Checks size and depth caps BEFORE any conversion; also usable without a schema. null = within limits.
#[napi(catch_unwind, ts_args_type = "value: unknown, maxBytes: number, maxDepth: number")]
pub fn check_limits(value: Unknown, max_bytes: f64, max_depth: f64) -> Result<Option<ValidationIssue>> {
  let max_bytes = check_bytes("maxBytes", max_bytes)?;
  let max_depth = check_depth("maxDepth", max_depth)?;
  let realm = Realm::new(value.value().env);
  let v = unsafe { JsVal::new(&realm, value.value().value) };
  Ok(validate::check_limits(&v, max_bytes, max_depth).map(Into::into))
}
