//! The unmetered walks into objects (by property name) and arrays.
use super::Eval;
use crate::validate::pattern::Pattern;
use crate::validate::plan::*;
use crate::validate::walk::to_value;
use crate::validate::{refusal, Fault, Instance, Key, Kind, Seg, MEMBERS_CODE_NAMES};
use serde_json::Value;

impl<'p, I: Instance> Eval<'p, I> {
  /// A property read by name (own only for `Object.prototype` names), then its subschema.
  pub(super) fn prop(&mut self, prop: &'p Prop, v: &I) -> bool {
    self.path.push(Seg::Key(&prop.key.name));
    let r = match v.get(&prop.key) {
      Err(f) => self.fault("exception", f.message),
      Ok(None) => !prop.required || self.missing(&prop.key.name),
      Ok(Some(x)) => match (prop.node, refusal(&x)) {
        (Some(n), _) => self.node(n, &x),
        (None, Some((keyword, message))) => self.fault(keyword, message),
        (None, None) => true,
      },
    };
    self.path.pop();
    r
  }

  pub(super) fn required(&mut self, key: &'p Key, v: &I) -> bool {
    self.path.push(Seg::Key(&key.name));
    let r = match v.get(key) {
      Err(f) => self.fault("exception", f.message),
      Ok(None) => self.missing(&key.name),
      Ok(Some(_)) => true,
    };
    self.path.pop();
    r
  }

  pub(super) fn object(
    &mut self,
    props: &'p [Prop],
    patterns: &'p [(Pattern, usize)],
    extra: &'p [Key],
    additional: &'p Additional,
    site: usize,
    v: &I,
  ) -> bool {
    let mut ok = true;
    for prop in props {
      ok &= self.prop(prop, v);
      if !ok && !self.collect {
        return false;
      }
    }
    for key in extra {
      ok &= self.required(key, v);
      if !ok && !self.collect {
        return false;
      }
    }
    if matches!(additional, Additional::Any) && patterns.is_empty() {
      return ok;
    }
    // Every key one of the names (`members_among` says so in one step): none is additional.
    if matches!(additional, Additional::Deny)
      && patterns.is_empty()
      && (1..=MEMBERS_CODE_NAMES).contains(&props.len())
      && v.members_among(site, props.len(), &|i| props[i].key.name.as_str()).is_some()
    {
      return ok;
    }
    let entries = match v.entries() {
      Ok(e) => e,
      Err(Fault { message, member }) => {
        let depth = self.path.len();
        self.path.extend(member.map(Seg::Owned));
        self.fault("exception", message);
        self.path.truncate(depth);
        return false;
      }
    };
    for (name, x) in entries {
      if x.kind() == Kind::Undefined {
        continue;
      }
      let mut named = props.iter().any(|p| p.key.name == name);
      for (pattern, n) in patterns {
        if pattern.is_match(&name) {
          named = true;
          self.path.push(Seg::Owned(name.clone()));
          ok &= self.node(*n, &x);
          self.path.pop();
          if !ok && !self.collect {
            return false;
          }
        }
      }
      if named || matches!(additional, Additional::Any) {
        continue;
      }
      let message = format!("must NOT have additional property '{name}'");
      self.path.push(Seg::Owned(name));
      let r = match additional {
        Additional::Schema(n) => self.node(*n, &x),
        _ => self.fail("additionalProperties", message),
      };
      self.path.pop();
      ok &= r;
      if !ok && !self.collect {
        return false;
      }
    }
    ok
  }

  pub(super) fn array(&mut self, prefix: &'p [usize], items: Option<usize>, v: &I) -> bool {
    let mut ok = true;
    for i in 0..v.array_len() {
      let Some(n) = prefix.get(i).copied().or(items) else { break };
      self.path.push(Seg::Index(i));
      let r = match v.element(i) {
        Ok(x) => self.node(n, &x),
        Err(f) => self.fault("exception", f.message),
      };
      self.path.pop();
      ok &= r;
      if !ok && !self.collect {
        return false;
      }
    }
    ok
  }

  pub(super) fn unique(&mut self, v: &I) -> bool {
    let value = match to_value(v, f64::INFINITY, self.max_depth) {
      Ok(Value::Array(items)) => items,
      Ok(_) => return true,
      Err(issue) => return self.fault(&issue.keyword.clone(), issue.message),
    };
    let mut seen = std::collections::HashMap::new();
    for (i, item) in value.iter().enumerate() {
      if let Some(j) = seen.insert(item.to_string(), i) {
        return self.fail("uniqueItems", format!("must NOT have duplicate items (items ## {j} and {i} are identical)"));
      }
    }
    true
  }

  /// `propertyNames`: each member's name, as a string, against node `n`.
  pub(super) fn property_names(&mut self, n: usize, v: &I) -> bool {
    let keys = match v.keys() {
      Ok(k) => k,
      Err(f) => return self.fault("exception", f.message),
    };
    let mut ok = true;
    let mut name = String::new();
    for i in 0..I::keys_len(&keys) {
      match v.entry(&keys, i, &mut name) {
        Ok(x) if x.kind() == Kind::Undefined => continue,
        Ok(_) => {}
        Err(f) => return self.fault("exception", f.message),
      }
      let text = Value::String(name.clone());
      let mut names = Eval::<&Value>::new(self.plan, self.max_depth, None);
      names.node(n, &&text);
      if let Some(first) = names.finish().into_iter().next() {
        let message = format!("property name '{name}' is invalid: {}", first.message);
        self.path.push(Seg::Owned(name.clone()));
        ok &= self.fail("propertyNames", message);
        self.path.pop();
        if !self.collect {
          return false;
        }
      }
    }
    ok
  }

  /// `dependentRequired`: the names each present member requires.
  pub(super) fn dependent_required(&mut self, deps: &'p [(Key, Vec<Key>)], v: &I) -> bool {
    let mut ok = true;
    for (key, needs) in deps {
      match v.get(key) {
        Err(f) => return self.fault("exception", f.message),
        Ok(None) => continue,
        Ok(Some(_)) => {}
      }
      for need in needs {
        self.path.push(Seg::Key(&need.name));
        ok &= match v.get(need) {
          Err(f) => self.fault("exception", f.message),
          Ok(None) => self.fail(
            "dependentRequired",
            format!("must have property '{}' when property '{}' is present", need.name, key.name),
          ),
          Ok(Some(_)) => true,
        };
        self.path.pop();
        if !ok && !self.collect {
          return false;
        }
      }
    }
    ok
  }

  /// `contains`: how many items match node `n`, against `min` and `max`.
  pub(super) fn contains(&mut self, n: usize, min: u64, max: Option<u64>, v: &I) -> bool {
    let mut count = 0u64;
    for i in 0..v.array_len() {
      if max.is_none() && count >= min {
        break;
      }
      self.path.push(Seg::Index(i));
      let matched = match v.element(i) {
        Ok(x) => self.probe(n, &x),
        Err(f) => self.fault("exception", f.message),
      };
      self.path.pop();
      count += matched as u64;
    }
    match max {
      _ if count < min => self.fail("contains", format!("must contain at least {min} valid item(s)")),
      Some(max) if count > max => self.fail("contains", format!("must contain at most {max} valid item(s)")),
      _ => true,
    }
  }
}
