#!/usr/bin/env bash
# The published addon's stripped size (the release profile, no test hooks: what
# `npm run build:dist` ships), and, when cargo-bloat is installed
# (`cargo install cargo-bloat`), the .text each crate contributes.
# Usage: bash bench/binary-size.sh (~2 min; builds in its own target dir).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BINARY_SIZE_TARGET:-/tmp/ipcflow-binary-size}
CARGO_TARGET_DIR=$dir cargo build --release --lib --quiet
size=$(stat -c %s "$dir/release/libipcflow.so")
echo "stripped addon: $size bytes ($(awk "BEGIN{printf \"%.2f\", $size/1e6}") MB)"
if command -v cargo-bloat >/dev/null; then
  # cargo-bloat reads symbols, and takes a cdylib-only crate: both for this run only.
  cp Cargo.toml "$dir/Cargo.toml.saved"
  trap 'cp "$dir/Cargo.toml.saved" Cargo.toml' EXIT
  sed -i 's/crate-type = \["cdylib", "rlib"\]/crate-type = ["cdylib"]/' Cargo.toml
  CARGO_TARGET_DIR=$dir-symbols CARGO_PROFILE_RELEASE_STRIP=none cargo bloat --release --lib --crates -n 8 2>/dev/null
fi
