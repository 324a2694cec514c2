//! JS-thread stall detection. The JS thread shows signs of life (libuv
//! prepare/check hooks on every loop turn, and answers to pings); a native
//! thread pings it (`uv_async_send`) once no sign has come for half the
//! threshold, and notices, *while it lasts*, that none has come for the whole
//! threshold. The next sign of life ends the stall and measures it: the gap
//! since the previous sign (exact for stalls in timer, check and close
//! callbacks, which the hooks bracket; within half the threshold elsewhere,
//! e.g. I/O callbacks or Electron tasks run outside libuv). An idle loop
//! answers one ping per half threshold. Monotonic time does not advance
//! during system suspend, so a suspend never reads as a stall.
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
  /// ns since `epoch` of the last sign of life from the JS thread.
  last_alive: AtomicU64,
  /// The `last_alive` value already reported as a stall in progress.
  noticed: AtomicU64,
  /// ns since `epoch` + 1 of the oldest unanswered ping; 0 when none.
  ping_sent: AtomicU64,
  stop: AtomicBool,
  stalls: Mutex<LogHistogram>,
  in_progress_notices: AtomicU64,
  /// Times the watchdog thread woke up.
  wakes: AtomicU64,
}

impl Shared {
  fn now_ns(&self) -> u64 {
    self.epoch.elapsed().as_nanos() as u64
  }

  /// A sign of life on the JS thread; returns the stall it ends, if the gap
  /// since the previous sign reached the threshold.
  pub fn alive(&self) -> Option<Stall> {
    let now = self.now_ns();
    let previous = self.last_alive.swap(now, Ordering::AcqRel);
    let sent = self.ping_sent.swap(0, Ordering::AcqRel);
    let gap_ns = now.saturating_sub(previous);
    // A long gap is a stall only if a ping went unanswered for half the
    // threshold: a late watchdog thread (a loaded machine) is not one.
    let unanswered_ns = if sent == 0 { 0 } else { now.saturating_sub(sent - 1) };
    if gap_ns < self.threshold_ns || unanswered_ns < self.threshold_ns / 2 || self.stop.load(Ordering::Relaxed) {
      return None;
    }
    let duration_ms = gap_ns as f64 / 1e6;
    if let Ok(mut h) = self.stalls.lock() {
      h.record(duration_ms);
    }
    let wall = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    Some(Stall { duration_ms, started_at: wall - duration_ms })
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

  /// Times the watchdog thread woke up (an idle loop costs one per ping).
  pub fn wakes(&self) -> u64 {
    self.wakes.load(Ordering::Relaxed)
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
  /// `on_notice(ms so far)` runs on the watchdog thread when a stall passes
  /// the threshold; `ping()` asks the JS thread for a sign of life.
  pub fn start(
    threshold_ms: f64,
    on_notice: impl Fn(f64) + Send + 'static,
    ping: impl Fn() + Send + 'static,
  ) -> std::io::Result<Self> {
    let shared = Arc::new(Shared {
      epoch: Instant::now(),
      threshold_ns: (threshold_ms.max(1.0) * 1e6) as u64,
      last_alive: AtomicU64::new(0),
      noticed: AtomicU64::new(u64::MAX),
      ping_sent: AtomicU64::new(0),
      stop: AtomicBool::new(false),
      stalls: Mutex::new(LogHistogram::new(&STALL_BOUNDS)),
      in_progress_notices: AtomicU64::new(0),
      wakes: AtomicU64::new(0),
    });
    shared.last_alive.store(shared.now_ns(), Ordering::Release);
    let s = shared.clone();
    let thread = thread::Builder::new().name("ipcflow-watch".into()).spawn(move || watch(&s, on_notice, ping))?;
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

fn watch(shared: &Shared, on_notice: impl Fn(f64), ping: impl Fn()) {
  let threshold = shared.threshold_ns;
  let ping_after = (threshold / 2).max(1_000_000);
  // An idle loop answers a ping just after the wake that sent it, so the next
  // wake finds it quiet for a little less than `ping_after`. Pinging then
  // anyway, rather than sleeping again for the difference, makes one wake per
  // ping instead of two.
  let early = ping_after / 8;
  while !shared.stop.load(Ordering::Acquire) {
    shared.wakes.fetch_add(1, Ordering::Relaxed);
    let last = shared.last_alive.load(Ordering::Acquire);
    let now = shared.now_ns();
    let age = now.saturating_sub(last);
    let sent = shared.ping_sent.load(Ordering::Acquire);
    let unanswered = sent != 0 && now.saturating_sub(sent - 1) >= threshold / 2;
    if age >= threshold && unanswered && shared.noticed.swap(last, Ordering::AcqRel) != last {
      shared.in_progress_notices.fetch_add(1, Ordering::Relaxed);
      on_notice(age as f64 / 1e6);
    }
    let wait = if age + early >= ping_after {
      let _ = shared.ping_sent.compare_exchange(0, now + 1, Ordering::AcqRel, Ordering::Acquire);
      ping();
      ping_after.min(threshold.saturating_sub(age).max(1_000_000))
    } else {
      ping_after - age
    };
    thread::park_timeout(Duration::from_nanos(wait.max(1_000_000)));
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::mpsc;

  #[test]
  fn notices_a_stall_while_it_lasts_and_measures_it_at_the_next_sign_of_life() {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let pings = Arc::new(AtomicU64::new(0));
    let counted = pings.clone();
    let mut dog = Watchdog::start(
      20.0,
      move |ms| {
        let _ = tx.lock().unwrap().send(ms);
      },
      move || {
        counted.fetch_add(1, Ordering::Relaxed);
      },
    )
    .unwrap();
    let shared = dog.shared().clone();
    assert_eq!(shared.alive(), None); // a short gap is no stall
    let noticed = rx.recv_timeout(Duration::from_secs(2)).unwrap(); // the pings go unanswered
    assert!(noticed >= 20.0);
    assert!(pings.load(Ordering::Relaxed) >= 1, "pinged before noticing");
    thread::sleep(Duration::from_millis(20));
    let stall = shared.alive().unwrap();
    assert!(stall.duration_ms >= 40.0 && stall.duration_ms < 2000.0, "{stall:?}");
    assert_eq!(shared.stalls().count(), 1);
    assert_eq!(shared.notices(), 1);
    dog.stop();
    assert!(shared.is_stopped());
  }

  #[test]
  fn a_live_thread_answering_pings_never_stalls() {
    let cell: Arc<Mutex<Option<Arc<Shared>>>> = Arc::new(Mutex::new(None));
    let answer = cell.clone();
    let dog = Watchdog::start(
      10.0,
      |_| {},
      move || {
        if let Some(s) = answer.lock().unwrap().as_ref() {
          assert_eq!(s.alive(), None);
        }
      },
    )
    .unwrap();
    *cell.lock().unwrap() = Some(dog.shared().clone());
    thread::sleep(Duration::from_millis(60));
    assert_eq!(dog.shared().notices(), 0);
    assert_eq!(dog.shared().stalls().count(), 0);
  }

  #[test]
  fn an_idle_loop_costs_one_watchdog_wake_per_ping() {
    let cell: Arc<Mutex<Option<Arc<Shared>>>> = Arc::new(Mutex::new(None));
    let answer = cell.clone();
    let pings = Arc::new(AtomicU64::new(0));
    let counted = pings.clone();
    // Pings are answered at once, a moment after they are sent, as an idle event loop would.
    // (Answered from the ping itself: a thread spawned to answer runs late on a loaded machine.)
    let dog = Watchdog::start(
      40.0,
      |_| {},
      move || {
        counted.fetch_add(1, Ordering::Relaxed);
        if let Some(s) = answer.lock().unwrap().as_ref() {
          s.alive();
        }
      },
    )
    .unwrap();
    *cell.lock().unwrap() = Some(dog.shared().clone());
    let (pings0, wakes0) = (pings.load(Ordering::Relaxed), dog.shared().wakes());
    thread::sleep(Duration::from_millis(400));
    let pings = pings.load(Ordering::Relaxed) - pings0;
    let wakes = dog.shared().wakes() - wakes0;
    // One ping per half threshold (20 ms): ~20 in 400 ms, however late this machine runs.
    assert!(pings >= 8, "{pings} pings");
    // Two per ping without the early rule; a loaded machine that preempts the thread between its
    // clock read and the answer adds a few.
    assert!(wakes * 2 <= pings * 3, "{wakes} wakes for {pings} pings");
    assert_eq!(dog.shared().notices(), 0);
  }
}
