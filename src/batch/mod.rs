//! The native half of BatchManager: the per-target deadline schedule, the
//! tokio timer that wakes JS, and flush statistics. Options are the JS front's
//! (lib/batch/options.js); payloads never come here: they stay in JS, where
//! they are cheapest.
pub mod schedule;
#[cfg(test)]
mod schedule_props;
pub mod stats;
pub mod timer;

pub use schedule::DeadlineSchedule;
pub use stats::{BatchStats, FlushReason, FrameRecordError};
pub use timer::{BatchTimer, Delivery, LiveGenerations};
