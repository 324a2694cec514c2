//! `pattern` and `patternProperties`: ECMA-262 regular expressions (what JSON
//! Schema specifies, and what ajv runs with the `u` flag) on `regex-lite`.
//!
//! The two syntaxes agree on most patterns; `translate` rewrites the places
//! where the same text means something else (`.`, `\s`, `\S`, `[` `&&` `--`
//! `~~` inside a class, `\uXXXX`) and refuses what regex-lite cannot run
//! (lookaround, backreferences, `\p{..}`) or what ECMA-262 would reject
//! (inline flags, `\A`), so a pattern never silently means something else.
//! Matching is unanchored, as in ECMA-262's `test`.
use regex_lite::Regex;

/// A compiled pattern and its source (for messages).
#[derive(Debug)]
pub struct Pattern {
  pub source: String,
  regex: Regex,
}

impl Pattern {
  /// The reason when the pattern is not a valid ECMA-262 regex or uses a feature
  /// this engine does not have.
  pub fn new(source: &str) -> Result<Pattern, String> {
    let translated = translate(source)?;
    let regex = Regex::new(&translated).map_err(|e| format!("is not a valid regular expression: {e}"))?;
    Ok(Pattern { source: source.to_string(), regex })
  }

  pub fn is_match(&self, text: &str) -> bool {
    self.regex.is_match(text)
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

/// ECMA-262 `\s`: its white space and line terminators.
const SPACE: &str = r"\t\n\x0B\x0C\r \xA0\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";
/// ECMA-262 `.` (without the `s` flag): anything but a line terminator.
const DOT: &str = r"[^\n\r\x{2028}\x{2029}]";

fn unsupported(what: &str) -> Result<String, String> {
  Err(format!("uses {what}, which ipcflow's validator does not support"))
}

fn hex(chars: &[char], at: usize, n: usize) -> Option<u32> {
  let digits: String = chars.get(at..at + n)?.iter().collect();
  (digits.len() == n && digits.chars().all(|c| c.is_ascii_hexdigit())).then(|| u32::from_str_radix(&digits, 16).ok())?
}

/// ECMA-262 pattern text to regex-lite pattern text (see the module comment).
pub fn translate(source: &str) -> Result<String, String> {
  let chars: Vec<char> = source.chars().collect();
  let mut out = String::with_capacity(source.len() + 8);
  let mut in_class = false;
  let mut i = 0;
  while i < chars.len() {
    let c = chars[i];
    i += 1;
    match c {
      '\\' => {
        let Some(&e) = chars.get(i) else { return Err("ends with a lone backslash".into()) };
        i += 1;
        match e {
          's' if in_class => out.push_str(SPACE),
          's' => out.push_str(&format!("[{SPACE}]")),
          'S' if in_class => return unsupported(r"\S inside a character class"),
          'S' => out.push_str(&format!("[^{SPACE}]")),
          'd' | 'D' | 'w' | 'W' | 't' | 'n' | 'r' | 'f' | 'v' => {
            out.push('\\');
            out.push(e);
          }
          'b' if in_class => out.push_str(r"\x08"),
          'b' | 'B' => {
            out.push('\\');
            out.push(e);
          }
          'x' => match hex(&chars, i, 2) {
            Some(v) => {
              out.push_str(&format!(r"\x{{{v:X}}}"));
              i += 2;
            }
            None => return Err(r"has an incomplete \x escape".into()),
          },
          'u' if chars.get(i) == Some(&'{') => {
            let end = chars[i..].iter().position(|&c| c == '}').ok_or(r"has an unterminated \u{...} escape")?;
            let digits: String = chars[i + 1..i + end].iter().collect();
            match u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32) {
              Some(c) => out.push_str(&format!(r"\x{{{:X}}}", c as u32)),
              None => return Err(format!(r"has an invalid \u{{{digits}}} escape")),
            }
            i += end + 1;
          }
          'u' => match hex(&chars, i, 4).map(|v| (v, char::from_u32(v))) {
            Some((v, Some(_))) => {
              out.push_str(&format!(r"\x{{{v:X}}}"));
              i += 4;
            }
            Some((_, None)) => return unsupported(r"a \u escape of a lone surrogate"),
            None => return Err(r"has an incomplete \u escape".into()),
          },
          '0' if !chars.get(i).is_some_and(char::is_ascii_digit) => out.push_str(r"\x00"),
          '1'..='9' | 'k' => return unsupported("a backreference"),
          'p' | 'P' => return unsupported(r"a Unicode property escape (\p{...})"),
          'c' => match chars.get(i) {
            Some(l) if l.is_ascii_alphabetic() => {
              out.push_str(&format!(r"\x{:02X}", (*l as u32) % 32));
              i += 1;
            }
            _ => return Err(r"has an invalid \c escape".into()),
          },
          '-' if in_class => out.push_str(r"\-"),
          '/' => out.push('/'),
          // ECMA-262 syntax characters escape to themselves.
          '^' | '$' | '\\' | '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' => {
            out.push('\\');
            out.push(e);
          }
          other => return Err(format!("has an invalid escape \\{other}")),
        }
      }
      '[' if in_class => out.push_str(r"\["),
      // `[]` matches nothing and `[^]` anything in ECMA-262; an empty class is an error here.
      '[' if chars.get(i) == Some(&']') => {
        out.push_str(r"[^\x00-\x{10FFFF}]");
        i += 1;
      }
      '[' if chars.get(i) == Some(&'^') && chars.get(i + 1) == Some(&']') => {
        out.push_str(r"[\x00-\x{10FFFF}]");
        i += 2;
      }
      '[' => {
        in_class = true;
        out.push('[');
        if chars.get(i) == Some(&'^') {
          out.push('^');
          i += 1;
        }
      }
      ']' if in_class => {
        in_class = false;
        out.push(']');
      }
      '&' | '~' if in_class => {
        out.push('\\');
        out.push(c);
      }
      '-' if in_class && chars.get(i) == Some(&'-') => out.push_str(r"\-"),
      '.' if !in_class => out.push_str(DOT),
      '(' if chars.get(i) == Some(&'?') => {
        let rest: String = chars[i..chars.len().min(i + 4)].iter().collect();
        if rest.starts_with("?:") {
          out.push_str("(?:");
          i += 2;
        } else if rest.starts_with("?=") || rest.starts_with("?!") || rest.starts_with("?<=") || rest.starts_with("?<!")
        {
          return unsupported("a lookaround assertion");
        } else if rest.starts_with("?<") {
          out.push_str("(?P<");
          i += 2;
        } else {
          return Err("has an invalid group: ECMA-262 has no inline flags".into());
        }
      }
      c => out.push(c),
    }
  }
  Ok(out)
}

#[cfg(test)]
mod tests {
  use super::Pattern;

  fn m(p: &str, t: &str) -> bool {
    Pattern::new(p).unwrap_or_else(|e| panic!("{p}: {e}")).is_match(t)
  }

  #[test]
  fn ecma_meanings() {
    assert!(m("^a.c$", "abc") && !m("^a.c$", "a\rc") && !m("^a.c$", "a\u{2028}c"));
    assert!(m(r"^\s$", "\u{a0}") && m(r"^\s$", "\u{feff}") && !m(r"^\S$", "\u{3000}"));
    assert!(m(r"^[\s,]+$", " ,\u{2003}") && m(r"^[\d\W]+$", "1-"));
    assert!(m(r"^\d+$", "123") && !m(r"^\d+$", "١٢٣"), "\\d is ASCII in both");
    assert!(m(r"^[a&&b]+$", "a&&b") && m(r"^[~~]$", "~") && m(r"^[[]$", "["));
    assert!(m(r"^\u0041\u{1F600}\x42$", "A😀B") && m(r"^a\/b$", "a/b") && m(r"^\cJ$", "\n"));
    assert!(m("^[^]$", "x") && !m("^[]$", "x"));
    assert!(m("(?<year>\\d{4})-(?:\\d\\d)", "on 2026-11") && m("b", "abc"), "unanchored like RegExp.test");
  }

  #[test]
  fn refusals_name_the_feature() {
    for (p, why) in [
      ("a(?=b)", "lookaround"),
      ("(?<!x)y", "lookaround"),
      (r"(a)\1", "backreference"),
      (r"\p{L}", "Unicode property"),
      (r"[\S]", r"\S inside"),
      ("(?i)a", "inline flags"),
      (r"\A", "invalid escape"),
      ("a{", "not a valid regular expression"),
      ("(", "not a valid regular expression"),
    ] {
      let e = Pattern::new(p).unwrap_err();
      assert!(e.contains(why), "{p}: {e}");
    }
  }

  #[test]
  fn bounded_means_no_unbounded_quantifier_outside_a_class() {
    let bounded = |p: &str| Pattern::new(p).unwrap_or_else(|e| panic!("{p}: {e}")).bounded();
    for p in [
      r"^[0-9a-f]{8}-[0-9a-f]{4}$",
      r"^\d{4}-\d{2}-\d{2}$",
      "^a?b{2,5}$",
      r"[*+]",
      r"a\*\+",
      r"^(?:25[0-5]|\d{1,2})$",
      "x{2}",
    ] {
      assert!(bounded(p), "{p}");
    }
    for p in ["a*", "^a+$", "(ab)*", "a{2,}", r"[a]\d+", r"\[a]+"] {
      assert!(!bounded(p), "{p}");
    }
  }

  #[test]
  fn zod_format_patterns_compile() {
    let email =
      r"^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$";
    assert!(m(email, "a.b@example.com") && !m(email, "a@b"));
    let ipv4 = r"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])$";
    assert!(m(ipv4, "10.0.0.255") && !m(ipv4, "10.0.0.256"));
  }
}
