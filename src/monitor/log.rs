//! `tracing` events from the Rust core, routed to JS loggers. One global
//! subscriber; each JS environment that sets a logger adds a sink. When no
//! sink wants a level, `enabled` is one atomic load and nothing is formatted.
//! A sink's queue is bounded; what does not fit is counted, never silent.
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, Once};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record as SpanRecord};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

pub const OFF: u8 = 0;

/// 1 = error .. 5 = trace; 0 = off.
pub fn level_number(level: &Level) -> u8 {
  match *level {
    Level::ERROR => 1,
    Level::WARN => 2,
    Level::INFO => 3,
    Level::DEBUG => 4,
    Level::TRACE => 5,
  }
}

pub fn level_name(n: u8) -> &'static str {
  ["off", "error", "warn", "info", "debug", "trace"][n.min(5) as usize]
}

pub fn parse_level(name: &str) -> Option<u8> {
  ["off", "error", "warn", "info", "debug", "trace"].iter().position(|l| *l == name).map(|n| n as u8)
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogRecord {
  pub level: u8,
  pub target: String,
  pub message: String,
  /// Other fields as `name=value` pairs, in order.
  pub fields: Vec<(String, String)>,
  /// Records this sink could not queue before this one.
  pub dropped_before: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
  Queued,
  QueueFull,
  /// The sink's environment is gone: remove it.
  Gone,
}

pub trait Deliver: Send + Sync {
  fn deliver(&self, record: LogRecord) -> Delivery;
}

pub struct Sink {
  pub id: u64,
  pub level: AtomicU8,
  pub dropped: AtomicU64,
  pub delivered: AtomicU64,
  deliver: Box<dyn Deliver>,
}

static SINKS: Mutex<Vec<Arc<Sink>>> = Mutex::new(Vec::new());
static MAX_LEVEL: AtomicU8 = AtomicU8::new(OFF);
static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static INSTALL: Once = Once::new();

fn refresh_max(sinks: &[Arc<Sink>]) {
  let max = sinks.iter().map(|s| s.level.load(Ordering::Relaxed)).max().unwrap_or(OFF);
  MAX_LEVEL.store(max, Ordering::Release);
}

/// Installs the global subscriber once (a no-op if another is installed).
pub fn install() {
  INSTALL.call_once(|| {
    let _ = tracing::subscriber::set_global_default(Router);
  });
}

pub fn add_sink(level: u8, deliver: Box<dyn Deliver>) -> Arc<Sink> {
  install();
  let sink = Arc::new(Sink {
    id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
    level: AtomicU8::new(level),
    dropped: AtomicU64::new(0),
    delivered: AtomicU64::new(0),
    deliver,
  });
  let mut sinks = SINKS.lock().unwrap_or_else(|e| e.into_inner());
  sinks.push(sink.clone());
  refresh_max(&sinks);
  sink
}

pub fn remove_sink(id: u64) {
  let mut sinks = SINKS.lock().unwrap_or_else(|e| e.into_inner());
  sinks.retain(|s| s.id != id);
  refresh_max(&sinks);
}

pub fn set_level(sink: &Sink, level: u8) {
  sink.level.store(level, Ordering::Relaxed);
  refresh_max(&SINKS.lock().unwrap_or_else(|e| e.into_inner()));
}

#[derive(Default)]
struct Fields {
  message: String,
  fields: Vec<(String, String)>,
}

impl Visit for Fields {
  fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
    if field.name() == "message" {
      let _ = write!(self.message, "{value:?}");
    } else {
      self.fields.push((field.name().to_string(), format!("{value:?}")));
    }
  }

  fn record_str(&mut self, field: &Field, value: &str) {
    if field.name() == "message" {
      self.message.push_str(value);
    } else {
      self.fields.push((field.name().to_string(), value.to_string()));
    }
  }
}

struct Router;

impl Subscriber for Router {
  fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
    // The level changes at run time, so every callsite asks `enabled`.
    Interest::sometimes()
  }

  fn enabled(&self, metadata: &Metadata<'_>) -> bool {
    level_number(metadata.level()) <= MAX_LEVEL.load(Ordering::Relaxed)
  }

  fn new_span(&self, _: &Attributes<'_>) -> Id {
    Id::from_u64(1)
  }

  fn record(&self, _: &Id, _: &SpanRecord<'_>) {}

  fn record_follows_from(&self, _: &Id, _: &Id) {}

  fn event(&self, event: &Event<'_>) {
    let level = level_number(event.metadata().level());
    let mut fields = Fields::default();
    event.record(&mut fields);
    let sinks: Vec<Arc<Sink>> = SINKS.lock().map(|s| s.clone()).unwrap_or_default();
    let mut gone = Vec::new();
    for sink in sinks.iter().filter(|s| level <= s.level.load(Ordering::Relaxed)) {
      let record = LogRecord {
        level,
        target: event.metadata().target().to_string(),
        message: fields.message.clone(),
        fields: fields.fields.clone(),
        dropped_before: sink.dropped.load(Ordering::Relaxed),
      };
      match sink.deliver.deliver(record) {
        Delivery::Queued => {
          sink.delivered.fetch_add(1, Ordering::Relaxed);
        }
        Delivery::QueueFull => {
          sink.dropped.fetch_add(1, Ordering::Relaxed);
        }
        Delivery::Gone => gone.push(sink.id),
      }
    }
    for id in gone {
      remove_sink(id);
    }
  }

  fn enter(&self, _: &Id) {}

  fn exit(&self, _: &Id) {}
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::mpsc;

  struct Channel(Mutex<mpsc::SyncSender<LogRecord>>);

  impl Deliver for Channel {
    fn deliver(&self, record: LogRecord) -> Delivery {
      match self.0.lock().unwrap().try_send(record) {
        Ok(()) => Delivery::Queued,
        Err(mpsc::TrySendError::Full(_)) => Delivery::QueueFull,
        Err(mpsc::TrySendError::Disconnected(_)) => Delivery::Gone,
      }
    }
  }

  // One test: the subscriber and its sinks are process-wide.
  #[test]
  fn levels_routing_overflow_and_removal() {
    assert!(!tracing::enabled!(Level::ERROR) || MAX_LEVEL.load(Ordering::Relaxed) > OFF);
    let (tx, rx) = mpsc::sync_channel(2);
    let sink = add_sink(parse_level("warn").unwrap(), Box::new(Channel(Mutex::new(tx))));
    tracing::debug!("not wanted");
    tracing::warn!(target: "ipcflow::test", stalled_ms = 312.5, "JS thread stalled");
    let got = rx.try_recv().unwrap();
    assert_eq!((got.level, got.target.as_str(), got.message.as_str()), (2, "ipcflow::test", "JS thread stalled"));
    assert_eq!(got.fields, vec![("stalled_ms".to_string(), "312.5".to_string())]);
    assert!(rx.try_recv().is_err());
    set_level(&sink, parse_level("debug").unwrap());
    for i in 0..4 {
      tracing::debug!("n {i}");
    }
    assert_eq!(sink.dropped.load(Ordering::Relaxed), 2);
    rx.try_recv().unwrap();
    rx.try_recv().unwrap();
    tracing::error!("after overflow");
    assert_eq!(rx.try_recv().unwrap().dropped_before, 2);
    drop(rx);
    tracing::error!("receiver gone");
    assert!(SINKS.lock().unwrap().iter().all(|s| s.id != sink.id));
    assert_eq!(MAX_LEVEL.load(Ordering::Relaxed), OFF);
    assert_eq!(level_name(2), "warn");
  }
}
