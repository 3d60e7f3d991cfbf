#!/usr/bin/env bash
# Runs each cargo-fuzz target of segmentflow-core for FUZZ_SECONDS (default
# 60) seconds. Installs cargo-fuzz from crates.io when missing. No nightly
# toolchain here: RUSTC_BOOTSTRAP=1 lets stable rustc accept the -Z flags
# cargo-fuzz passes, and the sanitizer is off (FUZZ_SANITIZER=address to try
# ASan where it works). Usage: scripts/fuzz.sh [target…]  (default: all)
set -euo pipefail
cd "$(dirname "$0")/../segmentflow-core"
seconds="${FUZZ_SECONDS:-60}"
sanitizer="${FUZZ_SANITIZER:-none}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(decode roundtrip)
fi
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
for target in "${targets[@]}"; do
    echo "== fuzz target $target for ${seconds}s (sanitizer: $sanitizer)" >&2
    # Seed the corpus with the PHP-generated fixtures on the first run.
    corpus="fuzz/corpus/$target"
    if [ ! -d "$corpus" ]; then
        mkdir -p "$corpus"
        cp ../fixtures/php-serialized/*.ser "$corpus"/
    fi
    cargo fuzz run --sanitizer "$sanitizer" "$target" "$corpus" -- \
        -max_total_time="$seconds" -max_len=4096 -print_final_stats=1
done
