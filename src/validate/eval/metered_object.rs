//! Metered objects: members measured in their own order, issues put back in
//! the order the unmetered walk reports them.
use super::Eval;
use crate::validate::plan::*;
use crate::validate::{Instance, Issue, Key, Kind, Seg, MEMBERS_CODE_NAMES};

impl<'p, I: Instance> Eval<'p, I> {
  /// The common case: every member is one of the schema's properties, as
  /// `members_among` tells in one step (with their order): each is then read by
  /// name (no key list walked), measured and evaluated in member order, and the
  /// issues put back in schema order. None: not the case.
  pub(super) fn members_metered(&mut self, props: &'p [Prop], extra: &'p [Key], site: usize, v: &I) -> Option<bool> {
    if props.is_empty() || props.len() > MEMBERS_CODE_NAMES {
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
        Err(f) => return Some(self.stop(Issue::at(&self.path, "exception", f.message))),
        // An undefined member is absent, and not measured.
        Ok(None) => !prop.required || self.missing(&prop.key.name),
        Ok(Some(x)) => {
          if let Err(issue) = self
            .meter
            .as_mut()
            .expect("metered")
            .add(&self.path[..self.path.len() - 1], prop.key.utf8_len() as f64 + 3.0)
          {
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
    Some(self.finish_members(props, extra, v, |j| seen & (1 << j) != 0, base, segments) && ok)
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
  pub(super) fn object_metered(
    &mut self,
    props: &'p [Prop],
    extra: &'p [Key],
    additional: &'p Additional,
    v: &I,
  ) -> bool {
    let keys = match v.keys() {
      Ok(k) => k,
      Err(f) => return self.stop(Issue::at(&self.path, "exception", f.message)),
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
          return self.stop(Issue::at(&self.path, "exception", f.message));
        }
      };
      if x.kind() == Kind::Undefined {
        continue;
      }
      if let Err(issue) =
        self.meter.as_mut().expect("metered").add(&self.path, crate::text::utf8_len(&name) as f64 + 3.0)
      {
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
              self.metered(None, &x)
                && self.fail("additionalProperties", format!("must NOT have additional property '{name}'"))
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
    let seen = |j: usize| if props.len() > 64 { seen_big[j] } else { seen_small & (1 << j) != 0 };
    self.finish_members(props, extra, v, seen, base, segments) && ok
  }

  /// After the member pass: properties it did not see are read by name, then the
  /// `required` names outside `properties`; issues go back in schema order.
  #[allow(clippy::too_many_arguments)]
  fn finish_members(
    &mut self,
    props: &'p [Prop],
    extra: &'p [Key],
    v: &I,
    seen: impl Fn(usize) -> bool,
    base: usize,
    mut segments: Vec<(usize, usize, usize)>,
  ) -> bool {
    let mut ok = true;
    for (j, prop) in props.iter().enumerate() {
      if !seen(j) {
        let start = self.issues.len();
        ok &= self.prop(prop, v);
        if self.issues.len() > start {
          segments.push((j, start, self.issues.len()));
        }
      }
    }
    for (k, key) in extra.iter().enumerate() {
      let start = self.issues.len();
      ok &= self.required(key, v);
      if self.issues.len() > start {
        segments.push((props.len() + k, start, self.issues.len()));
      }
    }
    self.reorder(base, segments);
    ok
  }
}
