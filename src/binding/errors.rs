//! How a native failure reaches JS: one code per kind, set as the JS error's
//! `code`. Every export runs its body through `guard`, so a panic or a broken
//! invariant surfaces as `E_INTERNAL` with a message that says it is our bug,
//! never as napi's `GenericFailure` and never as a dead Electron main process.
use napi::bindgen_prelude::Error;
use napi::sys;
use std::any::Any;
use std::ffi::CString;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The codes native code throws. JS maps them onto its `IpcError` classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
  /// A bug in ipcflow: a panic, or an invariant the JS front should have kept.
  Internal,
  /// A caller's value the JS front passes on for native rules to judge.
  InvalidArgument,
}

impl AsRef<str> for Code {
  fn as_ref(&self) -> &str {
    match self {
      Code::Internal => "E_INTERNAL",
      Code::InvalidArgument => "E_INVALID_ARGUMENT",
    }
  }
}

/// What every `#[napi]` export returns (napi-derive recognises a result by
/// the name `Result`, so this alias keeps it).
pub type Result<T> = std::result::Result<T, Error<Code>>;

const BUG: &str = "this is a bug in ipcflow, please report it";

fn panic_text(payload: &(dyn Any + Send)) -> &str {
  payload.downcast_ref::<String>().map(String::as_str).or_else(|| payload.downcast_ref::<&str>().copied()).unwrap_or("")
}

/// The message of an `E_INTERNAL` error for `what` (an export's JS name).
pub fn internal_message(what: &str, cause: &str) -> String {
  format!("ipcflow: {what} failed ({cause}); {BUG}")
}

pub fn internal(what: &str, cause: &str) -> Error<Code> {
  Error::new(Code::Internal, internal_message(what, cause))
}

#[allow(dead_code)]
pub fn invalid_argument(message: impl Into<String>) -> Error<Code> {
  Error::new(Code::InvalidArgument, message.into())
}

/// Runs an export's body: a panic becomes `E_INTERNAL`, and so does a napi
/// error (the JS front checks types first, so a failed conversion is ours).
pub fn guard<T>(what: &'static str, body: impl FnOnce() -> napi::Result<T>) -> Result<T> {
  match catch_unwind(AssertUnwindSafe(body)) {
    Ok(Ok(value)) => Ok(value),
    Ok(Err(error)) => Err(internal(what, &error.reason)),
    Err(payload) => Err(internal(what, &format!("panicked: {}", panic_text(payload.as_ref())))),
  }
}

/// As `guard`, for bodies that already speak in `Code`s.
#[allow(dead_code)]
pub fn guard_coded<T>(what: &'static str, body: impl FnOnce() -> Result<T>) -> Result<T> {
  match catch_unwind(AssertUnwindSafe(body)) {
    Ok(result) => result,
    Err(payload) => Err(internal(what, &format!("panicked: {}", panic_text(payload.as_ref())))),
  }
}

/// For raw Node-API functions (no napi-rs wrapper): runs `body`, and on a
/// panic throws the same `E_INTERNAL` error `guard` would and returns null.
///
/// # Safety
/// `env` must be the env of the current callback, on its JS thread.
pub unsafe fn guard_raw(what: &str, env: sys::napi_env, body: impl FnOnce() -> sys::napi_value) -> sys::napi_value {
  match catch_unwind(AssertUnwindSafe(body)) {
    Ok(value) => value,
    Err(payload) => {
      let message = internal_message(what, &format!("panicked: {}", panic_text(payload.as_ref())));
      let message = CString::new(message.replace('\0', " ")).unwrap_or_default();
      // SAFETY: the caller guarantees `env` is live on this thread; both strings are NUL-terminated.
      unsafe { sys::napi_throw_error(env, c"E_INTERNAL".as_ptr(), message.as_ptr()) };
      std::ptr::null_mut()
    }
  }
}

/// Panics on purpose, so tests can check that a bug reaches JS as
/// `E_INTERNAL` and the process lives. Only in builds with the `test-hooks`
/// cargo feature (`npm run build`); published binaries do not have it.
#[cfg(feature = "test-hooks")]
#[napi_derive::napi(js_name = "__panicForTests")]
pub fn panic_for_tests() -> Result<()> {
  guard("__panicForTests", || -> napi::Result<()> { panic!("deliberate panic (test hook)") })
}
