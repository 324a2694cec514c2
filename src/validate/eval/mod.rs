//! Walks an `Instance` through a compiled `Plan`, reading only what the plan
//! asks for, and lists every failing field with an ajv-style message.
//! Keyword checks are in `keywords`, object and array walks in `containers`,
//! the walk with caps measured in the same pass in `metered` / `metered_object`.
mod containers;
mod keywords;
mod metered;
mod metered_object;
use super::plan::*;
use super::walk::Meter;
use super::{pointer, unsupported_message, Instance, Issue, Kind, Seg};

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

  fn fail(&mut self, node: &Node, keyword: &str, message: String) -> bool {
    if self.collect {
      let mut issue = Issue::new(pointer(&self.path), keyword, message);
      issue.schema_path = Some(format!("{}/{}", node.path, keyword));
      self.issues.push(issue);
    }
    false
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
    if let Kind::Unsupported(what) = kind {
      return self.fault("unsupported", unsupported_message(what));
    }
    if kind == Kind::Thrown {
      return self.fault("exception", v.fault().0);
    }
    if node.checks.is_empty() {
      return true;
    }
    // Only `$ref` can revisit a value: then a container met again below itself is a cycle.
    if plan.has_refs && matches!(kind, Kind::Object | Kind::Array) && self.ancestors.iter().any(|a| a.same(v)) {
      return self.fault("cycle", unsupported_message("cycle"));
    }
    let mut ok = true;
    for check in &node.checks {
      if !self.check(node, check, kind, v) {
        ok = false;
        if !self.collect {
          break;
        }
      }
    }
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
