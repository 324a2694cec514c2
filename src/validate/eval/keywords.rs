//! One keyword against one value: `check`, and the value helpers it needs.
use super::Eval;
use crate::validate::plan::*;
use crate::validate::{Fault, Instance, Kind};
use serde_json::Value;

/// JSON equality of an instance and a schema value; numbers compare by value.
pub fn equals<I: Instance>(v: &I, c: &Value) -> Result<bool, Fault> {
  Ok(match (v.kind(), c) {
    (Kind::Thrown, _) => return Err(v.fault()),
    (Kind::Null, Value::Null) => true,
    (Kind::Bool, Value::Bool(b)) => v.boolean() == *b,
    (Kind::Number, Value::Number(n)) => n.as_f64() == Some(v.number()),
    // Both sides are native text: equal exactly when the JS strings are.
    (Kind::String, Value::String(s)) => v.utf16_len() == crate::text::utf16_len(s) && v.text() == *s,
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
      let entries: Vec<_> = v.entries()?.into_iter().filter(|(_, x)| x.kind() != Kind::Undefined).collect();
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
  if !q.is_finite() {
    return false;
  }
  // A decimal divisor (0.01) has no exact binary form: 0.0075 / 0.0001 is
  // 74.99999999999999. A quotient within a few ulps of an integer counts.
  q.fract() == 0.0 || (m.fract() != 0.0 && (q - q.round()).abs() <= q.abs() * 4.0 * f64::EPSILON)
}

impl<'p, I: Instance> Eval<'p, I> {
  pub(super) fn check(&mut self, check: &'p Check, kind: Kind, v: &I) -> bool {
    match check {
      Check::False => self.fail("false schema", "boolean schema is false".into()),
      Check::Type(bits) => {
        let ok = match kind {
          Kind::Null => bits & T_NULL != 0,
          Kind::Bool => bits & T_BOOL != 0,
          Kind::Number => bits & T_NUMBER != 0 || (bits & T_INTEGER != 0 && v.number().fract() == 0.0),
          Kind::String => bits & T_STRING != 0,
          Kind::Array => bits & T_ARRAY != 0,
          Kind::Object => bits & T_OBJECT != 0,
          Kind::Undefined | Kind::Unsupported(_) | Kind::Thrown => false,
        };
        ok || self.fail("type", format!("must be {}", type_names(*bits).join(",")))
      }
      Check::Const(c) => match equals(v, c) {
        Ok(true) => true,
        Ok(false) => self.fail("const", "must be equal to constant".into()),
        Err(f) => self.fault("exception", f.message),
      },
      Check::Enum(options) => {
        for c in options {
          match equals(v, c) {
            Ok(true) => return true,
            Ok(false) => {}
            Err(f) => return self.fault("exception", f.message),
          }
        }
        self.fail("enum", "must be equal to one of the allowed values".into())
      }
      Check::MinLength(min) if kind == Kind::String => {
        // A code point is one or two UTF-16 units: count only when the bounds disagree.
        let units = v.utf16_len() as u64;
        let ok = units.div_ceil(2) >= *min || (units >= *min && v.char_len() as u64 >= *min);
        ok || self.fail("minLength", format!("must NOT have fewer than {min} characters"))
      }
      Check::MaxLength(max) if kind == Kind::String => {
        let units = v.utf16_len() as u64;
        let ok = units <= *max || (units.div_ceil(2) <= *max && v.char_len() as u64 <= *max);
        ok || self.fail("maxLength", format!("must NOT have more than {max} characters"))
      }
      Check::Minimum(m) if kind == Kind::Number => v.number() >= *m || self.fail("minimum", format!("must be >= {m}")),
      Check::Maximum(m) if kind == Kind::Number => v.number() <= *m || self.fail("maximum", format!("must be <= {m}")),
      Check::ExclusiveMinimum(m) if kind == Kind::Number => {
        v.number() > *m || self.fail("exclusiveMinimum", format!("must be > {m}"))
      }
      Check::ExclusiveMaximum(m) if kind == Kind::Number => {
        v.number() < *m || self.fail("exclusiveMaximum", format!("must be < {m}"))
      }
      Check::MultipleOf(m) if kind == Kind::Number => {
        is_multiple(v.number(), *m) || self.fail("multipleOf", format!("must be multiple of {m}"))
      }
      Check::Pattern(p) if kind == Kind::String => {
        p.is_match(&v.text()) || self.fail("pattern", format!("must match pattern \"{}\"", p.source))
      }
      Check::Object { props, patterns, extra_required, additional, site } if kind == Kind::Object => {
        self.descend(v);
        let ok = self.object(props, patterns, extra_required, additional, *site, v);
        self.ascend();
        ok
      }
      Check::PropertyNames(n) if kind == Kind::Object => self.property_names(*n, v),
      Check::DependentRequired(deps) if kind == Kind::Object => self.dependent_required(deps, v),
      Check::DependentSchemas(deps) if kind == Kind::Object => {
        let mut ok = true;
        for (key, n) in deps {
          match v.get(key) {
            Err(f) => return self.fault("exception", f.message),
            Ok(None) => {}
            Ok(Some(_)) => ok &= self.node(*n, v),
          }
          if !ok && !self.collect {
            return false;
          }
        }
        ok
      }
      Check::Contains { node, min, max } if kind == Kind::Array => {
        self.descend(v);
        let ok = self.contains(*node, *min, *max, v);
        self.ascend();
        ok
      }
      Check::Conditional { test, then, otherwise } => match (self.probe(*test, v), then, otherwise) {
        (true, Some(n), _) | (false, _, Some(n)) => self.node(*n, v),
        _ => true,
      },
      Check::MinProperties(min) if kind == Kind::Object => match v.entries() {
        Ok(e) => {
          count_defined(&e) >= *min || self.fail("minProperties", format!("must NOT have fewer than {min} properties"))
        }
        Err(f) => self.fault("exception", f.message),
      },
      Check::MaxProperties(max) if kind == Kind::Object => match v.entries() {
        Ok(e) => {
          count_defined(&e) <= *max || self.fail("maxProperties", format!("must NOT have more than {max} properties"))
        }
        Err(f) => self.fault("exception", f.message),
      },
      Check::Array { prefix, items } if kind == Kind::Array => {
        self.descend(v);
        let ok = self.array(prefix, *items, v);
        self.ascend();
        ok
      }
      Check::MinItems(min) if kind == Kind::Array => {
        v.array_len() as u64 >= *min || self.fail("minItems", format!("must NOT have fewer than {min} items"))
      }
      Check::MaxItems(max) if kind == Kind::Array => {
        v.array_len() as u64 <= *max || self.fail("maxItems", format!("must NOT have more than {max} items"))
      }
      Check::Unique if kind == Kind::Array => self.unique(v),
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
      Check::AnyOf(list) => {
        list.iter().any(|&n| self.probe(n, v)) || self.fail("anyOf", "must match a schema in anyOf".into())
      }
      Check::OneOf(list) => {
        let matched = list.iter().filter(|&&n| self.probe(n, v)).count();
        matched == 1 || self.fail("oneOf", "must match exactly one schema in oneOf".into())
      }
      Check::Not(n) => !self.probe(*n, v) || self.fail("not", "must NOT be valid".into()),
      Check::Ref(n) => self.follow(*n, v),
      // A keyword for another type than the instance's holds trivially.
      _ => true,
    }
  }
}

fn count_defined<I: Instance>(entries: &[(String, I)]) -> u64 {
  entries.iter().filter(|(_, x)| x.kind() != Kind::Undefined).count() as u64
}
