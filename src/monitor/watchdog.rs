//! JS-thread stall detection. The JS thread marks each event-loop turn (busy
//! from leaving the poll phase, idle on entering it); a native thread wakes at
//! most once per threshold while idle and notices a turn that has lasted
//! longer than the threshold *while it lasts*. The turn's end measures it
//! exactly. Idle time in poll is never a stall, so an idle app costs nothing
//! on its JS thread. Monotonic time does not advance during system suspend,
//! so a suspend never reads as a stall.
use super::histogram::LogHistogram;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Stall durations (ms) as Prometheus buckets.
pub const STALL_BOUNDS: [f64; 8] = [50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0];

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stall {
  pub duration_ms: f64,
  /// Wall-clock ms since the Unix epoch.
  pub started_at: f64,
}

pub struct Shared {
  epoch: Instant,
  threshold_ns: u64,
  /// ns since `epoch` + 1 at which the current turn began; 0 while idle in poll.
  busy_since: AtomicU64,
  /// The `busy_since` value already reported as in progress.
  noticed: AtomicU64,
  stop: AtomicBool,
  stalls: Mutex<LogHistogram>,
  in_progress_notices: AtomicU64,
}

impl Shared {
  fn now_ns(&self) -> u64 {
    self.epoch.elapsed().as_nanos() as u64
  }

  /// The JS thread leaves poll: a turn (callbacks, microtasks) begins.
  pub fn turn_started(&self) {
    self.busy_since.store(self.now_ns() + 1, Ordering::Release);
  }

  /// The JS thread enters poll: the turn ended. A stall when it lasted at least the threshold.
  pub fn turn_ended(&self) -> Option<Stall> {
    let since = self.busy_since.swap(0, Ordering::AcqRel);
    if since == 0 || self.stop.load(Ordering::Relaxed) {
      return None;
    }
    let duration_ns = self.now_ns().saturating_sub(since - 1);
    if duration_ns < self.threshold_ns {
      return None;
    }
    let duration_ms = duration_ns as f64 / 1e6;
    if let Ok(mut h) = self.stalls.lock() {
      h.record(duration_ms);
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    Some(Stall { duration_ms, started_at: now - duration_ms })
  }

  pub fn stalls(&self) -> LogHistogram {
    self.stalls.lock().map(|h| h.clone()).unwrap_or_else(|_| LogHistogram::new(&STALL_BOUNDS))
  }

  pub fn reset(&self) {
    if let Ok(mut h) = self.stalls.lock() {
      h.reset();
    }
    self.in_progress_notices.store(0, Ordering::Relaxed);
  }

  /// Stalls noticed by the native thread while they were happening.
  pub fn notices(&self) -> u64 {
    self.in_progress_notices.load(Ordering::Relaxed)
  }

  pub fn is_stopped(&self) -> bool {
    self.stop.load(Ordering::Relaxed)
  }
}

/// Owns the watchdog thread; dropping it stops the thread.
pub struct Watchdog {
  shared: Arc<Shared>,
  thread: Option<JoinHandle<()>>,
}

impl Watchdog {
  /// `on_notice(ms so far)` runs on the watchdog thread when a turn passes the threshold.
  pub fn start(threshold_ms: f64, on_notice: impl Fn(f64) + Send + 'static) -> std::io::Result<Self> {
    let shared = Arc::new(Shared {
      epoch: Instant::now(),
      threshold_ns: (threshold_ms.max(1.0) * 1e6) as u64,
      busy_since: AtomicU64::new(0),
      noticed: AtomicU64::new(0),
      stop: AtomicBool::new(false),
      stalls: Mutex::new(LogHistogram::new(&STALL_BOUNDS)),
      in_progress_notices: AtomicU64::new(0),
    });
    let s = shared.clone();
    let thread = thread::Builder::new().name("ipcflow-watch".into()).spawn(move || watch(&s, on_notice))?;
    Ok(Self { shared, thread: Some(thread) })
  }

  pub fn shared(&self) -> &Arc<Shared> {
    &self.shared
  }

  /// Stops the thread without waiting for it (it exits at its next wake-up, now).
  pub fn stop(&mut self) {
    self.shared.stop.store(true, Ordering::Release);
    if let Some(t) = self.thread.take() {
      t.thread().unpark();
    }
  }
}

impl Drop for Watchdog {
  fn drop(&mut self) {
    self.stop();
  }
}

fn watch(shared: &Shared, on_notice: impl Fn(f64)) {
  let threshold = shared.threshold_ns;
  while !shared.stop.load(Ordering::Acquire) {
    let since = shared.busy_since.load(Ordering::Acquire);
    let wait = if since == 0 {
      threshold
    } else {
      let age = shared.now_ns().saturating_sub(since - 1);
      if age >= threshold {
        if shared.noticed.swap(since, Ordering::AcqRel) != since {
          shared.in_progress_notices.fetch_add(1, Ordering::Relaxed);
          on_notice(age as f64 / 1e6);
        }
        threshold
      } else {
        threshold - age
      }
    };
    thread::park_timeout(Duration::from_nanos(wait.max(1_000_000)));
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::mpsc;

  #[test]
  fn notices_a_long_turn_while_it_lasts_and_measures_it_at_its_end() {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let mut dog = Watchdog::start(20.0, move |ms| {
      let _ = tx.lock().unwrap().send(ms);
    })
    .unwrap();
    let shared = dog.shared().clone();
    shared.turn_started();
    assert_eq!(shared.turn_ended(), None); // a short turn is no stall
    shared.turn_started();
    let noticed = rx.recv_timeout(Duration::from_secs(2)).unwrap();
    assert!(noticed >= 20.0);
    thread::sleep(Duration::from_millis(40));
    let stall = shared.turn_ended().unwrap();
    assert!(stall.duration_ms >= 40.0 && stall.duration_ms < 2000.0, "{stall:?}");
    assert_eq!(shared.stalls().count(), 1);
    assert_eq!(shared.notices(), 1);
    dog.stop();
    assert!(shared.is_stopped());
  }

  #[test]
  fn idle_time_is_never_a_stall() {
    let dog = Watchdog::start(10.0, |_| {}).unwrap();
    thread::sleep(Duration::from_millis(50));
    assert_eq!(dog.shared().turn_ended(), None);
    assert_eq!(dog.shared().notices(), 0);
  }
}
