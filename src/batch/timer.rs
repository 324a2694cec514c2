//! The batching clock: one tokio task per BatchManager sleeps until the
//! earliest batch deadline and hands the due `(slot, generation)` pairs to a
//! callback (in the addon: a weak ThreadsafeFunction into JS).
//!
//! Deadlines live in memory the task shares with its owner ([`SharedSlots`]):
//! arming a batch and forgetting one are stores, and the owner calls
//! [`BatchTimer::wake`] only for a deadline earlier than the task's published
//! plan (the first addon call after the JS thread slept costs ~20 us;
//! bench/RESULTS.md). After a batch fires, the task lingers one `linger`
//! period before sleeping until woken, so the next batch of a steady stream
//! arms without a call.
use super::slots::{earliest, scan, Clock, SharedSlots};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::runtime::Handle;
use tokio::sync::Notify;

/// tokio's timer wheel rounds a sleep up to the next millisecond, so the task
/// aims one millisecond early and takes every batch due within that slack:
/// a batch then leaves within [deadline - SLACK_MS, deadline], never after.
pub const SLACK_MS: u64 = 1;
const SLACK: Duration = Duration::from_millis(SLACK_MS);

#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
  Delivered,
  /// The receiver is gone (JS environment tearing down): stop the task.
  Stop,
}

struct State {
  slots: Option<SharedSlots>,
  /// Per slot, the generation last delivered (each batch fires once).
  fired: Vec<u32>,
}

struct Shared {
  epoch: Instant,
  state: Mutex<State>,
  notify: Notify,
  closed: AtomicBool,
}

impl Shared {
  fn lock(&self) -> MutexGuard<'_, State> {
    // A panic elsewhere must not turn into a second one here.
    self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
  }
}

pub struct BatchTimer {
  shared: Arc<Shared>,
}

impl BatchTimer {
  /// `on_due` receives a flat `[slot, generation, slot, generation, ...]`.
  pub fn start<F>(runtime: &Handle, linger: Duration, on_due: F) -> Self
  where
    F: FnMut(Vec<u32>) -> Delivery + Send + 'static,
  {
    let shared = Arc::new(Shared {
      epoch: Instant::now(),
      state: Mutex::new(State { slots: None, fired: Vec::new() }),
      notify: Notify::new(),
      closed: AtomicBool::new(false),
    });
    runtime.spawn(run(shared.clone(), linger, on_due));
    Self { shared }
  }

  /// What the shared deadlines count their milliseconds from.
  pub fn epoch(&self) -> Instant {
    self.shared.epoch
  }

  /// Reads deadlines from `slots` from now on (`None`: none); the memory shared
  /// before is no longer read once this returns. The task scans them at once.
  pub fn share(&self, slots: Option<SharedSlots>) {
    self.shared.lock().slots = slots;
    self.shared.notify.notify_one();
  }

  /// Makes the task scan the deadlines now (one was armed earlier than its plan).
  pub fn wake(&self) {
    self.shared.notify.notify_one();
  }

  /// Stops the task; the shared memory is no longer read once this returns.
  pub fn close(&self) {
    let first = !self.shared.closed.swap(true, Ordering::AcqRel);
    self.shared.lock().slots = None;
    if first {
      self.shared.notify.notify_one();
    }
  }

  pub fn is_closed(&self) -> bool {
    self.shared.closed.load(Ordering::Acquire)
  }
}

impl Drop for BatchTimer {
  fn drop(&mut self) {
    self.close();
  }
}

/// One look at the deadlines: what is due, and when to look again (`None`: when woken).
struct Look {
  due: Vec<u32>,
  wake_at: Option<Instant>,
  /// A deadline earlier than the plan just published came in while looking: look again now.
  again: bool,
}

fn look(shared: &Shared, lingered: &mut bool, linger: Duration) -> Look {
  let mut state = shared.lock();
  let State { slots, fired } = &mut *state;
  let Some(slots) = slots.as_ref() else {
    return Look { due: Vec::new(), wake_at: None, again: false };
  };
  slots.busy();
  let now = Instant::now();
  let clock = Clock { epoch: shared.epoch, now };
  let (due, next) = scan(slots, fired, clock, now + SLACK);
  let wake_at = match next {
    Some(deadline) => {
      *lingered = false;
      Some(deadline)
    }
    None if !due.is_empty() || !*lingered => {
      *lingered = true;
      Some(now + linger)
    }
    None => None,
  };
  slots.publish(shared.epoch, wake_at);
  // The handshake (slots.rs): an arm that raced with this look either saw the
  // plan just published, and woke the task if it came first, or is seen here.
  let again = earliest(slots, fired, clock).is_some_and(|deadline| wake_at.is_none_or(|at| deadline < at));
  let due = due.iter().flat_map(|&(slot, generation)| [slot, generation]).collect();
  Look { due, wake_at, again }
}

async fn run<F>(shared: Arc<Shared>, linger: Duration, mut on_due: F)
where
  F: FnMut(Vec<u32>) -> Delivery,
{
  let mut lingered = false;
  loop {
    if shared.closed.load(Ordering::Acquire) {
      return;
    }
    let Look { due, wake_at, again } = look(&shared, &mut lingered, linger);
    if !due.is_empty() && on_due(due) == Delivery::Stop {
      shared.closed.store(true, Ordering::Release);
      return;
    }
    if again {
      continue;
    }
    match wake_at {
      Some(at) => {
        tokio::select! {
          _ = tokio::time::sleep_until(at.checked_sub(SLACK).unwrap_or(at).into()) => {}
          _ = shared.notify.notified() => {}
        }
      }
      None => shared.notify.notified().await,
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::batch::slots::HEADER_LEN;
  use std::sync::atomic::{AtomicI32, AtomicU32, AtomicU64};
  use std::sync::mpsc;

  fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap()
  }

  type Fires = mpsc::Receiver<(Vec<u32>, Instant)>;

  fn start_on_thread(linger: Duration) -> (BatchTimer, Fires) {
    let (tx, rx) = mpsc::channel();
    let handle = crate::runtime::handle().expect("runtime");
    let timer = BatchTimer::start(&handle, linger, move |due| {
      if tx.send((due, Instant::now())).is_ok() {
        Delivery::Delivered
      } else {
        Delivery::Stop
      }
    });
    (timer, rx)
  }

  /// The owner's side of the protocol, as lib/timers/clock.js runs it.
  struct Owner {
    header: Vec<AtomicI32>,
    generations: Vec<AtomicU32>,
    dues: Vec<AtomicU64>,
    epoch: Instant,
  }

  impl Owner {
    fn share(timer: &BatchTimer, len: usize) -> Owner {
      let owner = Owner {
        header: (0..HEADER_LEN).map(|i| AtomicI32::new(i32::from(i == 1))).collect(), // awake: no plan yet
        generations: (0..len).map(|_| AtomicU32::new(0)).collect(),
        dues: (0..len).map(|_| AtomicU64::new(0)).collect(),
        epoch: timer.epoch(),
      };
      // SAFETY: each test closes the timer before its owner drops.
      let slots = unsafe {
        SharedSlots::new(
          owner.header.as_ptr() as *mut i32,
          owner.generations.as_ptr() as *mut u32,
          owner.dues.as_ptr() as *mut f64,
          len,
        )
      };
      timer.share(slots);
      owner
    }

    /// Arms `slot`; true when it had to wake the task.
    fn arm(&self, timer: &BatchTimer, slot: usize, generation: u32, delay: Duration) -> bool {
      self.arm_at(timer, slot, generation, Instant::now() + delay)
    }

    fn arm_at(&self, timer: &BatchTimer, slot: usize, generation: u32, deadline: Instant) -> bool {
      let due = (deadline - self.epoch).as_secs_f64() * 1000.0;
      self.dues[slot].store(due.to_bits(), Ordering::Relaxed);
      self.generations[slot].store(generation, Ordering::SeqCst);
      let awake = self.header[1].load(Ordering::SeqCst) != 0;
      let plan = self.header[0].load(Ordering::SeqCst);
      let wake = awake || (due.floor() as i64 as i32).wrapping_sub(plan) < 0;
      if wake {
        timer.wake();
      }
      wake
    }

    /// Waits until the task has published a plan (it sleeps until then rather than until woken).
    fn wait_for_plan(&self) {
      let until = Instant::now() + Duration::from_secs(2);
      while self.header[1].load(Ordering::SeqCst) != 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_micros(200));
      }
    }

    fn forget(&self, slot: usize) {
      self.generations[slot].store(0, Ordering::SeqCst);
    }
  }

  /// Every `(slot, generation)` delivered until the timer has been quiet for `quiet`.
  fn fired(rx: &Fires, quiet: Duration) -> Vec<(u32, u32)> {
    let mut all = Vec::new();
    while let Ok((due, _)) = rx.recv_timeout(quiet) {
      all.extend(due.chunks(2).map(|p| (p[0], p[1])));
    }
    all.sort();
    all
  }

  #[test]
  fn fires_once_at_the_deadline() {
    let (timer, rx) = start_on_thread(Duration::from_millis(16));
    let owner = Owner::share(&timer, 8);
    let t0 = Instant::now();
    owner.arm(&timer, 4, 1, Duration::from_millis(20));
    let (due, at) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(due, vec![4, 1]);
    let waited = at - t0;
    assert!(waited >= Duration::from_millis(18), "fired early: {waited:?}");
    // Late only as far as a loaded machine runs the task late: a task that slept past the deadline
    // (until woken, or its linger) would not fire it before the receive above gave up.
    assert!(waited < Duration::from_secs(10), "fired late: {waited:?}");
    assert!(rx.recv_timeout(Duration::from_millis(60)).is_err(), "fired twice");
    timer.close();
  }

  #[test]
  fn a_forgotten_batch_never_fires_and_an_earlier_deadline_wakes_the_task() {
    let (timer, rx) = start_on_thread(Duration::from_millis(5));
    let owner = Owner::share(&timer, 4);
    // The forgotten deadline 2 s away: the live one (10 ms) must fire long before it, however late
    // a loaded machine runs the task, and the wait past it shows it never fires.
    let armed = Instant::now();
    owner.arm(&timer, 0, 1, Duration::from_millis(2000));
    owner.wait_for_plan(); // the task plans for 2 s
    owner.forget(0); // its frame left early: a store, no call
    assert!(owner.arm(&timer, 1, 7, Duration::from_millis(10)), "earlier than the plan: wakes the task");
    owner.arm(&timer, 2, 3, Duration::from_millis(10));
    owner.forget(1);
    let (due, at) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(due, vec![2, 3]);
    assert!(at - armed < Duration::from_millis(2000), "waited for the forgotten 2 s deadline");
    let past = armed + Duration::from_millis(2100);
    assert!(
      fired(&rx, past.saturating_duration_since(Instant::now()).max(Duration::from_millis(100))).is_empty(),
      "a forgotten batch fired"
    );
    timer.close();
  }

  #[test]
  fn while_the_task_lingers_a_later_deadline_needs_no_call_and_still_fires_on_time() {
    // A 300 ms linger: the arm below comes within it however this thread is scheduled.
    let (timer, rx) = start_on_thread(Duration::from_millis(300));
    let owner = Owner::share(&timer, 2);
    owner.arm(&timer, 0, 1, Duration::from_millis(5));
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)).unwrap().0, vec![0, 1]);
    owner.wait_for_plan(); // its linger
    let t0 = Instant::now();
    assert!(!owner.arm(&timer, 0, 2, Duration::from_millis(400)), "a deadline after the plan needs no call");
    // It fires (a task asleep past it without a call would not) and not early.
    let (due, at) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(due, vec![0, 2]);
    assert!(at - t0 >= Duration::from_millis(398), "{:?}", at - t0);
    timer.close();
  }

  #[test]
  fn under_a_storm_of_arms_and_forgets_no_live_batch_is_lost_and_most_arms_make_no_call() {
    let (timer, rx) = start_on_thread(Duration::from_millis(8));
    let owner = Owner::share(&timer, 8);
    let mut seed = 0x2545_f491_u32;
    let mut random = move |n: u32| {
      seed ^= seed << 13;
      seed ^= seed >> 17;
      seed ^= seed << 5;
      seed % n
    };
    let mut got = std::collections::HashMap::new(); // (slot, generation) -> when it fired
    let receive = |got: &mut std::collections::HashMap<(u32, u32), Instant>, wait: Duration| {
      while let Ok((due, at)) = rx.recv_timeout(wait) {
        for pair in due.chunks(2) {
          assert!(got.insert((pair[0], pair[1]), at).is_none(), "fired twice: {pair:?}");
        }
      }
    };
    let mut expected = Vec::new(); // (slot, generation, deadline) of batches never forgotten
    let mut live: [Option<(u32, Instant)>; 8] = [None; 8];
    let (mut calls, mut arms, mut generation) = (0, 0, 0);
    for _ in 0..600 {
      receive(&mut got, Duration::ZERO);
      let slot = random(8) as usize;
      // A slot holds one batch: the next is armed once it fired, or after it was forgotten
      // well before its deadline (a frame that left early). A later forget would race its fire.
      if let Some((g, deadline)) = live[slot] {
        if got.contains_key(&(slot as u32, g)) {
          expected.push((slot as u32, g, deadline));
        } else if Instant::now() + Duration::from_millis(3) < deadline {
          owner.forget(slot);
        } else {
          continue;
        }
      }
      generation += 1;
      let deadline = Instant::now() + Duration::from_millis(2 + u64::from(random(12)));
      arms += 1;
      calls += i32::from(owner.arm_at(&timer, slot, generation, deadline));
      live[slot] = Some((generation, deadline));
      std::thread::sleep(Duration::from_micros(u64::from(500 + random(1500))));
    }
    expected.extend(live.iter().enumerate().filter_map(|(slot, l)| l.map(|(g, d)| (slot as u32, g, d))));
    // Until every live batch fired (at most 10 s), then a quiet moment for any that should not.
    let until = Instant::now() + Duration::from_secs(10);
    while expected.iter().any(|(slot, g, _)| !got.contains_key(&(*slot, *g))) && Instant::now() < until {
      receive(&mut got, Duration::from_millis(10));
    }
    receive(&mut got, Duration::from_millis(100));
    for (slot, g, deadline) in &expected {
      let at = got.get(&(*slot, *g)).unwrap_or_else(|| panic!("batch {g} of slot {slot} never fired"));
      assert!(*at + Duration::from_millis(2) >= *deadline, "fired early");
    }
    assert_eq!(got.len(), expected.len(), "a forgotten batch fired");
    assert!(calls * 2 < arms, "{calls} calls for {arms} arms");
    timer.close();
  }

  #[test]
  fn stops_when_the_receiver_is_gone_or_closed() {
    let rt = runtime();
    let (tx, rx) = mpsc::channel::<Vec<u32>>();
    let timer = BatchTimer::start(rt.handle(), Duration::from_millis(1), move |d| {
      if tx.send(d).is_ok() {
        Delivery::Delivered
      } else {
        Delivery::Stop
      }
    });
    let owner = Owner::share(&timer, 1);
    drop(rx);
    owner.arm(&timer, 0, 1, Duration::from_millis(1));
    rt.block_on(async { tokio::time::sleep(Duration::from_millis(30)).await });
    assert!(timer.is_closed(), "a Stop from the callback closes the timer");
    let (timer2, rx2) = start_on_thread(Duration::from_millis(1));
    let owner2 = Owner::share(&timer2, 1);
    timer2.close();
    owner2.arm(&timer2, 0, 1, Duration::from_millis(1));
    assert!(rx2.recv_timeout(Duration::from_millis(100)).is_err());
  }
}
