//! `readAhead.check(object, code, ...members)`: `validate` for a plain object
//! whose named members JS has already read (lib/registry/read-ahead.js). JS reads a
//! property in about a nanosecond; `napi_get_named_property` costs 100-200 ns, as
//! it makes and internalizes the key each time. So the members cross as the
//! call's arguments and the plan walks them unchanged: `Ahead` answers the
//! root's reads from them and everything deeper from the live values.
use super::realm::Realm;
use super::value::JsVal;
use super::{type_of, Fast};
use crate::validate::{Fault, Instance, Issue, Key, Kind, READ_AHEAD_MAX};
use napi::sys;
use std::cell::Cell;

/// The root object and its named members (raw, in the plan's name order).
pub(super) struct Members<'r> {
  realm: &'r Realm<'r>,
  object: JsVal<'r>,
  names: &'r [String],
  values: &'r [sys::napi_value],
  /// The members code of its keys (`Instance::members_among`), when the caller knew it.
  code: Option<u64>,
  /// Where the next name is likely to be: the plan reads them in order.
  next: Cell<usize>,
}

impl<'r> Members<'r> {
  fn index_of(&self, name: &str) -> Option<usize> {
    let guess = self.next.get();
    let i = if self.names.get(guess).is_some_and(|n| n == name) {
      guess
    } else {
      self.names.iter().position(|n| n == name)?
    };
    self.next.set(i + 1);
    Some(i)
  }
}

/// An instance whose root members were read ahead.
#[derive(Clone, Copy)]
pub(super) enum Ahead<'r> {
  Root(&'r Members<'r>),
  Value(JsVal<'r>),
}

impl<'r> Ahead<'r> {
  fn live(&self) -> &JsVal<'r> {
    match self {
      Ahead::Root(m) => &m.object,
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
    if let Ahead::Root(m) = self {
      if let Some(&raw) = m.index_of(&key.name).and_then(|i| m.values.get(i)) {
        // SAFETY: the members are arguments of the realm's live call (`validate_read_ahead`).
        let v = unsafe { JsVal::new(m.realm, raw) };
        // An undefined member is absent, as in `JsVal::get`.
        return Ok((v.kind() != Kind::Undefined).then_some(Ahead::Value(v)));
      }
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
    self.live().array_len()
  }
  fn element(&self, index: usize) -> Result<Self, Fault> {
    self.live().element(index).map(Ahead::Value)
  }
  fn same(&self, other: &Self) -> bool {
    self.live().same(other.live())
  }
  fn members_among<'n>(&self, site: usize, count: usize, name: &dyn Fn(usize) -> &'n str) -> Option<u64> {
    match self {
      // The root has one object keyword, the one the names are of.
      Ahead::Root(m) if count == m.names.len() => m.code,
      _ => self.live().members_among(site, count, name),
    }
  }
}

/// The call's arguments: the object, its members code (-1 when unknown), then its members.
pub(super) const READ_AHEAD_ARGS: usize = 2 + READ_AHEAD_MAX;

/// `validate(object)` with the object's named members passed in (`argv`, see
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
    let names = fast.validator.read_ahead().map_or(&[][..], |r| r.names.as_slice());
    // Only a plain object may be read ahead (JS checks its prototype); anything else walks as usual.
    if names.is_empty() || argc < 2 + names.len() || type_of(env, argv[0]) != sys::ValueType::napi_object {
      return fast.validator.validate(&JsVal::new(&realm, argv[0]));
    }
    let object = JsVal::plain_object(&realm, argv[0]);
    let mut code = -1.0;
    sys::napi_get_value_double(env, argv[1], &mut code);
    let members = Members {
      realm: &realm,
      object,
      names,
      values: &argv[2..2 + names.len()],
      code: (code >= 0.0).then_some(code as u64),
      next: Cell::new(0),
    };
    fast.validator.validate(&Ahead::Root(&members))
  }
}
