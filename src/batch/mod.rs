//! The native half of BatchManager: option rules, the per-target deadline
//! schedule, the tokio timer that wakes JS, and flush statistics.
//! Payloads never come here: they stay in JS, where they are cheapest.
pub mod config;
pub mod schedule;
pub mod stats;
pub mod timer;

pub use config::{BatchConfig, ConfigIssue, Overflow, RawBatchOptions};
pub use schedule::DeadlineSchedule;
pub use stats::{BatchStats, FlushReason};
pub use timer::{BatchTimer, Delivery};
