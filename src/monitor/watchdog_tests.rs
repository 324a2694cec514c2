use super::*;
use crate::monitor::sleeper::PlainSleeper;
use std::sync::mpsc;

/// Polls `check` every millisecond until it holds (at most 10 s, far beyond any wait a test expects).
fn until(check: impl Fn() -> bool) {
  let t = Instant::now();
  while !check() && t.elapsed() < Duration::from_secs(10) {
    thread::sleep(Duration::from_millis(1));
  }
  assert!(check(), "condition not met in 10 s");
}

#[test]
fn notices_a_stall_while_it_lasts_and_measures_it_at_the_next_sign_of_life() {
  let (tx, rx) = mpsc::channel();
  let tx = Mutex::new(tx);
  let pings = Arc::new(AtomicU64::new(0));
  let counted = pings.clone();
  // A 200 ms threshold: no stall of this thread between start and the first sign of life reaches it.
  let started = Instant::now();
  let mut dog = Watchdog::start(
    200.0,
    move |ms| {
      let _ = tx.lock().unwrap().send(ms);
    },
    move || {
      counted.fetch_add(1, Ordering::Relaxed);
    },
    Box::new(PlainSleeper::default()),
  )
  .unwrap();
  let shared = dog.shared().clone();
  assert_eq!(shared.alive(), None); // a short gap is no stall
  let noticed = rx.recv_timeout(Duration::from_secs(10)).unwrap(); // the pings go unanswered
  assert!(noticed >= 200.0);
  assert!(pings.load(Ordering::Relaxed) >= 1, "pinged before noticing");
  thread::sleep(Duration::from_millis(20));
  let stall = shared.alive().unwrap();
  // Since the first sign of life (start): at least the threshold and the 20 ms slept, at most all of it.
  let all = started.elapsed().as_secs_f64() * 1000.0;
  assert!(stall.duration_ms >= 220.0 && stall.duration_ms <= all + 1.0, "{stall:?} after {all} ms");
  assert_eq!(shared.stalls().count(), 1);
  assert_eq!(shared.notices(), 1);
  dog.stop();
  assert!(shared.is_stopped());
}

// A late watchdog thread is not a stall (a stall needs a ping unanswered for half the threshold),
// so these two hold however a loaded machine schedules the thread; they wait for enough pings,
// not a fixed time.
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
    Box::new(PlainSleeper::default()),
  )
  .unwrap();
  *cell.lock().unwrap() = Some(dog.shared().clone());
  thread::sleep(Duration::from_millis(60));
  until(|| dog.shared().activity().pings >= 5);
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
    Box::new(PlainSleeper::default()),
  )
  .unwrap();
  *cell.lock().unwrap() = Some(dog.shared().clone());
  let (pings0, wakes0) = (pings.load(Ordering::Relaxed), dog.shared().activity().wakes);
  thread::sleep(Duration::from_millis(400));
  // One ping per half threshold (20 ms): ~20 in 400 ms; a loaded machine runs the thread late (fewer).
  until(|| pings.load(Ordering::Relaxed) - pings0 >= 20);
  let wakes = dog.shared().activity().wakes - wakes0;
  let pings = pings.load(Ordering::Relaxed) - pings0;
  // Two per ping without the early rule; a loaded machine that preempts the thread between its
  // clock read and the answer adds a few.
  assert!(wakes * 2 <= pings * 3, "{wakes} wakes for {pings} pings");
  assert_eq!(dog.shared().notices(), 0);
}

/// A loop the test drives: waiting for events (idle time grows) or running.
#[derive(Default)]
struct FakeLoop {
  state: Mutex<FakeState>,
  cv: std::sync::Condvar,
}

#[derive(Default)]
struct FakeState {
  idle: Duration,
  waiting_since: Option<Instant>,
  /// An event the loop got, not yet seen by a parked sleep.
  event: bool,
  woken: bool,
  wakes_sent: u32,
}

impl FakeLoop {
  fn wait(&self) {
    self.state.lock().unwrap().waiting_since = Some(Instant::now());
  }

  /// Leaves the wait, for an event (an I/O callback) or by timeout (a timer).
  fn leave(&self, event: bool) {
    let mut s = self.state.lock().unwrap();
    if let Some(since) = s.waiting_since.take() {
      s.idle += since.elapsed();
    }
    s.event |= event;
    self.cv.notify_all();
  }

  fn wakes_sent(&self) -> u32 {
    self.state.lock().unwrap().wakes_sent
  }
}

struct FakeSleeper(Arc<FakeLoop>);

impl Sleeper for FakeSleeper {
  fn sleep(&self, timeout: Duration, until_loop_wakes: bool) {
    let s = self.0.state.lock().unwrap();
    let (mut s, _) = self.0.cv.wait_timeout_while(s, timeout, |s| !(s.woken || until_loop_wakes && s.event)).unwrap();
    s.woken = false;
    if until_loop_wakes {
      s.event = false;
    }
  }

  fn wake(&self) {
    let mut s = self.0.state.lock().unwrap();
    s.woken = true;
    s.wakes_sent += 1;
    self.0.cv.notify_all();
  }

  fn loop_idle_ns(&self) -> Option<u64> {
    let s = self.0.state.lock().unwrap();
    Some((s.idle + s.waiting_since.map_or(Duration::ZERO, |t| t.elapsed())).as_nanos() as u64)
  }
}

fn watched_loop(threshold_ms: f64) -> (Watchdog, Arc<FakeLoop>, Arc<AtomicU64>) {
  let fake = Arc::new(FakeLoop::default());
  let pings = Arc::new(AtomicU64::new(0));
  let counted = pings.clone();
  let dog = Watchdog::start(
    threshold_ms,
    |_| {},
    move || {
      counted.fetch_add(1, Ordering::Relaxed);
    },
    Box::new(FakeSleeper(fake.clone())),
  )
  .unwrap();
  (dog, fake, pings)
}

/// Waits (up to 10 s) for the watchdog to park.
fn until_parked(dog: &Watchdog, parks: u64) {
  let t = Instant::now();
  while dog.shared().activity().parks < parks && t.elapsed() < Duration::from_secs(10) {
    thread::sleep(Duration::from_millis(1));
  }
  assert!(dog.shared().activity().parks >= parks, "parked {:?}", dog.shared().activity());
}

#[test]
fn a_loop_waiting_for_events_costs_no_ping_and_almost_no_wakes() {
  let (dog, fake, pings) = watched_loop(40.0);
  let t = Instant::now();
  fake.wait();
  thread::sleep(Duration::from_millis(500));
  until_parked(&dog, 1);
  let a = dog.shared().activity();
  let secs = t.elapsed().as_secs_f64();
  assert_eq!(pings.load(Ordering::Relaxed), 0);
  assert_eq!(a.pings, 0);
  // One look at half the threshold, then parks bounded by PARK_MAX (1 s): 2 or 3 wakes in the
  // 500 ms (25 looks with pings), one more per second a loaded machine made this take.
  assert!(a.wakes as f64 <= 3.0 + secs.floor() && a.parks >= 1, "{a:?} in {secs} s");
  assert_eq!(dog.shared().stalls().count(), 0);
}

#[test]
fn a_stall_in_a_callback_entered_from_the_wait_is_noticed_and_measured_from_when_the_wait_ended() {
  let (dog, fake, pings) = watched_loop(40.0);
  fake.wait();
  until_parked(&dog, 1);
  thread::sleep(Duration::from_millis(150)); // idle: not part of the stall
  fake.leave(true);
  let left = Instant::now();
  // The callback runs 150 ms without a sign of life, and on until the watchdog noticed it
  // (a loaded machine may run the woken watchdog late).
  thread::sleep(Duration::from_millis(150));
  until(|| dog.shared().notices() >= 1);
  let before = left.elapsed().as_secs_f64() * 1000.0;
  let stall = dog.shared().alive().expect("a stall");
  let after = left.elapsed().as_secs_f64() * 1000.0;
  // From when the wait ended: what ran since, read just before and just after the sign of life
  // (less a little: the watchdog dates the wait's end from the loop's idle time, read a moment apart).
  assert!(
    stall.duration_ms >= before - 20.0 && stall.duration_ms <= after + 1.0,
    "{stall:?} after {before}-{after} ms"
  );
  assert!(pings.load(Ordering::Relaxed) >= 1);
  assert_eq!(dog.shared().notices(), 1, "noticed while it lasted");
}

#[test]
fn a_loop_leaving_its_wait_by_timeout_wakes_the_parked_watchdog_at_its_first_sign_of_life() {
  let (dog, fake, pings) = watched_loop(40.0);
  fake.wait();
  until_parked(&dog, 1);
  fake.leave(false); // a timer is due: no event, the check hook runs first
  assert_eq!(dog.shared().alive(), None);
  assert_eq!(fake.wakes_sent(), 1, "the hook woke the parked watchdog");
  let started = Instant::now();
  // The timer callback stalls 150 ms, and on until the woken watchdog noticed it. A watchdog still
  // parked (PARK_MAX, 1 s) would not have pinged: no stall could be measured, nor noticed.
  thread::sleep(Duration::from_millis(150));
  until(|| dog.shared().notices() >= 1);
  let stall = dog.shared().alive().expect("a stall");
  assert!(
    stall.duration_ms >= 150.0 && stall.duration_ms <= started.elapsed().as_secs_f64() * 1000.0 + 1.0,
    "{stall:?}"
  );
  assert!(pings.load(Ordering::Relaxed) >= 1);
  assert_eq!(dog.shared().notices(), 1);
}

#[test]
fn a_long_stall_costs_one_look_per_half_threshold() {
  let t = Instant::now();
  let dog = Watchdog::start(20.0, |_| {}, || {}, Box::new(PlainSleeper::default())).unwrap();
  thread::sleep(Duration::from_millis(300)); // no sign of life at all
  until(|| dog.shared().notices() >= 1);
  let a = dog.shared().activity();
  let ms = t.elapsed().as_secs_f64() * 1000.0;
  // Every 10 ms (~30 in 300 ms), not every millisecond once past the threshold (~280 before); a
  // loaded machine runs the thread late, so fewer, and a longer wait here allows as many more.
  let most = (ms / 10.0 * 1.5) as u64;
  assert!(a.wakes <= most && a.pings <= most, "{a:?} in {ms} ms");
  assert_eq!(dog.shared().notices(), 1);
}
