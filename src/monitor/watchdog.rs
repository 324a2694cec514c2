//! JS-thread stall detection. The JS thread shows signs of life (libuv
//! prepare/check hooks on every loop turn, and answers to pings); a native
//! thread looks once no sign has come for half the threshold. A loop blocked
//! waiting for events is alive: where the sleeper can see that (libuv's idle
//! time), the thread sleeps until the loop wakes, and an idle loop costs no
//! wake of either thread. Otherwise it pings (`uv_async_send`) and notices,
//! *while it lasts*, that no sign has come for the whole threshold. The next
//! sign of life ends the stall and measures it: the gap since the loop was
//! last seen alive (exact for stalls in timer, check and close callbacks,
//! which the hooks bracket, and for I/O callbacks entered from an idle wait;
//! within half the threshold elsewhere, e.g. Electron tasks run outside
//! libuv). Monotonic time does not advance during system suspend, so a
//! suspend never reads as a stall.
use super::histogram::LogHistogram;
use super::sleeper::Sleeper;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
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
  /// Times the watchdog thread woke up, pinged, and slept until the loop woke.
  wakes: AtomicU64,
  pings: AtomicU64,
  parks: AtomicU64,
  /// Set while the watchdog sleeps until the loop wakes; the loop's next
  /// sign of life clears it and wakes the watchdog.
  parked: AtomicBool,
  sleeper: Box<dyn Sleeper>,
}

/// What the watchdog itself did.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Activity {
  pub wakes: u64,
  pub pings: u64,
  pub parks: u64,
}

/// A parked watchdog's longest sleep without news from the loop: a bound,
/// not a cadence (the loop's next event or turn wakes it).
const PARK_MAX: Duration = Duration::from_secs(1);

impl Shared {
  fn now_ns(&self) -> u64 {
    self.epoch.elapsed().as_nanos() as u64
  }

  /// A sign of life on the JS thread; returns the stall it ends, if the gap
  /// since the previous sign reached the threshold.
  pub fn alive(&self) -> Option<Stall> {
    let now = self.now_ns();
    let previous = self.last_alive.swap(now, Ordering::AcqRel);
    // SeqCst pairs with `park`: either it sees the loop leave its wait, or this sees `parked`.
    if self.parked.load(Ordering::SeqCst) && self.parked.swap(false, Ordering::SeqCst) {
      self.sleeper.wake();
    }
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

  pub fn activity(&self) -> Activity {
    Activity {
      wakes: self.wakes.load(Ordering::Relaxed),
      pings: self.pings.load(Ordering::Relaxed),
      parks: self.parks.load(Ordering::Relaxed),
    }
  }

  /// The loop's idle time, if the loop is blocked waiting for events right
  /// now: libuv adds the time since it began waiting to each read, so two
  /// reads differ only then.
  fn loop_waiting(&self) -> Option<u64> {
    let first = self.sleeper.loop_idle_ns()?;
    let second = self.sleeper.loop_idle_ns()?;
    (second > first).then_some(second)
  }

  /// If the loop is blocked waiting for events, it is alive and needs no
  /// ping: sleeps until it wakes, then records when it left its wait.
  fn park(&self) -> bool {
    if self.loop_waiting().is_none() {
      return false;
    }
    self.parked.store(true, Ordering::SeqCst);
    // Checked again after publishing `parked`: a loop that leaves its wait
    // from here on sees `parked` at its next sign of life (its check hook).
    let Some(idle_before) = self.loop_waiting() else {
      self.parked.store(false, Ordering::SeqCst);
      return false;
    };
    let parked_at = self.now_ns();
    self.last_alive.fetch_max(parked_at, Ordering::AcqRel);
    self.parks.fetch_add(1, Ordering::Relaxed);
    self.sleeper.sleep(PARK_MAX, true);
    self.parked.store(false, Ordering::SeqCst);
    let now = self.now_ns();
    // Waiting since `parked_at`, the loop left when its idle time stopped growing.
    let seen = match self.loop_waiting() {
      Some(_) => now,
      None => {
        let idle = self.sleeper.loop_idle_ns().unwrap_or(idle_before);
        parked_at.saturating_add(idle.saturating_sub(idle_before)).min(now)
      }
    };
    self.last_alive.fetch_max(seen, Ordering::AcqRel);
    true
  }

  pub fn is_stopped(&self) -> bool {
    self.stop.load(Ordering::Relaxed)
  }
}

/// Owns the watchdog thread; dropping it stops the thread.
pub struct Watchdog {
  shared: Arc<Shared>,
}

impl Watchdog {
  /// `on_notice(ms so far)` runs on the watchdog thread when a stall passes
  /// the threshold; `ping()` asks the JS thread for a sign of life.
  pub fn start(
    threshold_ms: f64,
    on_notice: impl Fn(f64) + Send + 'static,
    ping: impl Fn() + Send + 'static,
    sleeper: Box<dyn Sleeper>,
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
      pings: AtomicU64::new(0),
      parks: AtomicU64::new(0),
      parked: AtomicBool::new(false),
      sleeper,
    });
    shared.last_alive.store(shared.now_ns(), Ordering::Release);
    let s = shared.clone();
    thread::Builder::new().name("ipcflow-watch".into()).spawn(move || watch(&s, on_notice, ping))?;
    Ok(Self { shared })
  }

  pub fn shared(&self) -> &Arc<Shared> {
    &self.shared
  }

  /// Stops the thread without waiting for it (it exits at its next wake-up, now).
  pub fn stop(&mut self) {
    if !self.shared.stop.swap(true, Ordering::AcqRel) {
      self.shared.sleeper.wake();
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
      if shared.park() {
        continue;
      }
      let _ = shared.ping_sent.compare_exchange(0, now + 1, Ordering::AcqRel, Ordering::Acquire);
      shared.pings.fetch_add(1, Ordering::Relaxed);
      ping();
      // Next look: when the threshold is reached, then every half threshold
      // (a stall already noticed needs no closer watch).
      match threshold.checked_sub(age) {
        Some(left) if left > 0 => ping_after.min(left),
        _ => ping_after,
      }
    } else {
      ping_after - age
    };
    shared.sleeper.sleep(Duration::from_nanos(wait.max(1_000_000)), false);
  }
}

#[cfg(test)]
#[path = "watchdog_tests.rs"]
mod tests;
