//! D1: a JS logger as a sink of the core's `tracing` router. Records are
//! queued on a weak ThreadsafeFunction (at most 1,024 waiting); what does not
//! fit is counted and reported with the next record that does.
use super::super::errors::{guard, guard_coded, invalid_argument, Result};
use crate::monitor::log::{self, Deliver, Delivery, LogRecord, Sink};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

const QUEUE: usize = 1024;

#[napi(object)]
pub struct BindingLogRecord {
  pub level: String,
  pub target: String,
  pub message: String,
  pub fields: HashMap<String, String>,
  /// Records this logger missed (queue full) before this one.
  pub dropped_before: f64,
}

#[napi(object)]
pub struct BindingLogStats {
  pub delivered: f64,
  pub dropped: f64,
}

type LogCallback = ThreadsafeFunction<BindingLogRecord, (), BindingLogRecord, Status, false, true, QUEUE>;

struct ToJs(LogCallback);

impl Deliver for ToJs {
  fn deliver(&self, r: LogRecord) -> Delivery {
    let record = BindingLogRecord {
      level: log::level_name(r.level).into(),
      target: r.target,
      message: r.message,
      fields: r.fields.into_iter().collect(),
      dropped_before: r.dropped_before as f64,
    };
    match self.0.call(record, ThreadsafeFunctionCallMode::NonBlocking) {
      Status::Ok => Delivery::Queued,
      Status::QueueFull => Delivery::QueueFull,
      _ => Delivery::Gone,
    }
  }
}

fn level_of(level: &str) -> Result<u8> {
  log::parse_level(level).ok_or_else(|| {
    invalid_argument(format!("log level must be off, error, warn, info, debug or trace (got '{level}')"))
  })
}

/// One JS logger: receives every core event at or above its level.
#[napi]
pub struct BindingLogSink {
  sink: Arc<Sink>,
}

#[napi]
impl BindingLogSink {
  #[napi(constructor)]
  pub fn new(on_record: Function<BindingLogRecord, ()>, level: String) -> Result<Self> {
    guard_coded("setLogger", || {
      let level = level_of(&level)?;
      let build = || -> napi::Result<LogCallback> {
        on_record
          .build_threadsafe_function::<BindingLogRecord>()
          .weak::<true>()
          .callee_handled::<false>()
          .max_queue_size::<QUEUE>()
          .build()
      };
      let callback = build().map_err(|e| super::super::errors::internal("setLogger", &e.reason))?;
      Ok(Self { sink: log::add_sink(level, Box::new(ToJs(callback))) })
    })
  }

  #[napi]
  pub fn set_level(&self, level: String) -> Result<()> {
    guard_coded("setLogLevel", || {
      log::set_level(&self.sink, level_of(&level)?);
      Ok(())
    })
  }

  #[napi]
  pub fn stats(&self) -> Result<BindingLogStats> {
    guard("getLogStats", || {
      Ok(BindingLogStats {
        delivered: self.sink.delivered.load(Ordering::Relaxed) as f64,
        dropped: self.sink.dropped.load(Ordering::Relaxed) as f64,
      })
    })
  }

  #[napi]
  pub fn close(&self) -> Result<()> {
    guard("setLogger", || {
      log::remove_sink(self.sink.id);
      Ok(())
    })
  }
}

impl Drop for BindingLogSink {
  fn drop(&mut self) {
    log::remove_sink(self.sink.id);
  }
}

/// Emits one core event at `level` (tests and the docs' examples), from the
/// calling thread or, with `from_thread`, from a new native thread.
#[napi(js_name = "__logForTests")]
pub fn log_for_tests(level: String, message: String, from_thread: bool) -> Result<()> {
  guard_coded("__logForTests", || {
    let level = level_of(&level)?;
    let emit = move || match level {
      1 => tracing::error!(target: "ipcflow::test", "{message}"),
      2 => tracing::warn!(target: "ipcflow::test", "{message}"),
      3 => tracing::info!(target: "ipcflow::test", "{message}"),
      4 => tracing::debug!(target: "ipcflow::test", "{message}"),
      _ => tracing::trace!(target: "ipcflow::test", "{message}"),
    };
    if from_thread {
      let _ = std::thread::spawn(emit).join();
    } else {
      emit();
    }
    Ok(())
  })
}
