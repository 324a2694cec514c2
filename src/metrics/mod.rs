//! Measurement primitives shared by every manager (pure Rust, no napi types).
pub mod histogram;

pub use histogram::{Histogram, HistogramSummary};
