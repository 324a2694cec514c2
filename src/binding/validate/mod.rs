//! JSON Schema validation at the boundary: `compileSchema`, `checkLimits` and
//! the `BindingValidator` class. Values are read in place by `js_value` (the
//! raw Node-API part); everything else is the core's (`crate::validate`).
mod js_value;
use super::errors::{guard, guard_coded, invalid_argument, Result};
use super::text::JsText;
use crate::validate::{self, read_max_bytes, read_max_depth, Issue, Limits, Validator};
use js_value::{attach_fast_validate, JsVal, Realm};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::sync::Arc;

/// Pointers and messages quote names and values as the JS strings they were
/// (a lone surrogate goes back as itself).
#[napi(object)]
pub struct BindingValidationIssue {
  /// RFC 6901 pointer into the value.
  #[napi(ts_type = "string")]
  pub pointer: JsText,
  pub keyword: String,
  #[napi(ts_type = "string")]
  pub message: JsText,
}

impl From<Issue> for BindingValidationIssue {
  fn from(i: Issue) -> Self {
    BindingValidationIssue { pointer: i.pointer.into(), keyword: i.keyword, message: i.message.into() }
  }
}

/// Caps checked with validation. A number >= 2^31 - 1 or `Infinity` means no cap.
#[napi(object, object_to_js = false)]
pub struct BindingSchemaLimits {
  pub max_bytes: Option<f64>,
  pub max_depth: Option<f64>,
}

#[napi(object)]
pub struct BindingSchemaError {
  #[napi(ts_type = "string")]
  pub message: JsText,
  /// JSON pointer into the schema.
  #[napi(ts_type = "string")]
  pub pointer: JsText,
}

/// A compiled JSON Schema; made by `compileSchema`.
#[napi]
pub struct BindingValidator {
  inner: Arc<Validator>,
}

/// Runs `f` on the live value `value` of the current call.
fn with_value<R>(value: Unknown, f: impl FnOnce(&JsVal) -> R) -> R {
  let raw = value.value();
  // SAFETY: `value` is an argument of the current call from JS, on its thread;
  // the realm and the value are dropped before the call returns.
  unsafe {
    let realm = Realm::new(raw.env);
    f(&JsVal::new(&realm, raw.value))
  }
}

fn issues(issues: Vec<Issue>) -> Option<Vec<BindingValidationIssue>> {
  (!issues.is_empty()).then(|| issues.into_iter().map(Into::into).collect())
}

#[napi]
impl BindingValidator {
  /// null when valid. Otherwise every failing field (not just the first).
  /// (Each instance's own `validate` is a raw function doing the same, faster.)
  #[napi(ts_args_type = "value: unknown")]
  pub fn validate(&self, value: Unknown) -> Result<Option<Vec<BindingValidationIssue>>> {
    guard("validate", || Ok(with_value(value, |v| issues(self.inner.validate(v)))))
  }

  /// The same verdict on a serde_json copy of the value (a reference path for tests and benchmarks).
  #[napi(ts_args_type = "value: unknown")]
  pub fn validate_converted(&self, value: Unknown) -> Result<Option<Vec<BindingValidationIssue>>> {
    guard("validateConverted", || Ok(with_value(value, |v| issues(self.inner.validate_converted(v)))))
  }
}

fn read_limits(limits: Option<BindingSchemaLimits>) -> Result<Option<Limits>> {
  let Some(l) = limits else { return Ok(None) };
  Ok(Some(Limits {
    max_bytes: l.max_bytes.map(|v| read_max_bytes("limits.maxBytes", v)).transpose().map_err(invalid_argument)?,
    max_depth: l.max_depth.map(|v| read_max_depth("limits.maxDepth", v)).transpose().map_err(invalid_argument)?,
  }))
}

/// Compiles a JSON Schema (draft 2020-12) once. An invalid schema is a result
/// (`ok: false`), never a throw; bad limits throw `E_INVALID_ARGUMENT`.
#[napi(
  ts_args_type = "schema: object | boolean, limits?: BindingSchemaLimits",
  ts_return_type = "{ ok: true; validator: BindingValidator } | { ok: false; error: BindingSchemaError }"
)]
pub fn compile_schema<'e>(
  env: &'e Env,
  schema: Unknown<'e>,
  limits: Option<BindingSchemaLimits>,
) -> Result<Object<'e>> {
  guard_coded("compileSchema", || {
    let limits = read_limits(limits)?;
    let internal = |e: napi::Error| super::errors::internal("compileSchema", &e.reason);
    let mut out = Object::new(env).map_err(internal)?;
    match with_value(schema, |s| Validator::compile_instance(s, limits)) {
      Ok(v) => {
        let inner = Arc::new(v);
        let instance = BindingValidator { inner: inner.clone() }.into_instance(env).map_err(internal)?;
        // SAFETY: a live call on `env`; `instance` was just made in it.
        unsafe { attach_fast_validate(env.raw(), instance.value, inner) }.map_err(internal)?;
        out.set_named_property("ok", true).map_err(internal)?;
        out.set_named_property("validator", instance).map_err(internal)?;
      }
      Err(e) => {
        out.set_named_property("ok", false).map_err(internal)?;
        let error = BindingSchemaError { message: e.message.into(), pointer: e.pointer.into() };
        out.set_named_property("error", error).map_err(internal)?;
      }
    }
    Ok(out)
  })
}

/// Checks size and depth caps before any conversion, without a schema; null
/// when within them. A cap >= 2^31 - 1 or `Infinity` is no cap.
#[napi(ts_args_type = "value: unknown, maxBytes: number, maxDepth: number")]
pub fn check_limits(value: Unknown, max_bytes: f64, max_depth: f64) -> Result<Option<BindingValidationIssue>> {
  guard_coded("checkLimits", || {
    let max_bytes = read_max_bytes("maxBytes", max_bytes).map_err(invalid_argument)?;
    let max_depth = read_max_depth("maxDepth", max_depth).map_err(invalid_argument)?;
    Ok(with_value(value, |v| validate::check_limits(v, max_bytes, max_depth)).map(Into::into))
  })
}
