use super::Pattern;
use crate::text::from_units;

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
  assert!(m(r"^[\S]$", "a") && !m(r"^[\S]$", " ") && m(r"^[^\S]$", "\u{2029}"));
  assert!(m(r"^[--/]+$", "-./") && m(r"^[a-]$", "-") && m(r"^[\w-]+$", "a-b"));
  assert!(m("(?<year>\\d{4})-(?:\\d\\d)", "on 2026-11") && m("b", "abc"), "unanchored like RegExp.test");
}

#[test]
fn refusals_name_the_feature() {
  for (p, why) in [
    ("a(?=b)", "lookaround"),
    ("(?<!x)y", "lookaround"),
    (r"(a)\1", "backreference"),
    (r"\p{L}", "Unicode property"),
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
  let email = r"^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$";
  assert!(m(email, "a.b@example.com") && !m(email, "a@b"));
  let ipv4 = r"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])$";
  assert!(m(ipv4, "10.0.0.255") && !m(ipv4, "10.0.0.256"));
}

/// A JS string given by its UTF-16 units, as native text.
fn js(units: &[u16]) -> String {
  from_units(units)
}

#[test]
fn a_lone_surrogate_is_one_code_point_of_its_own() {
  let (lead, trail) = (js(&[0xD800]), js(&[0xDE00]));
  assert!(!m(r"\ufffd$", &trail) && m(r"\ufffd$", "a\u{fffd}"), "issue 25: \\ufffd does not match a lone surrogate");
  assert!(m(r"^\ud800$", &lead) && !m(r"^\ud800$", &js(&[0xD801])) && !m(r"^\ud800$", "\u{fffd}"));
  assert!(m("^.$", &lead) && m("^a.$", &js(&[0x61, 0xDFFF])) && !m("^.$", &js(&[0xD800, 0xD800])));
  assert!(m(r"^[\ud800-\udbff]$", &lead) && !m(r"^[\ud800-\udbff]$", &trail));
  assert!(m("^[^a]$", &lead) && !m(r"^[^\ud800]$", &lead));
  assert!(m(r"^\D\W\S$", &js(&[0xDFFF, 0xDFFF, 0xD800])) && !m(r"^[\d\w\s]", &trail));
  // With the u flag an escaped pair is one code point, and its halves alone match no pair.
  assert!(m(r"^\ud83d\ude00$", "😀") && !m(r"\ud83d", "😀") && !m(r"\ude00", "😀"));
  assert!(m(r"^\u{D83D}$", &js(&[0xD83D])) && m(r"^\ud83d\u0041$", &js(&[0xD83D, 0x41])));
  // A lone surrogate written into the pattern's own text.
  assert!(m(&js(&[0x5E, 0xD800, 0x24]), &lead) && !m(&js(&[0x5E, 0xD800, 0x24]), "\u{fffd}"));
  // U+FDD0, the escape of native text, is an ordinary character on both sides.
  assert!(m(r"^\ufdd0$", &js(&[0xFDD0])) && m(&js(&[0x5E, 0xFDD0, 0x2E, 0x24]), &js(&[0xFDD0, 0xD800])));
}

#[test]
fn the_block_lone_surrogates_are_lifted_to_is_one_the_pattern_cannot_see() {
  // Top of plane 16 is where they go by default: its real characters still match as themselves.
  let with_top = js(&[0xD800, 0xDBFF, 0xDFFF]);
  assert!(m("^.\u{10FFFF}$", &with_top) && !m(r"^\ud800\ud800", &with_top));
  // A pattern that names that block pushes the surrogates elsewhere.
  let p = r"^\ud800[\u{10F800}-\u{10FFFF}]$";
  assert!(m(p, &with_top) && !m(p, &js(&[0xD800, 0xDFFF])) && !m(p, &js(&[0xD800, 0xD83D, 0xDE00])));
  assert!(!m(r"[\u{10F800}-\u{10FFFF}]", &js(&[0xD800, 0xDFFF])));
  // Every block carved up: refused at compile time, never a wrong verdict.
  let carved: String = (0..525u32).map(|i| format!(r"\u{{{:X}}}", 0x10000 + i * 2000)).collect();
  let e = Pattern::new(&format!("[{carved}]")).unwrap_err();
  assert!(e.contains("lone surrogates"), "{e}");
}

#[test]
fn long_subjects_with_lone_surrogates_match_in_linear_time() {
  let mut units = vec![0x61u16; 200_000];
  units.extend([0xD800, 0x62]);
  let text = js(&units);
  let start = std::time::Instant::now();
  assert!(m(r"(?:a|a)*\ud800b$", &text) && !m(r"(?:a|a)*\udc00b$", &text));
  assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
}
