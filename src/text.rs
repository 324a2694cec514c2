//! JS strings as the native side holds them: "native text".
//!
//! A JS string is UTF-16 and may hold lone surrogates (structured clone keeps
//! them, so a renderer can send `'\ud800'`). A Rust `String` cannot, and
//! Node-API's UTF-8 read replaces each with U+FFFD, so `'\ud800'`, `'\ud801'`
//! and `'\ufffd'` would read alike. The binding reads every JS string into
//! native text instead: the same UTF-8 when the string holds no lone surrogate
//! and no `ESC` (every string but hostile ones), else an escaped form. `ESC` is
//! U+FDD0, a noncharacter (reserved for internal use, never assigned): `ESC ESC`
//! stands for U+FDD0 itself, `ESC m` (`m` in U+E000..=U+E7FF) for the lone
//! surrogate `0xD800 + (m - 0xE000)`. Each code point has its own sequence and
//! none is the start of another, so two native texts are equal exactly when the
//! JS strings are `===`: every comparison the core makes (enum, const, names,
//! uniqueItems, cache and rate-limit keys) holds unchanged. Lengths and
//! patterns read the code points through `code_points`; strings go back to JS
//! through `to_units`.

/// Starts an escape (see the module comment).
pub const ESC: char = '\u{FDD0}';
/// The mark of the first lone surrogate (U+D800); the 2048 after it stand for the rest.
const MARKS: u32 = 0xE000;
const SURROGATES: std::ops::RangeInclusive<u32> = 0xD800..=0xDFFF;

/// Whether `text` holds an escape, i.e. is not the plain UTF-8 of its JS string.
#[inline]
pub fn is_escaped(text: &str) -> bool {
  // `ESC` is EF B7 90 in UTF-8: a byte memchr first, the char search only past it.
  text.as_bytes().contains(&0xEF) && text.contains(ESC)
}

/// Whether Node-API's UTF-8 of a JS string may differ from its native text: it
/// holds U+FFFD (what a lone surrogate reads as) or `ESC`. Both encode as
/// `EF xx xx`, so a string without an `EF` byte (almost all) costs one memchr.
#[inline]
pub fn may_differ(utf8: &[u8]) -> bool {
  utf8.contains(&0xEF) && utf8.windows(3).any(|w| matches!(w, [0xEF, 0xBF, 0xBD] | [0xEF, 0xB7, 0x90]))
}

/// Appends the native text of the UTF-16 `units`.
pub fn push_units(out: &mut String, units: &[u16]) {
  for c in char::decode_utf16(units.iter().copied()) {
    match c {
      Ok(ESC) => {
        out.push(ESC);
        out.push(ESC);
      }
      Ok(c) => out.push(c),
      Err(lone) => {
        out.push(ESC);
        out.push(char::from_u32(MARKS + (lone.unpaired_surrogate() as u32 - 0xD800)).unwrap_or(ESC));
      }
    }
  }
}

/// The native text of the UTF-16 `units`.
pub fn from_units(units: &[u16]) -> String {
  let mut out = String::with_capacity(units.len() + 8);
  push_units(&mut out, units);
  out
}

/// The code points of the JS string `text` stands for, a lone surrogate as
/// itself (0xD800..=0xDFFF). An `ESC` that starts no escape (text not read from
/// JS) is U+FDD0.
pub fn code_points(text: &str) -> CodePoints<'_> {
  CodePoints { chars: text.chars() }
}

pub struct CodePoints<'a> {
  chars: std::str::Chars<'a>,
}

impl Iterator for CodePoints<'_> {
  type Item = u32;

  fn next(&mut self) -> Option<u32> {
    let c = self.chars.next()?;
    if c != ESC {
      return Some(c as u32);
    }
    let mut ahead = self.chars.clone();
    Some(match ahead.next().map(|m| m as u32) {
      Some(m) if m == ESC as u32 => {
        self.chars = ahead;
        m
      }
      Some(m) if (MARKS..MARKS + 0x800).contains(&m) => {
        self.chars = ahead;
        0xD800 + (m - MARKS)
      }
      _ => ESC as u32,
    })
  }
}

/// Whether `cp` (from `code_points`) is a lone surrogate.
pub fn is_surrogate(cp: u32) -> bool {
  SURROGATES.contains(&cp)
}

/// Length in UTF-16 units (JS `length`).
pub fn utf16_len(text: &str) -> usize {
  if !is_escaped(text) {
    return text.chars().map(char::len_utf16).sum();
  }
  code_points(text).map(|c| if c > 0xFFFF { 2 } else { 1 }).sum()
}

/// Length in code points, a lone surrogate counting one (JSON Schema's string length).
pub fn char_len(text: &str) -> usize {
  if !is_escaped(text) {
    return text.chars().count();
  }
  code_points(text).count()
}

/// Bytes of the UTF-8 Node-API writes for the JS string (a lone surrogate as U+FFFD: 3).
pub fn utf8_len(text: &str) -> usize {
  if !is_escaped(text) {
    return text.len();
  }
  code_points(text).map(|c| char::from_u32(c).map_or(3, char::len_utf8)).sum()
}

/// The JS string's UTF-16 units.
pub fn to_units(text: &str) -> Vec<u16> {
  let mut out = Vec::with_capacity(text.len());
  for c in code_points(text) {
    match char::from_u32(c) {
      Some(c) => out.extend_from_slice(c.encode_utf16(&mut [0; 2])),
      None => out.push(c as u16),
    }
  }
  out
}

/// `text` for a message that must be a Rust string: each lone surrogate as
/// U+FFFD (what Node-API's UTF-8 would show), everything else as it is.
pub fn lossy(text: &str) -> std::borrow::Cow<'_, str> {
  if !is_escaped(text) {
    return text.into();
  }
  code_points(text).map(|c| char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER)).collect::<String>().into()
}

/// Cuts `text` to at most `max` bytes, on a character boundary and never
/// between an `ESC` and what it escapes.
pub fn truncate(text: &mut String, max: usize) {
  if text.len() <= max {
    return;
  }
  let mut cut = (0..=max).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
  // An odd run of ESCs before the cut ends with an escape missing its second half.
  let run = text[..cut].chars().rev().take_while(|&c| c == ESC).count();
  if run % 2 == 1 {
    cut -= ESC.len_utf8();
  }
  text.truncate(cut);
}

#[cfg(test)]
mod tests {
  use super::*;

  fn units(s: &[u16]) -> String {
    from_units(s)
  }

  #[test]
  fn plain_strings_stay_as_they_are() {
    for s in ["", "abc", "é😀\u{fffd}", "\u{e000}\u{e7ff}"] {
      let u: Vec<u16> = s.encode_utf16().collect();
      assert_eq!(units(&u), s);
      assert!(!is_escaped(s));
      assert_eq!(to_units(s), u);
    }
  }

  #[test]
  fn distinct_js_strings_stay_distinct() {
    let cases: Vec<Vec<u16>> = vec![
      vec![0xD800],
      vec![0xD801],
      vec![0xFFFD],
      vec![0xFDD0],
      vec![0xFDD0, 0xFDD0],
      vec![0xE000],
      vec![0xFDD0, 0xE000],
      vec![0xD800, 0xE000],
      vec![0xD83D, 0xDE00],
      vec![0xDE00, 0xD83D],
      vec![0xD800, 0x30],
      vec![0xFFFD, 0x30],
    ];
    let texts: Vec<String> = cases.iter().map(|u| units(u)).collect();
    for (i, a) in texts.iter().enumerate() {
      assert_eq!(to_units(a), cases[i], "round trip of {:?}", cases[i]);
      for (j, b) in texts.iter().enumerate() {
        assert_eq!(a == b, i == j, "{:?} vs {:?}", cases[i], cases[j]);
      }
    }
  }

  #[test]
  fn lengths_are_the_js_strings() {
    let s = units(&[0x61, 0xD800, 0xD83D, 0xDE00, 0xFDD0, 0xDFFF]);
    assert_eq!(utf16_len(&s), 6);
    assert_eq!(char_len(&s), 5);
    assert_eq!(utf8_len(&s), 1 + 3 + 4 + 3 + 3);
    assert_eq!(code_points(&s).collect::<Vec<_>>(), [0x61, 0xD800, 0x1F600, 0xFDD0, 0xDFFF]);
    assert!(code_points(&s).any(is_surrogate));
  }

  #[test]
  fn the_cheap_check_sees_every_string_that_may_differ() {
    assert!(!may_differ(b"plain ascii") && !may_differ("é😀".as_bytes()));
    assert!(may_differ("a\u{fffd}".as_bytes()) && may_differ("\u{fdd0}".as_bytes()));
    assert!(!may_differ("\u{ffef}".as_bytes()), "an EF lead byte alone is not enough");
  }

  #[test]
  fn lossy_shows_what_utf8_would() {
    assert_eq!(lossy(&units(&[0x61, 0xD800, 0xFDD0])), "a\u{fffd}\u{fdd0}");
    assert_eq!(lossy("plain"), "plain");
  }

  #[test]
  fn truncation_keeps_escapes_whole() {
    let mut s = units(&[0x61, 0x61, 0xD800]);
    truncate(&mut s, 5);
    assert_eq!(s, "aa");
    let mut s = units(&[0x61, 0xFDD0, 0x62]);
    truncate(&mut s, 7);
    assert_eq!(to_units(&s), [0x61, 0xFDD0]);
    let mut s = "a".repeat(10);
    truncate(&mut s, 4);
    assert_eq!(s, "aaaa");
  }
}
