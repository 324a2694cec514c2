//! The native half of BatchManager: the per-slot deadlines shared with JS, the
//! tokio timer that wakes JS, and flush statistics. Options are the JS front's
//! (lib/batch/options.js); payloads never come here: they stay in JS, where
//! they are cheapest.
pub mod slots;
pub mod stats;
pub mod timer;

pub use slots::SharedSlots;
pub use stats::{BatchStats, FlushReason, FrameRecordError};
pub use timer::{BatchTimer, Delivery, SLACK_MS};
