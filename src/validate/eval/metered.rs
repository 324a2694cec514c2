//! The metered walk: each value measured once, containers the plan reads walked
//! by the plan itself (`fusable`), the rest measured whole by the `Meter`.
use super::Eval;
use crate::validate::plan::*;
use crate::validate::walk::Meter;
use crate::validate::{Instance, Issue, Kind, Seg};

/// Whether `node` can walk a container of `kind` itself while measuring it:
/// it has the container keyword and nothing that revisits the value.
fn fusable(node: &Node, kind: Kind) -> bool {
  let mut container = false;
  for check in &node.checks {
    match (check, kind) {
      (
        Check::Ref(_)
        | Check::AllOf(_)
        | Check::AnyOf(_)
        | Check::OneOf(_)
        | Check::Not(_)
        | Check::Conditional { .. }
        | Check::DependentSchemas(_)
        | Check::Contains { .. },
        _,
      ) => return false,
      // The member walk below does not apply patterns.
      (Check::Object { patterns, .. }, _) if !patterns.is_empty() => return false,
      (Check::Object { .. }, Kind::Object) | (Check::Array { .. }, Kind::Array) => container = true,
      _ => {}
    }
  }
  container
}

impl<'p, I: Instance> Eval<'p, I> {
  pub(super) fn stop(&mut self, issue: Issue) -> bool {
    self.stopped.get_or_insert(issue);
    false
  }

  fn meter(&mut self) -> &mut Meter<I> {
    self.meter.as_mut().expect("metered evaluation")
  }

  /// Measures `v` exactly once and evaluates node `n` (if any) on it.
  pub(super) fn metered(&mut self, n: Option<usize>, v: &I) -> bool {
    let meter = self.meter.as_mut().expect("metered evaluation");
    match meter.scalar(&self.path, v) {
      Err(issue) => return self.stop(issue),
      Ok(true) => return n.is_none_or(|n| self.node(n, v)),
      Ok(false) => {}
    }
    let plan = self.plan;
    let kind = v.kind();
    let node = match n {
      Some(n) if fusable(&plan.nodes[n], kind) => &plan.nodes[n],
      _ => {
        // Not read by the plan as it goes: measured whole, then evaluated as usual.
        if let Err(issue) = meter.walk(&mut self.path, v, false) {
          return self.stop(issue);
        }
        return n.is_none_or(|n| self.node(n, v));
      }
    };
    if let Err(issue) = meter.enter(&self.path, v) {
      return self.stop(issue);
    }
    let mut ok = true;
    for check in &node.checks {
      ok &= match (check, kind) {
        (Check::Object { props, extra_required, additional, site, .. }, Kind::Object) => {
          match self.members_metered(props, extra_required, *site, v) {
            Some(ok) => ok,
            None => self.object_metered(props, extra_required, additional, v),
          }
        }
        (Check::Array { prefix, items }, Kind::Array) => self.array_metered(prefix, *items, v),
        _ => self.check(check, kind, v),
      };
      if self.stopped.is_some() {
        return false;
      }
    }
    self.meter().leave();
    ok
  }

  fn array_metered(&mut self, prefix: &'p [usize], items: Option<usize>, v: &I) -> bool {
    let len = v.array_len();
    if let Err(issue) = self.meter.as_mut().expect("metered").add(&self.path, 2.0 + len.saturating_sub(1) as f64) {
      return self.stop(issue);
    }
    let mut ok = true;
    for i in 0..len {
      self.path.push(Seg::Index(i));
      let x = match v.element(i) {
        Ok(x) => x,
        Err(f) => {
          return self.stop(Issue::at(&self.path, "exception", f.message));
        }
      };
      ok &= self.metered(prefix.get(i).copied().or(items), &x);
      self.path.pop();
      if self.stopped.is_some() {
        return false;
      }
    }
    ok
  }
}
