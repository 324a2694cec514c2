//! The `#[napi]` layer: converts between JS and the core modules, nothing else.
//! Every export is `catch_unwind`, so a bug becomes a JS error, not a dead app.
mod batch;
mod validate;
mod histogram;
mod ratelimit;
