//! Per-target batch deadlines. A target's batch is armed when its first
//! message is queued; its deadline only ever moves earlier (a cap measured
//! from the first message, never a debounce that a steady stream postpones).
//! Time is passed in, so the rules are tested without sleeping.
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
struct Armed {
  generation: u32,
  deadline: Instant,
  fired: bool,
}

#[derive(Default)]
pub struct DeadlineSchedule {
  slots: Vec<Option<Armed>>,
  // Lazily invalidated: an entry is live only while it matches its slot.
  heap: BinaryHeap<Reverse<(Instant, u32, u32)>>,
}

impl DeadlineSchedule {
  pub fn new() -> Self {
    Self::default()
  }

  /// Arms (or tightens) the batch `generation` of target `slot`.
  /// Returns the batch's deadline after the call.
  pub fn arm(&mut self, slot: u32, generation: u32, delay: Duration, now: Instant) -> Instant {
    let index = slot as usize;
    if index >= self.slots.len() {
      self.slots.resize(index + 1, None);
    }
    let wanted = now + delay;
    let armed = match self.slots[index] {
      Some(a) if a.generation == generation => {
        if wanted >= a.deadline || a.fired {
          return a.deadline;
        }
        Armed { deadline: wanted, ..a }
      }
      _ => Armed { generation, deadline: wanted, fired: false },
    };
    self.slots[index] = Some(armed);
    self.heap.push(Reverse((armed.deadline, slot, generation)));
    armed.deadline
  }

  /// Forgets the batch (it was flushed or dropped); false when it was not armed.
  pub fn disarm(&mut self, slot: u32, generation: u32) -> bool {
    match self.slots.get_mut(slot as usize) {
      Some(entry) if entry.is_some_and(|a| a.generation == generation) => {
        *entry = None;
        true
      }
      _ => false,
    }
  }

  fn is_live(&self, deadline: Instant, slot: u32, generation: u32) -> bool {
    matches!(self.slots.get(slot as usize), Some(Some(a))
      if a.generation == generation && a.deadline == deadline && !a.fired)
  }

  /// The earliest live deadline, dropping stale heap entries on the way.
  pub fn next_deadline(&mut self) -> Option<Instant> {
    while let Some(&Reverse((deadline, slot, generation))) = self.heap.peek() {
      if self.is_live(deadline, slot, generation) {
        return Some(deadline);
      }
      self.heap.pop();
    }
    None
  }

  /// Batches whose deadline has passed, as `(slot, generation)`. A fired batch
  /// stays known (for its age) until `disarm`, but fires only once.
  pub fn take_due(&mut self, now: Instant) -> Vec<(u32, u32)> {
    let mut due = Vec::new();
    while let Some(&Reverse((deadline, slot, generation))) = self.heap.peek() {
      if deadline > now {
        break;
      }
      self.heap.pop();
      if self.is_live(deadline, slot, generation) {
        if let Some(Some(a)) = self.slots.get_mut(slot as usize) {
          a.fired = true;
        }
        due.push((slot, generation));
      }
    }
    due
  }

  pub fn armed_count(&self) -> usize {
    self.slots.iter().filter(|s| matches!(s, Some(a) if !a.fired)).count()
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
  }

  #[test]
  fn deadline_counts_from_the_first_message() {
    let t0 = Instant::now();
    let mut s = DeadlineSchedule::new();
    let d = s.arm(0, 1, ms(16), t0);
    // More messages of the same batch never push the deadline back.
    assert_eq!(s.arm(0, 1, ms(16), t0 + ms(10)), d);
    assert!(s.take_due(t0 + ms(15)).is_empty());
    assert_eq!(s.take_due(t0 + ms(16)), vec![(0, 1)]);
    assert!(s.take_due(t0 + ms(100)).is_empty(), "fires once");
    assert!(s.disarm(0, 1), "a fired batch is known until its frame leaves");
  }

  #[test]
  fn a_normal_message_tightens_a_low_priority_batch() {
    let t0 = Instant::now();
    let mut s = DeadlineSchedule::new();
    s.arm(3, 7, ms(64), t0);
    let tightened = s.arm(3, 7, ms(16), t0 + ms(5));
    assert_eq!(tightened, t0 + ms(21));
    assert_eq!(s.next_deadline(), Some(t0 + ms(21)));
    assert_eq!(s.take_due(t0 + ms(21)), vec![(3, 7)]);
    assert_eq!(s.next_deadline(), None, "the stale 64 ms entry is gone");
  }

  #[test]
  fn flushed_batches_do_not_fire() {
    let t0 = Instant::now();
    let mut s = DeadlineSchedule::new();
    s.arm(0, 1, ms(16), t0);
    s.arm(1, 1, ms(16), t0);
    assert!(s.disarm(0, 1));
    // The next batch of target 0 has its own generation and deadline.
    s.arm(0, 2, ms(16), t0 + ms(3));
    assert_eq!(s.take_due(t0 + ms(16)), vec![(1, 1)]);
    assert_eq!(s.take_due(t0 + ms(19)), vec![(0, 2)]);
    assert!(!s.disarm(0, 1), "old generation is unknown");
  }

  #[test]
  fn due_in_deadline_order_across_targets() {
    let t0 = Instant::now();
    let mut s = DeadlineSchedule::new();
    s.arm(5, 1, ms(30), t0);
    s.arm(2, 1, ms(10), t0);
    s.arm(9, 1, ms(20), t0);
    assert_eq!(s.armed_count(), 3);
    assert_eq!(s.take_due(t0 + ms(40)), vec![(2, 1), (9, 1), (5, 1)]);
    assert_eq!(s.armed_count(), 0);
  }
}
