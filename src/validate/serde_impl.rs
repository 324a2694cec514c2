//! `Instance` for `serde_json::Value`: the reference the tests compare against.
use super::{Fault, Instance, Key, Kind};
use serde_json::Value;

impl Instance for &Value {
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
    self.as_str().map_or(0, |s| s.chars().map(char::len_utf16).sum())
  }
  fn char_len(&self) -> usize {
    self.as_str().map_or(0, |s| s.chars().count())
  }
  fn utf8_len(&self) -> usize {
    self.as_str().map_or(0, str::len)
  }
  fn text(&self) -> String {
    self.as_str().unwrap_or_default().to_string()
  }
  fn get(&self, key: &Key) -> Result<Option<Self>, Fault> {
    Ok(self.as_object().and_then(|m| m.get(&key.name)))
  }
  fn entries(&self) -> Result<Vec<(String, Self)>, Fault> {
    Ok(self.as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), v)).collect()).unwrap_or_default())
  }
  fn array_len(&self) -> usize {
    self.as_array().map_or(0, Vec::len)
  }
  fn element(&self, index: usize) -> Result<Self, Fault> {
    self.as_array().and_then(|a| a.get(index)).ok_or_else(|| Fault::new("index out of range"))
  }
  fn same(&self, other: &Self) -> bool {
    std::ptr::eq(*self, *other)
  }
}
