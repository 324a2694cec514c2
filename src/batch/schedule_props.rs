//! Property tests (proptest) for `DeadlineSchedule` against a plain model:
//! a batch fires once, never before its deadline, never after it was flushed,
//! never lost; arming again only tightens; due batches come in deadline order.
use super::schedule::DeadlineSchedule;
use proptest::prelude::*;
use std::collections::HashMap;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
enum Op {
  Arm { slot: u32, generation: u32, delay: u64 },
  Disarm { slot: u32, generation: u32 },
  Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
  prop_oneof![
    4 => (0u32..6, 0u32..4, 0u64..50).prop_map(|(slot, generation, delay)| Op::Arm { slot, generation, delay }),
    1 => (0u32..6, 0u32..4).prop_map(|(slot, generation)| Op::Disarm { slot, generation }),
    2 => (0u64..30).prop_map(Op::Advance),
  ]
}

#[derive(Debug, Clone, Copy)]
struct Model {
  generation: u32,
  deadline: u64,
  fired: bool,
}

proptest! {
  #![proptest_config(ProptestConfig::with_cases(512))]

  #[test]
  fn schedule_matches_the_model(ops in proptest::collection::vec(op(), 0..200)) {
    let t0 = Instant::now();
    let at = |ms: u64| t0 + Duration::from_millis(ms);
    let mut s = DeadlineSchedule::new();
    let mut model: HashMap<u32, Model> = HashMap::new();
    let mut now = 0u64;
    let check_due = |s: &mut DeadlineSchedule, model: &mut HashMap<u32, Model>, now: u64| -> Result<(), TestCaseError> {
      let due = s.take_due(at(now));
      let mut last = 0u64;
      for &(slot, generation) in &due {
        let m = model.get_mut(&slot).ok_or_else(|| TestCaseError::fail(format!("slot {slot} fired but was never armed")))?;
        prop_assert_eq!(m.generation, generation, "a stale generation fired");
        prop_assert!(!m.fired, "fired twice");
        prop_assert!(m.deadline <= now, "fired before its deadline");
        prop_assert!(m.deadline >= last, "due out of deadline order");
        last = m.deadline;
        m.fired = true;
      }
      // Nothing due was left behind.
      for (slot, m) in model.iter() {
        prop_assert!(m.fired || m.deadline > now, "slot {} (deadline {}) was due at {} but did not fire", slot, m.deadline, now);
      }
      Ok(())
    };
    for op in ops {
      match op {
        Op::Arm { slot, generation, delay } => {
          let wanted = now + delay;
          let expected = match model.get(&slot) {
            Some(m) if m.generation == generation => {
              if m.fired || wanted >= m.deadline { *m } else { Model { deadline: wanted, ..*m } }
            }
            _ => Model { generation, deadline: wanted, fired: false },
          };
          let deadline = s.arm(slot, generation, Duration::from_millis(delay), at(now));
          prop_assert_eq!(deadline, at(expected.deadline));
          model.insert(slot, expected);
        }
        Op::Disarm { slot, generation } => {
          let known = matches!(model.get(&slot), Some(m) if m.generation == generation);
          prop_assert_eq!(s.disarm(slot, generation), known);
          if known {
            model.remove(&slot);
          }
        }
        Op::Advance(ms) => {
          now += ms;
          check_due(&mut s, &mut model, now)?;
        }
      }
      let live: Vec<u64> = model.values().filter(|m| !m.fired).map(|m| m.deadline).collect();
      prop_assert_eq!(s.armed_count(), live.len());
      prop_assert_eq!(s.next_deadline(), live.iter().min().map(|&d| at(d)));
    }
    // Every batch still armed fires once its deadline passes.
    check_due(&mut s, &mut model, now + 1000)?;
  }
}
