//! Sets of code points as ECMA-262's `u` flag counts them (0..=0x10FFFF, lone
//! surrogates included): what one character of a pattern may match. Kept as
//! sorted, disjoint, non-adjacent inclusive ranges, and written out as a
//! regex-lite class.
use std::fmt::Write;

pub const MAX: u32 = 0x10FFFF;
pub const SURROGATES: (u32, u32) = (0xD800, 0xDFFF);

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Set(Vec<(u32, u32)>);

impl Set {
  pub fn of(ranges: impl IntoIterator<Item = (u32, u32)>) -> Set {
    let mut r: Vec<(u32, u32)> = ranges.into_iter().filter(|(a, b)| a <= b).collect();
    r.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(r.len());
    for (a, b) in r {
      match out.last_mut() {
        Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
        _ => out.push((a, b)),
      }
    }
    Set(out)
  }

  pub fn one(c: u32) -> Set {
    Set(vec![(c, c)])
  }

  pub fn ranges(&self) -> &[(u32, u32)] {
    &self.0
  }

  pub fn add(&mut self, other: &Set) {
    *self = Set::of(self.0.iter().chain(&other.0).copied());
  }

  pub fn complement(&self) -> Set {
    let mut out = Vec::with_capacity(self.0.len() + 1);
    let mut next = 0u32;
    for &(a, b) in &self.0 {
      if a > next {
        out.push((next, a - 1));
      }
      next = b + 1;
    }
    if next <= MAX {
      out.push((next, MAX));
    }
    Set(out)
  }

  pub fn intersect(&self, other: &Set) -> Set {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < self.0.len() && j < other.0.len() {
      let (a, b) = (self.0[i], other.0[j]);
      let (lo, hi) = (a.0.max(b.0), a.1.min(b.1));
      if lo <= hi {
        out.push((lo, hi));
      }
      if a.1 < b.1 {
        i += 1;
      } else {
        j += 1;
      }
    }
    Set(out)
  }

  pub fn minus(&self, other: &Set) -> Set {
    self.intersect(&other.complement())
  }

  /// The set moved by `by` (which keeps it within 0..=MAX).
  pub fn shifted(&self, by: i64) -> Set {
    Set(self.0.iter().map(|&(a, b)| ((a as i64 + by) as u32, (b as i64 + by) as u32)).collect())
  }

  /// regex-lite text matching one character of the set (none when it is empty).
  /// Surrogates must be gone (see `Translation`): regex-lite's text is `char`s.
  pub fn regex(&self) -> String {
    match self.0.as_slice() {
      [] => r"[^\x00-\x{10FFFF}]".to_string(),
      &[(a, b)] if a == b => literal(a),
      ranges => {
        let mut out = String::from("[");
        for &(a, b) in ranges {
          out.push_str(&literal(a));
          if b > a {
            out.push('-');
            out.push_str(&literal(b));
          }
        }
        out.push(']');
        out
      }
    }
  }
}

/// One code point as regex-lite text, in a class or out: ASCII letters and
/// digits as themselves (short and readable), anything else escaped, so no
/// metacharacter can slip through.
fn literal(c: u32) -> String {
  match char::from_u32(c) {
    Some(ch) if ch.is_ascii_alphanumeric() => ch.to_string(),
    _ => {
      let mut out = String::new();
      let _ = write!(out, r"\x{{{c:X}}}");
      out
    }
  }
}

/// ECMA-262 `\d`, `\w`, `\s` (white space and line terminators), and what `.`
/// excludes (line terminators).
pub fn digit() -> Set {
  Set::of([(0x30, 0x39)])
}

pub fn word() -> Set {
  Set::of([(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)])
}

pub fn space() -> Set {
  Set::of([
    (0x09, 0x0D),
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
  ])
}

pub fn dot() -> Set {
  Set::of([(0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)]).complement()
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn set_algebra() {
    let a = Set::of([(5, 10), (1, 2), (3, 3), (20, 30)]);
    assert_eq!(a.ranges(), [(1, 3), (5, 10), (20, 30)]);
    assert_eq!(a.complement().complement(), a);
    assert_eq!(a.complement().ranges(), [(0, 0), (4, 4), (11, 19), (31, MAX)]);
    assert_eq!(a.intersect(&Set::of([(8, 25)])).ranges(), [(8, 10), (20, 25)]);
    assert_eq!(a.minus(&Set::of([(2, 21)])).ranges(), [(1, 1), (22, 30)]);
    assert_eq!(Set::of([(0, MAX)]).complement(), Set::default());
    assert_eq!(Set::one(3).shifted(4).ranges(), [(7, 7)]);
  }

  #[test]
  fn regex_text() {
    assert_eq!(Set::one(0x61).regex(), "a");
    assert_eq!(Set::one(0x2E).regex(), r"\x{2E}");
    assert_eq!(digit().regex(), "[0-9]");
    assert_eq!(Set::of([(0x2D, 0x2D), (0x5D, 0x5E)]).regex(), r"[\x{2D}\x{5D}-\x{5E}]");
    assert_eq!(Set::default().regex(), r"[^\x00-\x{10FFFF}]");
  }
}
