//! Walks an `Instance` through a compiled `Plan`, reading only what the plan
//! asks for, and lists every failing field with an ajv-style message.
//! Keyword checks are in `keywords`, object and array walks in `containers`,
//! the walk with caps measured in the same pass in `metered` / `metered_object`.
mod containers;
mod keywords;
mod metered;
mod metered_object;
use super::limits::recursion_limit;
use super::plan::*;
use super::walk::{repeats_ancestor, Meter};
use super::{cycle_message, pointer, refusal, required_message, Instance, Issue, Kind, Seg};

pub fn evaluate<I: Instance>(plan: &Plan, value: &I, max_depth: u32) -> Vec<Issue> {
  let mut e = Eval::new(plan, max_depth, None);
  e.node(0, value);
  e.finish()
}

/// `evaluate` with size and depth caps checked in the same walk: the parts the
/// plan reads are measured as they are read, the rest by the `Meter`'s own walk,
/// each member once and in order. A cap, cycle, unsupported value or exception
/// found that way is the only issue returned, as if checked before validation.
pub fn evaluate_metered<I: Instance>(plan: &Plan, value: &I, max_bytes: f64, max_depth: u32) -> Vec<Issue> {
  let mut e = Eval::new(plan, max_depth, Some(Meter::new(max_bytes, max_depth)));
  e.metered(Some(0), value);
  match e.stopped.take() {
    Some(issue) => vec![issue],
    None => e.finish(),
  }
}

struct Eval<'p, I> {
  plan: &'p Plan,
  path: Vec<Seg<'p>>,
  issues: Vec<Issue>,
  /// Hostile-input findings: reported even from inside anyOf/not branches.
  faults: Vec<Issue>,
  collect: bool,
  ancestors: Vec<I>,
  /// `$ref` hops on the current path.
  depth: u32,
  max_depth: u32,
  /// Present in a metered evaluation.
  meter: Option<Meter<I>>,
  /// The cap (or hostile value) that ended a metered evaluation.
  stopped: Option<Issue>,
  /// Reused buffer for member names.
  name: String,
}

impl<'p, I: Instance> Eval<'p, I> {
  fn new(plan: &'p Plan, max_depth: u32, meter: Option<Meter<I>>) -> Self {
    Eval {
      plan,
      path: Vec::new(),
      issues: Vec::new(),
      faults: Vec::new(),
      collect: true,
      ancestors: Vec::new(),
      depth: 0,
      max_depth,
      meter,
      stopped: None,
      name: String::new(),
    }
  }

  fn finish(self) -> Vec<Issue> {
    let mut issues = self.faults;
    issues.extend(self.issues);
    issues
  }

  fn fail(&mut self, keyword: &str, message: String) -> bool {
    if self.collect {
      self.issues.push(Issue::at(&self.path, keyword, message));
    }
    false
  }

  /// A `required` property that is absent.
  fn missing(&mut self, name: &str) -> bool {
    self.fail("required", required_message(name))
  }

  fn fault(&mut self, keyword: &str, message: String) -> bool {
    let at = pointer(&self.path);
    if !self.faults.iter().any(|f| f.pointer == at && f.keyword == keyword) {
      self.faults.push(Issue::new(at, keyword, message));
    }
    false
  }

  fn node(&mut self, n: usize, v: &I) -> bool {
    let plan = self.plan;
    let node = &plan.nodes[n];
    let kind = v.kind();
    if let Some((keyword, message)) = refusal(v) {
      return self.fault(keyword, message);
    }
    if node.checks.is_empty() {
      return true;
    }
    // Only `$ref` can revisit a value: then a container met again below itself is a cycle.
    if plan.has_refs && matches!(kind, Kind::Object | Kind::Array) && repeats_ancestor(&self.ancestors, v) {
      return self.fault("cycle", cycle_message());
    }
    let mut ok = true;
    for check in &node.checks {
      if !self.check(check, kind, v) {
        ok = false;
        if !self.collect {
          break;
        }
      }
    }
    ok
  }

  /// Follows a `$ref`: the one way the walk recurses deeper than the schema
  /// is written, so here it stops at `max_depth` hops or `WALK_CEILING` levels.
  fn follow(&mut self, n: usize, v: &I) -> bool {
    if let Some(issue) = recursion_limit(&self.path, self.depth, self.max_depth) {
      return self.fault(&issue.keyword, issue.message);
    }
    self.depth += 1;
    let ok = self.node(n, v);
    self.depth -= 1;
    ok
  }

  fn descend(&mut self, v: &I) {
    if self.plan.has_refs {
      self.ancestors.push(v.clone());
    }
  }

  fn ascend(&mut self) {
    if self.plan.has_refs {
      self.ancestors.pop();
    }
  }

  /// Runs `n` without collecting issues (for anyOf/oneOf/not).
  fn probe(&mut self, n: usize, v: &I) -> bool {
    let saved = std::mem::replace(&mut self.collect, false);
    let ok = self.node(n, v);
    self.collect = saved;
    ok
  }
}
