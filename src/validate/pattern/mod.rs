//! `pattern` and `patternProperties`: ECMA-262 regular expressions (what JSON
//! Schema specifies, and what ajv runs with the `u` flag) on `regex-lite`.
//!
//! `parse` reads a pattern into regex syntax and the sets of code points its
//! characters match; this module writes that out twice, as regex-lite runs on
//! `str`, which cannot hold the lone surrogates a JS string can (src/text.rs):
//! - `plain`, for subjects without one (all but hostile ones): each set minus
//!   the surrogates, so strings that have none match as they always did;
//! - `lifted`, for the rest. Their lone surrogates move to a block of 2048 code
//!   points above the BMP inside which no set of the pattern has an edge (found
//!   per pattern), each set matches in that block what it matched on the
//!   surrogates, and a real character of the block reads as the one just below
//!   it, which every set treats alike. So each code point of the subject meets
//!   exactly the sets it would in ECMA-262 (a lone surrogate is one code point,
//!   `.` matches it, `\ud800` matches only it), and matching stays linear: one
//!   pass to map, then regex-lite's linear-time engines.
//!
//! Matching is unanchored, as in ECMA-262's `test`.
mod parse;
mod sets;

use crate::text;
use parse::Piece;
use regex_lite::Regex;
use sets::{Set, MAX, SURROGATES};

/// Lone surrogates, and how many code points the lifted block takes.
const LIFT_LEN: u32 = SURROGATES.1 - SURROGATES.0 + 1;

/// A compiled pattern and its source (native text, for messages).
#[derive(Debug)]
pub struct Pattern {
  pub source: String,
  plain: Regex,
  lifted: Regex,
  /// Where lone surrogates are lifted to: `base..base + LIFT_LEN`.
  base: u32,
}

impl Pattern {
  /// The reason when the pattern is not a valid ECMA-262 regex or uses a feature
  /// this engine does not have.
  pub fn new(source: &str) -> Result<Pattern, String> {
    let code_points: Vec<u32> = text::code_points(source).collect();
    let pieces = parse::parse(&code_points)?;
    let base = lift_base(&pieces).map_or_else(
      || Err("has too many character ranges above U+FFFF for ipcflow's validator to place lone surrogates".to_string()),
      Ok,
    )?;
    let surrogates = Set::of([SURROGATES]);
    let plain_text = write(&pieces, |s| s.minus(&surrogates));
    let lifted_text = write(&pieces, |s| lift(s, base));
    let compile = |t: &str| Regex::new(t).map_err(|e| format!("is not a valid regular expression: {e}"));
    let plain = compile(&plain_text)?;
    let lifted = if lifted_text == plain_text { plain.clone() } else { compile(&lifted_text)? };
    Ok(Pattern { source: source.to_string(), plain, lifted, base })
  }

  /// Whether the JS string `text` (native text) has a match.
  pub fn is_match(&self, text: &str) -> bool {
    if !text::is_escaped(text) {
      return self.plain.is_match(text);
    }
    let block = self.base..self.base + LIFT_LEN;
    let lifted: String = text::code_points(text)
      .map(|c| match c {
        c if text::is_surrogate(c) => self.base + (c - SURROGATES.0),
        c if block.contains(&c) => self.base - 1,
        c => c,
      })
      .map(|c| char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER))
      .collect();
    self.lifted.is_match(&lifted)
  }

  /// Whether every match is of bounded length: no `*`, `+` or `{n,}` outside a
  /// class. A backtracking engine (a JS RegExp) then does bounded work per
  /// start position, so its time stays linear in the text whatever the text.
  pub fn bounded(&self) -> bool {
    let chars: Vec<char> = self.source.chars().collect();
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
      match chars[i] {
        '\\' => i += 1,
        '[' if !in_class => in_class = true,
        ']' if in_class => in_class = false,
        '*' | '+' if !in_class => return false,
        '{' if !in_class => {
          let close = chars[i..].iter().position(|&c| c == '}').map(|end| i + end);
          if close.is_some_and(|end| chars[i + 1..end].contains(&',') && chars[end - 1] == ',') {
            return false;
          }
        }
        _ => {}
      }
      i += 1;
    }
    true
  }
}

/// Regex-lite text of the pieces, each set written as `map` makes it.
fn write(pieces: &[Piece], map: impl Fn(&Set) -> Set) -> String {
  let mut out = String::new();
  for piece in pieces {
    match piece {
      Piece::Syntax(s) => out.push_str(s),
      Piece::Chars(set) => out.push_str(&map(set).regex()),
    }
  }
  out
}

/// What `set` matches with lone surrogates lifted to `base..`: the same
/// outside the block, and in it what it matched on the surrogates.
fn lift(set: &Set, base: u32) -> Set {
  let surrogates = Set::of([SURROGATES]);
  let mut out = set.minus(&surrogates).minus(&Set::of([(base, base + LIFT_LEN - 1)]));
  out.add(&set.intersect(&surrogates).shifted(base as i64 - SURROGATES.0 as i64));
  out
}

/// The start of the highest block of `LIFT_LEN` code points above the BMP
/// that, with the one just below it, no set of the pattern tells apart.
fn lift_base(pieces: &[Piece]) -> Option<u32> {
  let mut edges = vec![0x10000, MAX + 1];
  for piece in pieces {
    if let Piece::Chars(set) = piece {
      edges.extend(set.ranges().iter().flat_map(|&(a, b)| [a, b + 1]).filter(|&e| e > 0x10000));
    }
  }
  edges.sort_unstable();
  edges.dedup();
  edges.windows(2).rev().find(|w| w[1] - w[0] > LIFT_LEN).map(|w| w[1] - LIFT_LEN)
}

#[cfg(test)]
mod tests;
