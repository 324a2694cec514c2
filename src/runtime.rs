//! One small tokio runtime for the whole process, on its own thread.
//! Timers live here rather than in napi's per-env runtime so that a worker
//! or window teardown can't drop the runtime under a running timer; each
//! timer task stops by itself when its JS environment goes away.
use std::sync::OnceLock;
use tokio::runtime::{Builder, Handle};

static RUNTIME: OnceLock<Option<Handle>> = OnceLock::new();

/// `None` only if the OS refused a thread: callers turn that into a JS error.
pub fn handle() -> Option<Handle> {
  RUNTIME
    .get_or_init(|| {
      let runtime = Builder::new_current_thread().enable_time().build().ok()?;
      let handle = runtime.handle().clone();
      std::thread::Builder::new()
        .name("ipcflow-timers".into())
        .spawn(move || runtime.block_on(std::future::pending::<()>()))
        .ok()?;
      Some(handle)
    })
    .clone()
}
