//! The batching clock: one tokio task per BatchManager sleeps until the
//! earliest batch deadline and hands the due `(slot, generation)` pairs to a
//! callback (in the addon: a weak ThreadsafeFunction into JS).
//!
//! Cost on the JS thread is a mutex and a heap push per batch that outlives
//! the JS turn that opened it (lib/batch/turn-flush.js). After a batch
//! fires, the task lingers one `linger` period before sleeping indefinitely,
//! so the next batch of a steady stream arms without a cross-thread wake-up.
use super::schedule::DeadlineSchedule;
use std::sync::atomic::{AtomicBool, Ordering};
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

struct State {
  schedule: DeadlineSchedule,
  /// When the task will look again on its own; `None` = only when notified.
  wake_at: Option<Instant>,
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
      state: Mutex::new(State { schedule: DeadlineSchedule::new(), wake_at: None }),
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

  /// The batch was flushed or dropped: its deadline never fires. False when it was not armed.
  pub fn disarm(&self, slot: u32, generation: u32) -> bool {
    self.shared.lock().schedule.disarm(slot, generation)
  }

  pub fn close(&self) {
    if !self.shared.closed.swap(true, Ordering::AcqRel) {
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
      let due = state.schedule.take_due(now + SLACK);
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
    assert!(timer.disarm(4, 1), "a fired batch is known until its frame leaves");
  }

  #[test]
  fn a_disarmed_batch_never_fires_and_an_earlier_arm_wakes_the_task() {
    let (timer, rx) = start_on_thread(Duration::from_millis(5));
    timer.arm(0, 1, Duration::from_millis(500));
    timer.disarm(0, 1);
    timer.arm(1, 1, Duration::from_millis(10));
    let (due, _) = rx.recv_timeout(Duration::from_secs(2)).unwrap();
    assert_eq!(due, vec![1, 1]);
    assert!(rx.recv_timeout(Duration::from_millis(700)).is_err());
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
