#!/usr/bin/env bash
# How much of the addon's size is the jsonschema crate: builds a minimal
# cdylib that depends only on it, with the addon's release profile, and
# prints the stripped size. Usage: bash bench/jsonschema-size.sh (~1 min).
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/src"
cat > "$dir/Cargo.toml" <<'TOML'
[package]
name = "jsonschema-size"
version = "0.0.0"
edition = "2021"
[lib]
crate-type = ["cdylib"]
[dependencies]
jsonschema = { version = "0.61", default-features = false }
serde_json = "1"
[profile.release]
lto = true
codegen-units = 1
strip = "symbols"
opt-level = "s"
TOML
cat > "$dir/src/lib.rs" <<'RS'
#[no_mangle]
pub extern "C" fn is_valid(schema: *const u8, schema_len: usize, value: *const u8, value_len: usize) -> bool {
  let read = |p: *const u8, n: usize| serde_json::from_slice::<serde_json::Value>(unsafe { std::slice::from_raw_parts(p, n) });
  match (read(schema, schema_len), read(value, value_len)) {
    (Ok(s), Ok(v)) => jsonschema::validator_for(&s).map(|c| c.is_valid(&v)).unwrap_or(false),
    _ => false,
  }
}
RS
cargo build --release --quiet --manifest-path "$dir/Cargo.toml"
size=$(stat -c %s "$dir/target/release/libjsonschema_size.so")
echo "jsonschema alone, stripped cdylib: $size bytes ($(awk "BEGIN{printf \"%.2f\", $size/1e6}") MB)"
