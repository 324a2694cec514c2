//! JSON Schema validation of live JS values: `JsVal` implements the core's
//! `Instance` with raw Node-API calls, so the plan reads only what the schema
//! asks for and nothing is converted. `validate` is also attached to each
//! validator as a raw function: it skips napi-rs's class-method wrapper (~200 ns).
mod instance;
mod limits;
mod napi_util;
mod prototype;
mod raw_fn;
mod realm;
use crate::validate::{self, Issue, Limits, Validator};
use instance::JsVal;
use limits::{check_bytes, check_depth, SchemaLimits};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use raw_fn::attach_fast_validate;
use realm::Realm;
use std::sync::Arc;

#[napi(object)]
pub struct ValidationIssue {
  pub pointer: String,
  pub keyword: String,
  pub message: String,
  pub schema_path: Option<String>,
}

impl From<Issue> for ValidationIssue {
  fn from(i: Issue) -> Self {
    ValidationIssue { pointer: i.pointer, keyword: i.keyword, message: i.message, schema_path: i.schema_path }
  }
}

/// A compiled JSON Schema; made by `compileSchema`.
#[napi]
pub struct NativeValidator {
  inner: Arc<Validator>,
}

#[napi]
impl NativeValidator {
  /// null when valid. Otherwise every failing field (not just the first).
  #[napi(catch_unwind, ts_args_type = "value: unknown")]
  pub fn validate(&self, value: Unknown) -> Option<Vec<ValidationIssue>> {
    let realm = Realm::new(value.value().env);
    let v = unsafe { JsVal::new(&realm, value.value().value) };
    wrap(self.inner.validate(&v))
  }

  /// The same verdict through conversion to serde_json and the `jsonschema` crate (reference path).
  #[napi(catch_unwind, ts_args_type = "value: unknown")]
  pub fn validate_converted(&self, value: Unknown) -> Option<Vec<ValidationIssue>> {
    let realm = Realm::new(value.value().env);
    let v = unsafe { JsVal::new(&realm, value.value().value) };
    wrap(self.inner.validate_converted(&v))
  }

  /// True when values are walked in place; false when the schema needs the converting fallback.
  #[napi(getter, catch_unwind)]
  pub fn fast_path(&self) -> bool {
    self.inner.uses_plan()
  }
}

fn wrap(issues: Vec<Issue>) -> Option<Vec<ValidationIssue>> {
  (!issues.is_empty()).then(|| issues.into_iter().map(Into::into).collect())
}

#[napi(object)]
pub struct SchemaError {
  pub message: String,
  pub pointer: String,
}

/// Compiles a JSON Schema (draft 2020-12) once. Invalid schema -> `error` set, never a throw.
#[napi(
  catch_unwind,
  ts_args_type = "schema: object | boolean, limits?: SchemaLimits",
  ts_return_type = "{ validator?: NativeValidator; error?: SchemaError }"
)]
pub fn compile_schema<'e>(env: &'e Env, schema: Unknown<'e>, limits: Option<SchemaLimits>) -> Result<Object<'e>> {
  let limits = match limits {
    Some(l) => Some(Limits {
      max_bytes: l.max_bytes.map(|v| check_bytes("limits.maxBytes", v)).transpose()?,
      max_depth: l.max_depth.map(|v| check_depth("limits.maxDepth", v)).transpose()?,
    }),
    None => None,
  };
  let mut out = Object::new(env)?;
  let realm = Realm::new(env.raw());
  let js = unsafe { JsVal::new(&realm, schema.value().value) };
  let compiled = validate::to_value(&js, f64::INFINITY, 256)
    .map_err(|i| SchemaError { message: format!("schema is not JSON: {}", i.message), pointer: i.pointer })
    .and_then(|s| Validator::compile(&s, limits).map_err(|e| SchemaError { message: e.message, pointer: e.pointer }));
  match compiled {
    Ok(v) => {
      let inner = Arc::new(v);
      let instance = NativeValidator { inner: inner.clone() }.into_instance(env)?;
      unsafe { attach_fast_validate(env.raw(), instance.value, inner)? };
      out.set_named_property("validator", instance)?;
    }
    Err(e) => out.set_named_property("error", e)?,
  }
  Ok(out)
}
