//! ipcflow: batched, validated, measured IPC for the Electron main process.
//!
//! The modules below are plain Rust, tested by `cargo test`; `binding` is the
//! thin `#[napi]` layer that only converts between them and JS.
pub mod batch;
pub mod cache;
pub mod memory;
pub mod metrics;
pub mod monitor;
pub mod runtime;

#[cfg(feature = "binding")]
mod binding;
pub mod ratelimit;
pub mod text;
pub mod validate;
