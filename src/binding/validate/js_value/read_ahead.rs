//! `readAhead.check(root, n, ...values)`: `validate` for a plain object whose
//! named members, or an array whose leading items, JS has already read
//! (lib/registry/read-ahead.js). JS reads a property in about a nanosecond;
//! `napi_get_named_property` costs 100-200 ns, as it makes and internalizes the
//! key each time. So the values cross as the call's arguments and the plan
//! walks them unchanged: `Ahead` answers the root's reads from them and
//! everything else from the live values.
use super::realm::Realm;
use super::value::JsVal;
use super::{ok, type_of, Fast};
use crate::validate::{Fault, Instance, Issue, Key, Kind, ReadAhead, READ_AHEAD_MAX};
use napi::sys;
use std::cell::Cell;

/// The root and the values read ahead of it (raw, in the plan's order).
pub(super) struct Root<'r> {
  realm: &'r Realm<'r>,
  live: JsVal<'r>,
  values: &'r [sys::napi_value],
  shape: Shape<'r>,
}

enum Shape<'r> {
  Members {
    names: &'r [String],
    /// The members code of its keys (`Instance::members_among`), when the caller knew it.
    code: Option<u64>,
    /// Where the next name is likely to be: the plan reads them in order.
    next: Cell<usize>,
  },
  Items {
    len: usize,
  },
}

impl<'r> Root<'r> {
  /// The value read ahead at `index`.
  fn value(&self, index: usize) -> Option<JsVal<'r>> {
    let raw = *self.values.get(index)?;
    // SAFETY: the values are arguments of the realm's live call (`validate_read_ahead`).
    Some(unsafe { JsVal::new(self.realm, raw) })
  }

  fn member(&self, name: &str) -> Option<JsVal<'r>> {
    let Shape::Members { names, next, .. } = &self.shape else { return None };
    let guess = next.get();
    let i = if names.get(guess).is_some_and(|n| n == name) { guess } else { names.iter().position(|n| n == name)? };
    next.set(i + 1);
    self.value(i)
  }
}

/// An instance whose root was read ahead.
#[derive(Clone, Copy)]
pub(super) enum Ahead<'r> {
  Root(&'r Root<'r>),
  Value(JsVal<'r>),
}

impl<'r> Ahead<'r> {
  fn root(&self) -> Option<&'r Root<'r>> {
    match self {
      Ahead::Root(r) => Some(r),
      Ahead::Value(_) => None,
    }
  }

  fn live(&self) -> &JsVal<'r> {
    match self {
      Ahead::Root(r) => &r.live,
      Ahead::Value(v) => v,
    }
  }
}

impl<'r> Instance for Ahead<'r> {
  fn kind(&self) -> Kind {
    self.live().kind()
  }
  fn fault(&self) -> Fault {
    self.live().fault()
  }
  fn number(&self) -> f64 {
    self.live().number()
  }
  fn boolean(&self) -> bool {
    self.live().boolean()
  }
  fn utf16_len(&self) -> usize {
    self.live().utf16_len()
  }
  fn char_len(&self) -> usize {
    self.live().char_len()
  }
  fn utf8_len(&self) -> usize {
    self.live().utf8_len()
  }
  fn text(&self) -> String {
    self.live().text()
  }
  fn get(&self, key: &Key) -> Result<Option<Self>, Fault> {
    if let Some(v) = self.root().and_then(|r| r.member(&key.name)) {
      // An undefined member is absent, as in `JsVal::get`.
      return Ok((v.kind() != Kind::Undefined).then_some(Ahead::Value(v)));
    }
    self.live().get(key).map(|v| v.map(Ahead::Value))
  }
  type Keys = <JsVal<'r> as Instance>::Keys;
  fn keys(&self) -> Result<Self::Keys, Fault> {
    self.live().keys()
  }
  fn keys_len(keys: &Self::Keys) -> usize {
    JsVal::keys_len(keys)
  }
  fn entry(&self, keys: &Self::Keys, index: usize, name: &mut String) -> Result<Self, Fault> {
    self.live().entry(keys, index, name).map(Ahead::Value)
  }
  fn array_len(&self) -> usize {
    match self {
      Ahead::Root(Root { shape: Shape::Items { len }, .. }) => *len,
      _ => self.live().array_len(),
    }
  }
  fn element(&self, index: usize) -> Result<Self, Fault> {
    if let Ahead::Root(r @ Root { shape: Shape::Items { len }, .. }) = self {
      if let Some(v) = r.value(index).filter(|_| index < *len) {
        return Ok(Ahead::Value(v));
      }
    }
    self.live().element(index).map(Ahead::Value)
  }
  fn same(&self, other: &Self) -> bool {
    self.live().same(other.live())
  }
  fn members_among<'n>(&self, site: usize, count: usize, name: &dyn Fn(usize) -> &'n str) -> Option<u64> {
    match self {
      // The root has one object keyword, the one the names are of.
      Ahead::Root(Root { shape: Shape::Members { names, code, .. }, .. }) if count == names.len() => *code,
      _ => self.live().members_among(site, count, name),
    }
  }
}

/// The call's arguments: the root, an object's members code (-1 when unknown;
/// ignored for an array), then the values read ahead.
pub(super) const READ_AHEAD_ARGS: usize = 2 + READ_AHEAD_MAX;

/// `validate(root)` with what was read ahead of it passed in (`argv`, see
/// above; `argc` of them were given, the rest read as undefined).
///
/// # Safety
/// A live call on `env`; `argv` are its arguments; `fast` is the calling function's.
pub(super) unsafe fn validate_read_ahead(
  env: sys::napi_env,
  argv: &[sys::napi_value; READ_AHEAD_ARGS],
  argc: usize,
  fast: &Fast,
) -> Vec<Issue> {
  // SAFETY: the caller's contract: every value below is an argument of this call.
  unsafe {
    let realm = Realm::with_sites(env, &fast.sites);
    let walk = || fast.validator.validate(&JsVal::new(&realm, argv[0]));
    let (count, shape) = match fast.validator.read_ahead() {
      // Only a plain object (JS checks its prototype) or an array may be read ahead.
      Some(ReadAhead::Members { names, .. }) if type_of(env, argv[0]) == sys::ValueType::napi_object => {
        let mut number = -1.0;
        sys::napi_get_value_double(env, argv[1], &mut number);
        let code = (number >= 0.0).then_some(number as u64);
        (names.len(), Shape::Members { names, code, next: Cell::new(0) })
      }
      Some(ReadAhead::Items { count }) => {
        let mut is_array = false;
        // A Proxy is no array to Node-API: the walk refuses it, and so does this.
        if !ok(sys::napi_is_array(env, argv[0], &mut is_array)) || !is_array {
          return walk();
        }
        // Read here, not taken from JS: one cheap call, and the walk's own answer.
        let mut len = 0u32;
        sys::napi_get_array_length(env, argv[0], &mut len);
        (*count, Shape::Items { len: len as usize })
      }
      _ => return walk(),
    };
    if argc < 2 + count {
      return walk();
    }
    let kind = if matches!(shape, Shape::Members { .. }) { Kind::Object } else { Kind::Array };
    let live = JsVal::known(&realm, argv[0], kind);
    let root = Root { realm: &realm, live, values: &argv[2..2 + count], shape };
    fast.validator.validate(&Ahead::Root(&root))
  }
}
