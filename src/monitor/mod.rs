//! PerformanceMonitor's core: series (counters, gauges, log-linear
//! histograms, rolling windows), the Prometheus text format and the JS-thread
//! stall watchdog. Pure Rust; the binding adds the event-loop hooks.
pub mod histogram;
pub mod log;
pub mod prometheus;
pub mod registry;
pub mod sleeper;
pub mod watchdog;
pub mod window;
