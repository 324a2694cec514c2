//! The `#[napi]` layer: converts between JS and the core modules, nothing else.
//! Every export runs through `errors::guard`, so a bug becomes an `E_INTERNAL`
//! JS error, not a dead app.
//!
//! Naming rule at the boundary: every class, object and enum exported here is
//! `Binding*` (`BindingHistogram`, `BindingValidationIssue`, `BindingFlushReason`);
//! functions are verbs (`batchWake`, `compileSchema`). The hand-written JS front
//! (`lib/`) never exports a binding name: users see plain names there.
mod batch;
mod cache;
mod errors;
mod handles;
mod histogram;
mod memory;
mod monitor;
mod ratelimit;
mod text;
mod validate;

/// Every export catches panics and turns them into JS errors; this hook adds
/// one line to stderr saying it is our bug, so users know where to report it.
#[napi_derive::module_init]
fn install_panic_hook() {
  static ONCE: std::sync::Once = std::sync::Once::new();
  ONCE.call_once(|| {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
      eprintln!("ipcflow: internal error, this is a bug in ipcflow; please report it with what follows");
      previous(info);
    }));
  });
}
