//! ECMA-262 pattern text (with the `u` flag, as code points) to pieces: regex
//! syntax regex-lite shares (groups, alternation, quantifiers, anchors, `\b`)
//! kept as text, and every character matcher (a literal, an escape, a class,
//! `.`) as the `Set` of code points it matches. Sets are written out later,
//! once per subject form (`Translation`), which is how lone surrogates get a
//! meaning regex-lite can run.
//!
//! The two syntaxes agree on most patterns; what ECMA-262 spells otherwise
//! (`.`, `\s`, classes with `&&` `--` `~~` or `[`, `\uXXXX` pairs) becomes a
//! set, and what regex-lite cannot run (lookaround, backreferences, `\p{..}`)
//! or ECMA-262 would reject (inline flags, `\A`) is an error, so a pattern
//! never silently means something else.
use super::sets::{digit, dot, space, word, Set, MAX};

pub enum Piece {
  Syntax(String),
  Chars(Set),
}

fn unsupported<T>(what: &str) -> Result<T, String> {
  Err(format!("uses {what}, which ipcflow's validator does not support"))
}

fn invalid<T>(why: &str) -> Result<T, String> {
  Err(format!("is not a valid regular expression: {why}"))
}

struct Parser<'a> {
  src: &'a [u32],
  at: usize,
  out: Vec<Piece>,
}

fn is(c: Option<u32>, ch: char) -> bool {
  c == Some(ch as u32)
}

/// What one class atom is: a single code point (may bound a range) or a class escape.
enum Atom {
  Char(u32),
  Class(Set),
}

pub fn parse(src: &[u32]) -> Result<Vec<Piece>, String> {
  let mut p = Parser { src, at: 0, out: Vec::new() };
  while let Some(c) = p.next() {
    p.outside(c)?;
  }
  Ok(p.out)
}

impl Parser<'_> {
  fn peek(&self) -> Option<u32> {
    self.src.get(self.at).copied()
  }

  fn peek_at(&self, ahead: usize) -> Option<u32> {
    self.src.get(self.at + ahead).copied()
  }

  fn next(&mut self) -> Option<u32> {
    let c = self.peek()?;
    self.at += 1;
    Some(c)
  }

  fn syntax(&mut self, s: &str) {
    match self.out.last_mut() {
      Some(Piece::Syntax(text)) => text.push_str(s),
      _ => self.out.push(Piece::Syntax(s.to_string())),
    }
  }

  fn chars(&mut self, set: Set) {
    self.out.push(Piece::Chars(set));
  }

  /// `n` hex digits from here, consumed when all are there.
  fn hex(&mut self, n: usize) -> Option<u32> {
    let digits = self.src.get(self.at..self.at + n)?;
    let mut v = 0;
    for &d in digits {
      v = v * 16 + char::from_u32(d)?.to_digit(16)?;
    }
    self.at += n;
    Some(v)
  }

  fn outside(&mut self, c: u32) -> Result<(), String> {
    match char::from_u32(c) {
      Some('\\') => {
        let e = self.next().map_or_else(|| Err("ends with a lone backslash".to_string()), Ok)?;
        match char::from_u32(e) {
          Some(b @ ('b' | 'B')) => self.syntax(&format!("\\{b}")),
          _ => match self.escape(e)? {
            Atom::Char(c) => self.chars(Set::one(c)),
            Atom::Class(set) => self.chars(set),
          },
        }
      }
      Some('[') => {
        let set = self.class()?;
        self.chars(set);
      }
      Some('.') => self.chars(dot()),
      Some('(') if is(self.peek(), '?') => self.group()?,
      Some('{') => self.quantifier(),
      // ECMA-262 syntax regex-lite reads alike; `]` and `}` alone go through as before.
      Some(s @ ('(' | ')' | '|' | '^' | '$' | '*' | '+' | '?' | ']' | '}')) => self.syntax(&s.to_string()),
      _ => self.chars(Set::one(c)),
    }
    Ok(())
  }

  /// `(?:`, `(?<name>`; lookaround and inline flags are refused.
  fn group(&mut self) -> Result<(), String> {
    let ahead = &self.src[self.at..self.src.len().min(self.at + 3)];
    let rest: String = ahead.iter().map(|&c| char::from_u32(c).unwrap_or('\0')).collect();
    if rest.starts_with("?:") {
      self.at += 2;
      self.syntax("(?:");
    } else if rest.starts_with("?=") || rest.starts_with("?!") || rest.starts_with("?<=") || rest.starts_with("?<!") {
      return unsupported("a lookaround assertion");
    } else if rest.starts_with("?<") {
      self.at += 2;
      let end =
        self.src[self.at..].iter().position(|&c| c == '>' as u32).map_or_else(|| invalid("unclosed group name"), Ok)?;
      let name: Option<String> = self.src[self.at..self.at + end].iter().map(|&c| char::from_u32(c)).collect();
      let name = name.map_or_else(|| invalid("a group name holds a lone surrogate"), Ok)?;
      self.at += end + 1;
      self.syntax(&format!("(?P<{name}>"));
    } else {
      return Err("has an invalid group: ECMA-262 has no inline flags".into());
    }
    Ok(())
  }

  /// `{n}`, `{n,}`, `{n,m}` as written; a `{` that starts none goes through alone
  /// (regex-lite refuses it, as ECMA-262 does with the `u` flag).
  fn quantifier(&mut self) {
    let mut end = self.at;
    let digits = |end: &mut usize, src: &[u32]| {
      let from = *end;
      while src.get(*end).is_some_and(|&c| (0x30..=0x39).contains(&c)) {
        *end += 1;
      }
      *end > from
    };
    let shaped = digits(&mut end, self.src) && {
      if self.src.get(end) == Some(&(',' as u32)) {
        end += 1;
        digits(&mut end, self.src);
      }
      self.src.get(end) == Some(&('}' as u32))
    };
    if !shaped {
      self.syntax("{");
      return;
    }
    let text: String = self.src[self.at..=end].iter().filter_map(|&c| char::from_u32(c)).collect();
    self.at = end + 1;
    self.syntax(&format!("{{{text}"));
  }

  /// A class after its `[`: the set it matches (negated already).
  fn class(&mut self) -> Result<Set, String> {
    let negated = is(self.peek(), '^');
    if negated {
      self.at += 1;
    }
    let mut set = Set::default();
    loop {
      let c = self.next().map_or_else(|| invalid("unclosed character class"), Ok)?;
      if c == ']' as u32 {
        break;
      }
      let first = self.class_atom(c)?;
      let range = is(self.peek(), '-') && self.peek_at(1).is_some_and(|n| n != ']' as u32);
      if !range {
        match first {
          Atom::Char(c) => set.add(&Set::one(c)),
          Atom::Class(s) => set.add(&s),
        }
        continue;
      }
      self.at += 1;
      let c = self.next().map_or_else(|| invalid("unclosed character class"), Ok)?;
      match (first, self.class_atom(c)?) {
        (Atom::Char(a), Atom::Char(b)) if a <= b => set.add(&Set::of([(a, b)])),
        (Atom::Char(_), Atom::Char(_)) => return invalid("range out of order in character class"),
        _ => return invalid("a class escape cannot bound a range"),
      }
    }
    Ok(if negated { set.complement() } else { set })
  }

  fn class_atom(&mut self, c: u32) -> Result<Atom, String> {
    if c != '\\' as u32 {
      return Ok(Atom::Char(c));
    }
    let e = self.next().map_or_else(|| invalid("unclosed character class"), Ok)?;
    match char::from_u32(e) {
      Some('b') => Ok(Atom::Char(0x08)),
      Some('-') => Ok(Atom::Char('-' as u32)),
      _ => self.escape(e),
    }
  }

  /// The escape `\e` (after its backslash), shared by classes and the rest.
  fn escape(&mut self, e: u32) -> Result<Atom, String> {
    let Some(ch) = char::from_u32(e) else { return Err("has an invalid escape of a lone surrogate".into()) };
    Ok(match ch {
      'd' => Atom::Class(digit()),
      'D' => Atom::Class(digit().complement()),
      'w' => Atom::Class(word()),
      'W' => Atom::Class(word().complement()),
      's' => Atom::Class(space()),
      'S' => Atom::Class(space().complement()),
      't' => Atom::Char(0x09),
      'n' => Atom::Char(0x0A),
      'v' => Atom::Char(0x0B),
      'f' => Atom::Char(0x0C),
      'r' => Atom::Char(0x0D),
      'x' => Atom::Char(self.hex(2).map_or_else(|| Err(r"has an incomplete \x escape".to_string()), Ok)?),
      'u' if is(self.peek(), '{') => {
        let end = self.src[self.at..].iter().position(|&c| c == '}' as u32);
        let end = end.map_or_else(|| Err(r"has an unterminated \u{...} escape".to_string()), Ok)?;
        let digits: Option<String> = self.src[self.at + 1..self.at + end].iter().map(|&c| char::from_u32(c)).collect();
        let digits = digits.unwrap_or_default();
        match u32::from_str_radix(&digits, 16) {
          Ok(v) if v <= MAX => {
            self.at += end + 1;
            Atom::Char(v)
          }
          _ => return Err(format!(r"has an invalid \u{{{digits}}} escape")),
        }
      }
      'u' => {
        let lead = self.hex(4).map_or_else(|| Err(r"has an incomplete \u escape".to_string()), Ok)?;
        // With the `u` flag an escaped pair is one code point; either half alone is a lone surrogate.
        if (0xD800..0xDC00).contains(&lead) && is(self.peek(), '\\') && is(self.peek_at(1), 'u') {
          let back = self.at;
          self.at += 2;
          match self.hex(4) {
            Some(trail) if (0xDC00..0xE000).contains(&trail) => {
              return Ok(Atom::Char(0x10000 + ((lead - 0xD800) << 10) + (trail - 0xDC00)));
            }
            _ => self.at = back,
          }
        }
        Atom::Char(lead)
      }
      '0' if !self.peek().is_some_and(|c| (0x30..=0x39).contains(&c)) => Atom::Char(0),
      '1'..='9' | 'k' => return unsupported("a backreference"),
      'p' | 'P' => return unsupported(r"a Unicode property escape (\p{...})"),
      'c' => match self.peek().and_then(char::from_u32) {
        Some(l) if l.is_ascii_alphabetic() => {
          self.at += 1;
          Atom::Char(l as u32 % 32)
        }
        _ => return Err(r"has an invalid \c escape".into()),
      },
      // ECMA-262 syntax characters (and `/`) escape to themselves.
      '^' | '$' | '\\' | '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '/' => Atom::Char(e),
      other => return Err(format!("has an invalid escape \\{other}")),
    })
  }
}
