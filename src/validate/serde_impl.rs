//! `Instance` for `serde_json::Value`: the reference the tests compare against,
//! and the copies the walk makes (`uniqueItems`, `propertyNames`, schemas).
//! Its strings are native text (src/text.rs), so lengths count the JS string's.
use super::{Fault, Instance, Key, Kind};
use crate::text;
use serde_json::Value;

impl<'a> Instance for &'a Value {
  fn kind(&self) -> Kind {
    match self {
      Value::Null => Kind::Null,
      Value::Bool(_) => Kind::Bool,
      Value::Number(_) => Kind::Number,
      Value::String(_) => Kind::String,
      Value::Array(_) => Kind::Array,
      Value::Object(_) => Kind::Object,
    }
  }
  fn number(&self) -> f64 {
    self.as_f64().unwrap_or(f64::NAN)
  }
  fn boolean(&self) -> bool {
    self.as_bool().unwrap_or(false)
  }
  fn utf16_len(&self) -> usize {
    self.as_str().map_or(0, text::utf16_len)
  }
  fn char_len(&self) -> usize {
    self.as_str().map_or(0, text::char_len)
  }
  fn utf8_len(&self) -> usize {
    self.as_str().map_or(0, text::utf8_len)
  }
  fn text(&self) -> String {
    self.as_str().unwrap_or_default().to_string()
  }
  fn get(&self, key: &Key) -> Result<Option<Self>, Fault> {
    Ok(self.as_object().and_then(|m| m.get(&key.name)))
  }
  type Keys = Vec<(&'a String, &'a Value)>;
  fn keys(&self) -> Result<Self::Keys, Fault> {
    Ok(self.as_object().map(|m| m.iter().collect()).unwrap_or_default())
  }
  fn keys_len(keys: &Self::Keys) -> usize {
    keys.len()
  }
  fn entry(&self, keys: &Self::Keys, index: usize, name: &mut String) -> Result<Self, Fault> {
    let (k, v) = keys[index];
    name.clear();
    name.push_str(k);
    Ok(v)
  }
  fn array_len(&self) -> usize {
    self.as_array().map_or(0, Vec::len)
  }
  fn element(&self, index: usize) -> Result<Self, Fault> {
    self.as_array().and_then(|a| a.get(index)).ok_or_else(|| Fault::new("index out of range"))
  }
  fn members_among<'n>(&self, _site: usize, count: usize, name: &dyn Fn(usize) -> &'n str) -> Option<u64> {
    let map = self.as_object()?;
    if map.len() > 13 {
      return None;
    }
    let mut code = 0u64;
    for (i, key) in map.keys().enumerate() {
      let j = (0..count).find(|&j| name(j) == key)?;
      code |= (j as u64 + 1) << (4 * i);
    }
    Some(code)
  }
  fn same(&self, other: &Self) -> bool {
    std::ptr::eq(*self, *other)
  }
}
