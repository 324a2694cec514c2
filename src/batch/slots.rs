//! Per-slot batch deadlines, in memory the timer task shares with its owner
//! (lib/timers/clock.js: a SharedArrayBuffer on the JS heap, so inside
//! Electron's memory cage). The owner arms a slot by writing its deadline and
//! then its generation, and forgets it by clearing the generation: neither is
//! a call. The task publishes when it will next look ([`SharedSlots::publish`]),
//! so the owner calls to wake it only for a deadline earlier than that.
//!
//! The handshake: the owner stores the generation, then loads the task's
//! state; the task stores its state, then scans the generations. All four
//! are sequentially consistent, so at least one side sees the other's write:
//! either the scan finds the deadline, or the owner finds a plan later than
//! it (or none) and wakes the task.
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The longest wait a deadline may ask for (an hour): a garbage value cannot overflow an `Instant`.
const MAX_DELAY_MS: f64 = 3.6e6;

/// What the scan reads of each slot: the pending batch's generation (0: none)
/// and its deadline in milliseconds since the clock's epoch.
pub trait Slots {
  /// How many slots there are (a slot past it has no batch).
  fn slot_count(&self) -> usize;
  fn generation(&self, slot: usize) -> u32;
  fn due_ms(&self, slot: usize) -> f64;
}

/// Deadlines are milliseconds (f64) since `epoch`, the clock's creation.
#[derive(Clone, Copy)]
pub struct Clock {
  pub epoch: Instant,
  pub now: Instant,
}

impl Clock {
  fn instant_of(&self, ms: f64) -> Instant {
    let latest = self.now.saturating_duration_since(self.epoch).as_secs_f64() * 1000.0 + MAX_DELAY_MS;
    let ms = if ms.is_finite() { ms.clamp(0.0, latest) } else { 0.0 };
    self.epoch + Duration::from_secs_f64(ms / 1000.0)
  }
}

/// The batches due by `horizon` (each delivered once: `fired` remembers the
/// generation last delivered per slot), and the earliest deadline after it.
pub fn scan(
  slots: &impl Slots,
  fired: &mut Vec<u32>,
  clock: Clock,
  horizon: Instant,
) -> (Vec<(u32, u32)>, Option<Instant>) {
  if fired.len() < slots.slot_count() {
    fired.resize(slots.slot_count(), 0);
  }
  let mut due = Vec::new();
  let mut next: Option<Instant> = None;
  for slot in 0..slots.slot_count() {
    let Some((generation, deadline)) = pending(slots, fired, clock, slot) else { continue };
    if deadline <= horizon {
      fired[slot] = generation;
      due.push((slot as u32, generation));
    } else if next.is_none_or(|n| deadline < n) {
      next = Some(deadline);
    }
  }
  (due, next)
}

/// The earliest pending deadline a `scan` would find now, delivering nothing.
pub fn earliest(slots: &impl Slots, fired: &[u32], clock: Clock) -> Option<Instant> {
  (0..slots.slot_count()).filter_map(|slot| pending(slots, fired, clock, slot)).map(|(_, deadline)| deadline).min()
}

/// `slot`'s armed generation and deadline, unless it has none or that generation already fired.
fn pending(slots: &impl Slots, fired: &[u32], clock: Clock, slot: usize) -> Option<(u32, Instant)> {
  let generation = slots.generation(slot);
  if generation == 0 || fired.get(slot) == Some(&generation) {
    return None;
  }
  Some((generation, clock.instant_of(slots.due_ms(slot))))
}

/// Whole milliseconds from `epoch` to `at`, rounded up (the owner compares its
/// deadline's whole milliseconds with it: no later than a deadline it skips).
fn ms_since(epoch: Instant, at: Instant) -> u32 {
  let ms = at.saturating_duration_since(epoch).as_nanos().div_ceil(1_000_000);
  ms as u32 // wraps after 49 days; the owner compares with wrapping arithmetic
}

/// The owner's memory: a header `[plan, awake, _, _]` (i32), and per slot a
/// generation (u32) and a deadline (f64).
pub struct SharedSlots {
  header: NonNull<AtomicI32>,
  generations: NonNull<AtomicU32>,
  dues: NonNull<AtomicU64>,
  len: usize,
}

// SAFETY: the memory is only accessed through atomics; `new`'s contract keeps it valid while shared.
unsafe impl Send for SharedSlots {}

const PLAN: usize = 0;
const AWAKE: usize = 1;
pub const HEADER_LEN: usize = 4;

impl SharedSlots {
  /// # Safety
  /// `header` must point to `HEADER_LEN` i32s, `generations` to `len` u32s and
  /// `dues` to `len` f64s, all aligned, that stay valid until this value is
  /// dropped (the timer drops it when replaced, or when it closes). Other
  /// writes to them must be single aligned stores of their own width.
  pub unsafe fn new(header: *mut i32, generations: *mut u32, dues: *mut f64, len: usize) -> Option<Self> {
    Some(Self {
      header: NonNull::new(header)?.cast(),
      generations: NonNull::new(generations)?.cast(),
      dues: NonNull::new(dues)?.cast(),
      len,
    })
  }

  fn header(&self, index: usize) -> &AtomicI32 {
    debug_assert!(index < HEADER_LEN);
    // SAFETY: index < HEADER_LEN, and `new`'s contract keeps the memory valid; AtomicI32 has i32's layout.
    unsafe { self.header.add(index).as_ref() }
  }

  /// The task is about to scan: until it publishes a plan, the owner wakes it for any deadline.
  pub fn busy(&self) {
    self.header(AWAKE).store(1, Ordering::SeqCst);
  }

  /// The task will look again at `at` (none: only when woken).
  pub fn publish(&self, epoch: Instant, at: Option<Instant>) {
    if let Some(at) = at {
      self.header(PLAN).store(ms_since(epoch, at) as i32, Ordering::SeqCst);
      self.header(AWAKE).store(0, Ordering::SeqCst);
    }
  }
}

impl Slots for SharedSlots {
  fn slot_count(&self) -> usize {
    self.len
  }

  fn generation(&self, slot: usize) -> u32 {
    if slot >= self.len {
      return 0;
    }
    // SAFETY: slot < len, and `new`'s contract keeps the memory valid; AtomicU32 has u32's layout.
    unsafe { self.generations.add(slot).as_ref() }.load(Ordering::SeqCst)
  }

  fn due_ms(&self, slot: usize) -> f64 {
    if slot >= self.len {
      return f64::NAN;
    }
    // SAFETY: as in `generation`; AtomicU64 has f64's size and alignment. Read after the
    // generation's SeqCst load, it sees the deadline the owner wrote before storing that generation.
    f64::from_bits(unsafe { self.dues.add(slot).as_ref() }.load(Ordering::Relaxed))
  }
}

#[cfg(test)]
pub(crate) mod tests {
  use super::*;

  /// Slots in plain memory, for the scan's tests.
  pub(crate) struct TestSlots(pub Vec<(u32, f64)>);

  impl Slots for TestSlots {
    fn slot_count(&self) -> usize {
      self.0.len()
    }
    fn generation(&self, slot: usize) -> u32 {
      self.0[slot].0
    }
    fn due_ms(&self, slot: usize) -> f64 {
      self.0[slot].1
    }
  }

  fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
  }

  #[test]
  fn a_deadline_fires_once_per_generation_and_the_earliest_other_is_next() {
    let epoch = Instant::now();
    let clock = Clock { epoch, now: epoch };
    let mut slots = TestSlots(vec![(1, 10.0), (0, 5.0), (4, 30.0), (2, 20.0)]);
    let mut fired = Vec::new();
    assert_eq!(scan(&slots, &mut fired, clock, epoch + ms(9)), (vec![], Some(epoch + ms(10))));
    assert_eq!(scan(&slots, &mut fired, clock, epoch + ms(10)), (vec![(0, 1)], Some(epoch + ms(20))));
    assert_eq!(scan(&slots, &mut fired, clock, epoch + ms(10)), (vec![], Some(epoch + ms(20))), "fires once");
    assert_eq!(earliest(&slots, &fired, clock), Some(epoch + ms(20)));
    slots.0[0] = (3, 12.0); // the slot's next batch
    slots.0[3].0 = 0; // forgotten: its frame left early
    assert_eq!(scan(&slots, &mut fired, clock, epoch + ms(25)), (vec![(0, 3)], Some(epoch + ms(30))));
  }

  #[test]
  fn garbage_deadlines_fire_at_once_or_within_the_longest_wait() {
    let epoch = Instant::now();
    let clock = Clock { epoch, now: epoch + ms(5) };
    let slots = TestSlots(vec![(1, f64::NAN), (2, -5.0), (3, 1e300)]);
    let mut fired = Vec::new();
    let (due, next) = scan(&slots, &mut fired, clock, epoch);
    assert_eq!(due, vec![(0, 1), (1, 2)]);
    assert_eq!(next, Some(epoch + ms(5) + Duration::from_secs_f64(MAX_DELAY_MS / 1000.0)));
  }

  proptest::proptest! {
    /// Against a model: every armed generation that is not forgotten fires once, at the first
    /// scan whose horizon reaches its deadline, and `next` is the earliest deadline left.
    #[test]
    fn scans_fire_each_live_batch_once_when_due(
      ops in proptest::collection::vec((0usize..4, 0u32..3, 0u32..40), 1..120)
    ) {
      let epoch = Instant::now();
      let clock = Clock { epoch, now: epoch };
      let mut slots = TestSlots(vec![(0, 0.0); 4]);
      let mut fired = Vec::new();
      let mut delivered = std::collections::HashSet::new();
      let (mut generation, mut horizon_ms) = (0u32, 0u64);
      for (slot, op, value) in ops {
        match op {
          0 => {
            generation += 1;
            slots.0[slot] = (generation, (horizon_ms + u64::from(value)) as f64);
          }
          1 => slots.0[slot].0 = 0,
          _ => {
            horizon_ms += u64::from(value);
            let (due, next) = scan(&slots, &mut fired, clock, epoch + ms(horizon_ms));
            for &(s, g) in &due {
              proptest::prop_assert!(delivered.insert(g), "generation {} fired twice", g);
              proptest::prop_assert_eq!(slots.0[s as usize].0, g);
              proptest::prop_assert!(slots.0[s as usize].1 <= horizon_ms as f64);
            }
            let pending = slots.0.iter().filter(|&&(g, _)| g != 0 && !delivered.contains(&g));
            proptest::prop_assert!(pending.clone().all(|&(_, d)| d > horizon_ms as f64), "a due batch was left");
            let model_next = pending.map(|&(_, d)| epoch + ms(d as u64)).min();
            proptest::prop_assert_eq!(next, model_next);
          }
        }
      }
    }
  }

  #[test]
  fn the_published_plan_is_never_earlier_than_the_wake_it_stands_for() {
    let epoch = Instant::now();
    assert_eq!(ms_since(epoch, epoch + Duration::from_micros(10_001)), 11);
    assert_eq!(ms_since(epoch, epoch + ms(10)), 10);
    assert_eq!(ms_since(epoch, epoch), 0);
  }
}
