//! Walks an `Instance` through a compiled `Plan`, reading only what the plan
//! asks for, and lists every failing field with an ajv-style message.
use super::plan::*;
use super::walk::{to_value, Meter};
use super::{pointer, unsupported_message, Fault, Instance, Issue, Key, Kind, Seg};
use serde_json::Value;

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

fn type_names(bits: u8) -> String {
  let names = [(T_NULL, "null"), (T_BOOL, "boolean"), (T_NUMBER, "number"), (T_INTEGER, "integer"), (T_STRING, "string"), (T_ARRAY, "array"), (T_OBJECT, "object")];
  names.iter().filter(|(b, _)| bits & b != 0).map(|(_, n)| *n).collect::<Vec<_>>().join(",")
}

/// JSON equality of an instance and a schema value; numbers compare by value.
pub fn equals<I: Instance>(v: &I, c: &Value) -> Result<bool, Fault> {
  Ok(match (v.kind(), c) {
    (Kind::Thrown, _) => return Err(v.fault()),
    (Kind::Null, Value::Null) => true,
    (Kind::Bool, Value::Bool(b)) => v.boolean() == *b,
    (Kind::Number, Value::Number(n)) => n.as_f64() == Some(v.number()),
    (Kind::String, Value::String(s)) => v.utf16_len() == s.encode_utf16().count() && v.text() == *s,
    (Kind::Array, Value::Array(a)) => {
      if v.array_len() != a.len() {
        return Ok(false);
      }
      for (i, c) in a.iter().enumerate() {
        if !equals(&v.element(i)?, c)? {
          return Ok(false);
        }
      }
      true
    }
    (Kind::Object, Value::Object(m)) => {
      let entries: Vec<_> = v.entries()?.into_iter().filter(|(_, x)| x.kind() != Kind::Unsupported("undefined")).collect();
      if entries.len() != m.len() {
        return Ok(false);
      }
      for (k, x) in &entries {
        match m.get(k) {
          Some(c) if equals(x, c)? => {}
          _ => return Ok(false),
        }
      }
      true
    }
    _ => false,
  })
}

fn is_multiple(n: f64, m: f64) -> bool {
  if n.fract() == 0.0 && m.fract() == 0.0 && n.abs() < 9e15 && m.abs() < 9e15 {
    return (n as i64) % (m as i64) == 0;
  }
  let q = n / m;
  q.is_finite() && q.fract() == 0.0
}

impl<'p, I: Instance> Eval<'p, I> {
  fn new(plan: &'p Plan, max_depth: u32, meter: Option<Meter<I>>) -> Self {
    Eval { plan, path: Vec::new(), issues: Vec::new(), faults: Vec::new(), collect: true, ancestors: Vec::new(), depth: 0, max_depth, meter, stopped: None, name: String::new() }
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

  fn check(&mut self, node: &'p Node, check: &'p Check, kind: Kind, v: &I) -> bool {
    match check {
      Check::False => self.fail(node, "false schema", "boolean schema is false".into()),
      Check::Type(bits) => {
        let ok = match kind {
          Kind::Null => bits & T_NULL != 0,
          Kind::Bool => bits & T_BOOL != 0,
          Kind::Number => bits & T_NUMBER != 0 || (bits & T_INTEGER != 0 && v.number().fract() == 0.0),
          Kind::String => bits & T_STRING != 0,
          Kind::Array => bits & T_ARRAY != 0,
          Kind::Object => bits & T_OBJECT != 0,
          Kind::Unsupported(_) | Kind::Thrown => false,
        };
        ok || self.fail(node, "type", format!("must be {}", type_names(*bits)))
      }
      Check::Const(c) => match equals(v, c) {
        Ok(true) => true,
        Ok(false) => self.fail(node, "const", "must be equal to constant".into()),
        Err(f) => self.fault("exception", f.0),
      },
      Check::Enum(options) => {
        for c in options {
          match equals(v, c) {
            Ok(true) => return true,
            Ok(false) => {}
            Err(f) => return self.fault("exception", f.0),
          }
        }
        self.fail(node, "enum", "must be equal to one of the allowed values".into())
      }
      Check::MinLength(min) if kind == Kind::String => {
        // A code point is one or two UTF-16 units: count only when the bounds disagree.
        let units = v.utf16_len() as u64;
        let ok = units.div_ceil(2) >= *min || (units >= *min && v.char_len() as u64 >= *min);
        ok || self.fail(node, "minLength", format!("must NOT have fewer than {min} characters"))
      }
      Check::MaxLength(max) if kind == Kind::String => {
        let units = v.utf16_len() as u64;
        let ok = units <= *max || (units.div_ceil(2) <= *max && v.char_len() as u64 <= *max);
        ok || self.fail(node, "maxLength", format!("must NOT have more than {max} characters"))
      }
      Check::Minimum(m) if kind == Kind::Number => v.number() >= *m || self.fail(node, "minimum", format!("must be >= {m}")),
      Check::Maximum(m) if kind == Kind::Number => v.number() <= *m || self.fail(node, "maximum", format!("must be <= {m}")),
      Check::ExclusiveMinimum(m) if kind == Kind::Number => v.number() > *m || self.fail(node, "exclusiveMinimum", format!("must be > {m}")),
      Check::ExclusiveMaximum(m) if kind == Kind::Number => v.number() < *m || self.fail(node, "exclusiveMaximum", format!("must be < {m}")),
      Check::MultipleOf(m) if kind == Kind::Number => is_multiple(v.number(), *m) || self.fail(node, "multipleOf", format!("must be multiple of {m}")),
      Check::Object { props, extra_required, additional, .. } if kind == Kind::Object => {
        self.descend(v);
        let ok = self.object(node, props, extra_required, additional, v);
        self.ascend();
        ok
      }
      Check::MinProperties(min) if kind == Kind::Object => match v.entries() {
        Ok(e) => count_defined(&e) >= *min || self.fail(node, "minProperties", format!("must NOT have fewer than {min} properties")),
        Err(f) => self.fault("exception", f.0),
      },
      Check::MaxProperties(max) if kind == Kind::Object => match v.entries() {
        Ok(e) => count_defined(&e) <= *max || self.fail(node, "maxProperties", format!("must NOT have more than {max} properties")),
        Err(f) => self.fault("exception", f.0),
      },
      Check::Array { prefix, items } if kind == Kind::Array => {
        self.descend(v);
        let ok = self.array(prefix, *items, v);
        self.ascend();
        ok
      }
      Check::MinItems(min) if kind == Kind::Array => v.array_len() as u64 >= *min || self.fail(node, "minItems", format!("must NOT have fewer than {min} items")),
      Check::MaxItems(max) if kind == Kind::Array => v.array_len() as u64 <= *max || self.fail(node, "maxItems", format!("must NOT have more than {max} items")),
      Check::Unique if kind == Kind::Array => self.unique(node, v),
      Check::AllOf(list) => {
        let mut ok = true;
        for &n in list {
          ok &= self.node(n, v);
          if !ok && !self.collect {
            return false;
          }
        }
        ok
      }
      Check::AnyOf(list) => list.iter().any(|&n| self.probe(n, v)) || self.fail(node, "anyOf", "must match a schema in anyOf".into()),
      Check::OneOf(list) => {
        let matched = list.iter().filter(|&&n| self.probe(n, v)).count();
        matched == 1 || self.fail(node, "oneOf", "must match exactly one schema in oneOf".into())
      }
      Check::Not(n) => !self.probe(*n, v) || self.fail(node, "not", "must NOT be valid".into()),
      Check::Ref(n) => {
        if self.depth >= self.max_depth {
          return self.fault("maxDepth", format!("must NOT be nested deeper than {} levels", self.max_depth));
        }
        self.depth += 1;
        let ok = self.node(*n, v);
        self.depth -= 1;
        ok
      }
      // A keyword for another type than the instance's holds trivially.
      _ => true,
    }
  }

  /// A property read by name (own only for `Object.prototype` names), then its subschema.
  fn prop(&mut self, node: &'p Node, prop: &'p Prop, v: &I) -> bool {
    self.path.push(Seg::Key(&prop.key.name));
    let r = match v.get(&prop.key) {
      Err(f) => self.fault("exception", f.0),
      Ok(None) => !prop.required || self.fail(node, "required", format!("must have required property '{}'", prop.key.name)),
      Ok(Some(x)) => match prop.node {
        Some(n) => self.node(n, &x),
        None => match x.kind() {
          Kind::Unsupported(w) => self.fault("unsupported", unsupported_message(w)),
          Kind::Thrown => self.fault("exception", x.fault().0),
          _ => true,
        },
      },
    };
    self.path.pop();
    r
  }

  fn required(&mut self, node: &'p Node, key: &'p Key, v: &I) -> bool {
    self.path.push(Seg::Key(&key.name));
    let r = match v.get(key) {
      Err(f) => self.fault("exception", f.0),
      Ok(None) => self.fail(node, "required", format!("must have required property '{}'", key.name)),
      Ok(Some(_)) => true,
    };
    self.path.pop();
    r
  }

  fn object(&mut self, node: &'p Node, props: &'p [Prop], extra: &'p [Key], additional: &'p Additional, v: &I) -> bool {
    let mut ok = true;
    for prop in props {
      ok &= self.prop(node, prop, v);
      if !ok && !self.collect {
        return false;
      }
    }
    for key in extra {
      ok &= self.required(node, key, v);
      if !ok && !self.collect {
        return false;
      }
    }
    if matches!(additional, Additional::Any) {
      return ok;
    }
    let entries = match v.entries() {
      Ok(e) => e,
      Err(Fault(message, key)) => {
        let depth = self.path.len();
        self.path.extend(key.map(Seg::Owned));
        self.fault("exception", message);
        self.path.truncate(depth);
        return false;
      }
    };
    for (name, x) in entries {
      if x.kind() == Kind::Unsupported("undefined") || props.iter().any(|p| p.key.name == name) {
        continue;
      }
      let message = format!("must NOT have additional property '{name}'");
      self.path.push(Seg::Owned(name));
      let r = match additional {
        Additional::Schema(n) => self.node(*n, &x),
        _ => self.fail(node, "additionalProperties", message),
      };
      self.path.pop();
      ok &= r;
      if !ok && !self.collect {
        return false;
      }
    }
    ok
  }

  fn array(&mut self, prefix: &'p [usize], items: Option<usize>, v: &I) -> bool {
    let mut ok = true;
    for i in 0..v.array_len() {
      let Some(n) = prefix.get(i).copied().or(items) else { break };
      self.path.push(Seg::Index(i));
      let r = match v.element(i) {
        Ok(x) => self.node(n, &x),
        Err(f) => self.fault("exception", f.0),
      };
      self.path.pop();
      ok &= r;
      if !ok && !self.collect {
        return false;
      }
    }
    ok
  }

  fn unique(&mut self, node: &Node, v: &I) -> bool {
    let value = match to_value(v, f64::INFINITY, self.max_depth) {
      Ok(Value::Array(items)) => items,
      Ok(_) => return true,
      Err(issue) => return self.fault(&issue.keyword.clone(), issue.message),
    };
    let mut seen = std::collections::HashMap::new();
    for (i, item) in value.iter().enumerate() {
      if let Some(j) = seen.insert(item.to_string(), i) {
        return self.fail(node, "uniqueItems", format!("must NOT have duplicate items (items ## {j} and {i} are identical)"));
      }
    }
    true
  }
}

fn count_defined<I: Instance>(entries: &[(String, I)]) -> u64 {
  entries.iter().filter(|(_, x)| x.kind() != Kind::Unsupported("undefined")).count() as u64
}

/// Whether `node` can walk a container of `kind` itself while measuring it:
/// it has the container keyword and nothing that revisits the value.
fn fusable(node: &Node, kind: Kind) -> bool {
  let mut container = false;
  for check in &node.checks {
    match (check, kind) {
      (Check::Ref(_) | Check::AllOf(_) | Check::AnyOf(_) | Check::OneOf(_) | Check::Not(_), _) => return false,
      (Check::Object { .. }, Kind::Object) | (Check::Array { .. }, Kind::Array) => container = true,
      _ => {}
    }
  }
  container
}

impl<'p, I: Instance> Eval<'p, I> {
  fn stop(&mut self, issue: Issue) -> bool {
    self.stopped.get_or_insert(issue);
    false
  }

  fn meter(&mut self) -> &mut Meter<I> {
    self.meter.as_mut().expect("metered evaluation")
  }

  /// Measures `v` exactly once and evaluates node `n` (if any) on it.
  fn metered(&mut self, n: Option<usize>, v: &I) -> bool {
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
        (Check::Object { props, extra_required, additional, site }, Kind::Object) => match self.members_metered(node, props, extra_required, *site, v) {
          Some(ok) => ok,
          None => self.object_metered(node, props, extra_required, additional, v),
        },
        (Check::Array { prefix, items }, Kind::Array) => self.array_metered(prefix, *items, v),
        _ => self.check(node, check, kind, v),
      };
      if self.stopped.is_some() {
        return false;
      }
    }
    self.meter().leave();
    ok
  }

  /// The common case: every member is one of the schema's properties, as
  /// `members_among` tells in one step (with their order): each is then read by
  /// name (no key list walked), measured and evaluated in member order, and the
  /// issues put back in schema order. None: not the case.
  fn members_metered(&mut self, node: &'p Node, props: &'p [Prop], extra: &'p [Key], site: usize, v: &I) -> Option<bool> {
    if props.is_empty() || props.len() > 15 {
      return None;
    }
    let mut code = v.members_among(site, props.len(), &|i| props[i].key.name.as_str())?;
    let mut order = [0usize; 16];
    let mut count = 0;
    while code > 0 && count < order.len() {
      order[count] = (code % 16) as usize;
      code /= 16;
      count += 1;
    }
    if code > 0 || order[..count].iter().any(|&j| j == 0 || j > props.len()) {
      return None;
    }
    if let Err(issue) = self.meter.as_mut().expect("metered").add(&self.path, 2.0 + count.saturating_sub(1) as f64) {
      return Some(self.stop(issue));
    }
    let base = self.issues.len();
    let mut segments: Vec<(usize, usize, usize)> = Vec::new();
    let mut seen = 0u64;
    let mut ok = true;
    for &j in &order[..count] {
      let j = j - 1;
      seen |= 1 << j;
      let prop = &props[j];
      let start = self.issues.len();
      self.path.push(Seg::Key(&prop.key.name));
      let r = match v.get(&prop.key) {
        Err(f) => {
          let issue = Issue::new(pointer(&self.path), "exception", f.0);
          return Some(self.stop(issue));
        }
        // An undefined member is absent, and not measured.
        Ok(None) => !prop.required || self.fail(node, "required", format!("must have required property '{}'", prop.key.name)),
        Ok(Some(x)) => {
          if let Err(issue) = self.meter.as_mut().expect("metered").add(&self.path[..self.path.len() - 1], prop.key.name.len() as f64 + 3.0) {
            return Some(self.stop(issue));
          }
          self.metered(prop.node, &x)
        }
      };
      self.path.pop();
      if self.stopped.is_some() {
        return Some(false);
      }
      if self.issues.len() > start {
        segments.push((j, start, self.issues.len()));
      }
      ok &= r;
    }
    // Not own enumerable members: read by name as usual (absent, inherited, hidden).
    for (j, prop) in props.iter().enumerate() {
      if seen & (1 << j) == 0 {
        let start = self.issues.len();
        ok &= self.prop(node, prop, v);
        if self.issues.len() > start {
          segments.push((j, start, self.issues.len()));
        }
      }
    }
    for (k, key) in extra.iter().enumerate() {
      let start = self.issues.len();
      ok &= self.required(node, key, v);
      if self.issues.len() > start {
        segments.push((props.len() + k, start, self.issues.len()));
      }
    }
    self.reorder(base, segments);
    Some(ok)
  }

  /// Puts the issues from `base` on in the order of their segments' tags.
  fn reorder(&mut self, base: usize, mut segments: Vec<(usize, usize, usize)>) {
    if segments.windows(2).any(|w| w[0].0 > w[1].0) {
      segments.sort_by_key(|s| s.0);
      let region: Vec<Issue> = self.issues.drain(base..).collect();
      for (_, start, end) in segments {
        self.issues.extend_from_slice(&region[start - base..end - base]);
      }
    }
  }

  /// Members in their own order (each measured once); issues then put back in
  /// the unmetered order: properties in schema order, required, additional.
  fn object_metered(&mut self, node: &'p Node, props: &'p [Prop], extra: &'p [Key], additional: &'p Additional, v: &I) -> bool {
    let keys = match v.keys() {
      Ok(k) => k,
      Err(f) => {
        let issue = Issue::new(pointer(&self.path), "exception", f.0);
        return self.stop(issue);
      }
    };
    let len = I::keys_len(&keys);
    if let Err(issue) = self.meter.as_mut().expect("metered").add(&self.path, 2.0 + len.saturating_sub(1) as f64) {
      return self.stop(issue);
    }
    let mut seen_small = 0u64;
    let mut seen_big = if props.len() > 64 { vec![false; props.len()] } else { Vec::new() };
    let base = self.issues.len();
    let mut segments: Vec<(usize, usize, usize)> = Vec::new();
    let mut name = std::mem::take(&mut self.name);
    let mut ok = true;
    for i in 0..len {
      let x = match v.entry(&keys, i, &mut name) {
        Ok(x) => x,
        Err(f) => {
          self.path.push(Seg::Owned(name));
          let issue = Issue::new(pointer(&self.path), "exception", f.0);
          return self.stop(issue);
        }
      };
      if x.kind() == Kind::Unsupported("undefined") {
        continue;
      }
      if let Err(issue) = self.meter.as_mut().expect("metered").add(&self.path, name.len() as f64 + 3.0) {
        return self.stop(issue);
      }
      let start = self.issues.len();
      let (tag, r) = match props.iter().position(|p| p.key.name == name) {
        Some(j) => {
          if props.len() > 64 {
            seen_big[j] = true;
          } else {
            seen_small |= 1 << j;
          }
          self.path.push(Seg::Key(&props[j].key.name));
          let r = self.metered(props[j].node, &x);
          self.path.pop();
          (j, r)
        }
        None => {
          self.path.push(Seg::Owned(name.clone()));
          let r = match additional {
            Additional::Schema(n) => self.metered(Some(*n), &x),
            Additional::Any => self.metered(None, &x),
            Additional::Deny => {
              self.metered(None, &x) && self.fail(node, "additionalProperties", format!("must NOT have additional property '{name}'"))
            }
          };
          self.path.pop();
          (props.len() + extra.len() + i, r)
        }
      };
      if self.stopped.is_some() {
        return false;
      }
      if self.issues.len() > start {
        segments.push((tag, start, self.issues.len()));
      }
      ok &= r;
    }
    self.name = name;
    // Properties that are not own enumerable members (absent, inherited, hidden): read by name.
    for (j, prop) in props.iter().enumerate() {
      let seen = if props.len() > 64 { seen_big[j] } else { seen_small & (1 << j) != 0 };
      if !seen {
        let start = self.issues.len();
        ok &= self.prop(node, prop, v);
        if self.issues.len() > start {
          segments.push((j, start, self.issues.len()));
        }
      }
    }
    for (k, key) in extra.iter().enumerate() {
      let start = self.issues.len();
      ok &= self.required(node, key, v);
      if self.issues.len() > start {
        segments.push((props.len() + k, start, self.issues.len()));
      }
    }
    self.reorder(base, segments);
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
          let issue = Issue::new(pointer(&self.path), "exception", f.0);
          return self.stop(issue);
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
