//! The batching clock: one tokio task per BatchManager sleeps until the
//! earliest batch deadline and hands the due `(slot, generation)` pairs to a
//! callback (in the addon: a weak ThreadsafeFunction into JS).
//!
//! Cost on the JS thread is a mutex and a heap push per batch that outlives
//! the JS turn that opened it (lib/batch/turn-flush.js). After a batch
//! fires, the task lingers one `linger` period before sleeping indefinitely,
//! so the next batch of a steady stream arms without a cross-thread wake-up.
//!
//! A batch that leaves before its deadline is forgotten without a call: its
//! owner clears the slot's entry in a [`LiveGenerations`] it shares with the
//! task, which skips a due batch whose generation is no longer there (the
//! first call after the JS thread slept costs ~20 us; bench/RESULTS.md).
use super::schedule::DeadlineSchedule;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::runtime::Handle;
use tokio::sync::Notify;

/// tokio's timer wheel rounds a sleep up to the next millisecond, so the task
/// aims one millisecond early and takes every batch due within that slack:
/// a batch then leaves within [deadline - 1 ms, deadline], never after.
const SLACK: Duration = Duration::from_millis(1);

#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
  Delivered,
  /// The receiver is gone (JS environment tearing down): stop the task.
  Stop,
}

/// The pending batch generation of each slot (0: none), in memory the timer's
/// owner writes from its own thread with plain aligned 32-bit stores.
pub struct LiveGenerations {
  first: NonNull<AtomicU32>,
  len: usize,
}

// SAFETY: the memory is only read, through atomics; `new`'s contract keeps it valid while shared.
unsafe impl Send for LiveGenerations {}

impl LiveGenerations {
  /// # Safety
  /// `first` must point to `len` aligned u32s that stay valid until this value
  /// is replaced or cleared by [`BatchTimer::share_live`] or the timer closes.
  /// Other writes to them must be single aligned 32-bit stores.
  pub unsafe fn new(first: *mut u32, len: usize) -> Option<Self> {
    Some(Self { first: NonNull::new(first)?.cast(), len })
  }

  /// The slot's live generation; `None` beyond the shared length (unknown: deliver).
  fn get(&self, slot: u32) -> Option<u32> {
    let index = slot as usize;
    if index >= self.len {
      return None;
    }
    // SAFETY: index < len, and `new`'s contract keeps the memory valid; AtomicU32 has u32's layout.
    Some(unsafe { self.first.add(index).as_ref() }.load(Ordering::Acquire))
  }
}

struct State {
  schedule: DeadlineSchedule,
  /// When the task will look again on its own; `None` = only when notified.
  wake_at: Option<Instant>,
  live: Option<LiveGenerations>,
}

struct Shared {
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
      state: Mutex::new(State { schedule: DeadlineSchedule::new(), wake_at: None, live: None }),
      notify: Notify::new(),
      closed: AtomicBool::new(false),
    });
    runtime.spawn(run(shared.clone(), linger, on_due));
    Self { shared }
  }

  pub fn arm(&self, slot: u32, generation: u32, delay: Duration) {
    let mut state = self.shared.lock();
    let deadline = state.schedule.arm(slot, generation, delay, Instant::now());
    if state.wake_at.is_none_or(|wake| deadline < wake) {
      state.wake_at = Some(deadline);
      drop(state);
      self.shared.notify.notify_one();
    }
  }

  /// From now on a due batch fires only if `live` holds its generation (`None`: always).
  /// The one shared before is no longer read once this returns.
  pub fn share_live(&self, live: Option<LiveGenerations>) {
    self.shared.lock().live = live;
  }

  /// Stops the task; the shared generations are no longer read once this returns.
  pub fn close(&self) {
    let first = !self.shared.closed.swap(true, Ordering::AcqRel);
    self.share_live(None);
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

async fn run<F>(shared: Arc<Shared>, linger: Duration, mut on_due: F)
where
  F: FnMut(Vec<u32>) -> Delivery,
{
  let mut lingered = false;
  loop {
    if shared.closed.load(Ordering::Acquire) {
      return;
    }
    let now = Instant::now();
    let (due, wake_at) = {
      let mut state = shared.lock();
      let mut due = state.schedule.take_due(now + SLACK);
      let State { schedule, live, .. } = &mut *state;
      if let Some(live) = live.as_ref() {
        due.retain(|&(slot, generation)| {
          let pending = live.get(slot).is_none_or(|g| g == generation);
          if !pending {
            schedule.disarm(slot, generation); // its frame left before the deadline
          }
          pending
        });
      }
      let next = state.schedule.next_deadline();
      let wake_at = match next {
        Some(deadline) => {
          lingered = false;
          Some(deadline)
        }
        None if !due.is_empty() || !lingered => {
          lingered = true;
          Some(now + linger)
        }
        None => None,
      };
      state.wake_at = wake_at;
      (due, wake_at)
    };
    if !due.is_empty() {
      lingered = false;
      let flat = due.iter().flat_map(|&(slot, generation)| [slot, generation]).collect();
      if on_due(flat) == Delivery::Stop {
        shared.closed.store(true, Ordering::Release);
        return;
      }
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
  use std::sync::mpsc;

  fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap()
  }

  fn start_on_thread(linger: Duration) -> (BatchTimer, mpsc::Receiver<(Vec<u32>, Instant)>) {
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

  #[test]
  fn fires_once_at_the_deadline() {
    let (timer, rx) = start_on_thread(Duration::from_millis(16));
    let t0 = Instant::now();
    timer.arm(4, 1, Duration::from_millis(20));
    let (due, at) = rx.recv_timeout(Duration::from_secs(2)).unwrap();
    assert_eq!(due, vec![4, 1]);
    let waited = at - t0;
    assert!(waited >= Duration::from_millis(19), "fired early: {waited:?}");
    assert!(waited < Duration::from_millis(200), "fired late: {waited:?}");
    assert!(rx.recv_timeout(Duration::from_millis(60)).is_err(), "fired twice");
  }

  /// Every `(slot, generation)` delivered until the timer has been quiet for `quiet`.
  fn fired(rx: &mpsc::Receiver<(Vec<u32>, Instant)>, quiet: Duration) -> Vec<(u32, u32)> {
    let mut all = Vec::new();
    while let Ok((due, _)) = rx.recv_timeout(quiet) {
      all.extend(due.chunks(2).map(|p| (p[0], p[1])));
    }
    all.sort();
    all
  }

  #[test]
  fn a_batch_cleared_from_the_shared_generations_never_fires_and_an_earlier_arm_wakes_the_task() {
    let (timer, rx) = start_on_thread(Duration::from_millis(5));
    let live: Vec<AtomicU32> = (0..4).map(|_| AtomicU32::new(0)).collect();
    // SAFETY: `live` outlives the timer's use of it: close() below stops that before `live` drops.
    timer.share_live(unsafe { LiveGenerations::new(live.as_ptr() as *mut u32, live.len()) });
    live[0].store(1, Ordering::Release);
    timer.arm(0, 1, Duration::from_millis(500));
    live[0].store(0, Ordering::Release); // its frame left early: forgotten without a call
    live[1].store(7, Ordering::Release);
    timer.arm(1, 7, Duration::from_millis(10)); // earlier than the task's wake: wakes it
    live[2].store(3, Ordering::Release);
    timer.arm(2, 3, Duration::from_millis(10));
    timer.arm(9, 1, Duration::from_millis(10)); // beyond the shared length: fires
    live[1].store(0, Ordering::Release);
    let t0 = Instant::now();
    assert_eq!(fired(&rx, Duration::from_millis(150)), vec![(2, 3), (9, 1)]);
    assert!(t0.elapsed() < Duration::from_millis(400), "waited for the cleared 500 ms deadline");
    assert!(fired(&rx, Duration::from_millis(600)).is_empty(), "the cleared batch fired");
    timer.close();
  }

  #[test]
  fn stops_when_the_receiver_is_gone_or_closed() {
    let rt = runtime();
    let (timer, rx) = {
      let (tx, rx) = mpsc::channel::<Vec<u32>>();
      let t = BatchTimer::start(rt.handle(), Duration::from_millis(1), move |d| {
        if tx.send(d).is_ok() {
          Delivery::Delivered
        } else {
          Delivery::Stop
        }
      });
      (t, rx)
    };
    drop(rx);
    timer.arm(0, 1, Duration::from_millis(1));
    rt.block_on(async { tokio::time::sleep(Duration::from_millis(30)).await });
    assert!(timer.is_closed(), "a Stop from the callback closes the timer");
    let (timer2, rx2) = start_on_thread(Duration::from_millis(1));
    timer2.close();
    timer2.arm(0, 1, Duration::from_millis(1));
    assert!(rx2.recv_timeout(Duration::from_millis(100)).is_err());
  }
}
