//! The `#[napi]` layer: converts between JS and the core modules, nothing else.
//! Every export is `catch_unwind`, so a bug becomes a JS error, not a dead app.
mod batch;
mod handles;
mod histogram;
mod ratelimit;
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
