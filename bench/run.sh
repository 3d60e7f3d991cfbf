#!/usr/bin/env bash
# `make bench`: every benchmark; each prints its table and writes it under bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
ran=0
for b in bench/php-decode.sh bench/read-map.sh bench/revenue-brand.sh bench/segments.sh; do
    if [ -x "$b" ]; then
        echo "== $b" >&2
        bash "$b"
        ran=$((ran + 1))
    fi
done
echo "bench: $ran benchmark(s) run; results in bench/results/" >&2
