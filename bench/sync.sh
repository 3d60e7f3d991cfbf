#!/usr/bin/env bash
# Sync benchmark: a full `sync` of a synthetic HPOS store (customers, orders,
# products, users) from MariaDB to the local sandbox over real HTTP, then a
# no-change incremental run, then the same store through `--dry-run`
# (read + map + sign, nothing sent); writes bench/results/sync.md.
#
#   SYNC_ORDERS   store sizes, space-separated (default "100000"; "100000 1000000")
#   SYNC_STORAGE  hpos (default) or posts
#   SYNC_PER_RESOURCE  resources also dry-run alone (default "orders customers";
#                 "" skips those runs)
# Each store is made once by bench/fixtures.sh (sfwp_bench_<storage>_<orders>)
# and reused. Peak RSS and wall time come from /usr/bin/time -v.
set -euo pipefail
# The build directory the Makefile uses, also when this script is run directly.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/segmentflow-target}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
storage="${SYNC_STORAGE:-hpos}"
target="$CARGO_TARGET_DIR"
bin="$target/release/segmentflow-wpcli"
cargo build --release -p segmentflow-wpcli >&2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/segmentflow-bench-sync.XXXXXX")
sandbox_pid=""
cleanup() {
  if [[ -n "$sandbox_pid" ]]; then
    kill "$sandbox_pid" 2> /dev/null || true
    wait "$sandbox_pid" 2> /dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# timed NAME CMD…: runs CMD under /usr/bin/time -v; stdout to $tmp/NAME.out;
# sets $secs, $rss_mb and $db_secs (MariaDB's CPU seconds meanwhile).
timed() {
  local name=$1
  shift
  local code=0
  local db_before
  db_before=$(mysqld_cpu)
  /usr/bin/time -v -o "$tmp/$name.time" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" || code=$?
  if ((code != 0 && code != 3)); then
    echo "sync bench: $name failed (exit $code): $*" >&2
    sed 's/^/  | /' "$tmp/$name.err" >&2
    exit 1
  fi
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$tmp/$name.time")
  rss_mb=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$tmp/$name.time")
  db_secs=$(awk -v a="$db_before" -v b="$(mysqld_cpu)" 'BEGIN { printf "%.1f", b - a }')
}

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

# totals NAME: the report's sent, unchanged and failed counts (all resources).
totals() {
  python3 - "$tmp/$1.out" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
rows = [r for r in rows if r.get("resource") != "total"]
n = lambda k: sum(int(r.get(k) or 0) for r in rows)
print(n("sent"), n("unchanged"), n("failed"))
PY
}

rows=""
for orders in ${SYNC_ORDERS:-100000}; do
  db=$(bash bench/fixtures.sh "$storage" "$orders")
  site="$tmp/site-$orders"
  mkdir -p "$site"
  cat > "$site/wp-config.php" <<PHP
<?php
define( 'DB_NAME', '$db' );
define( 'DB_USER', 'root' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', 'localhost' );
define( 'DB_CHARSET', 'utf8mb4' );
\$table_prefix = 'wp_';
PHP
  wp=("$bin" --path "$site")

  "$bin" sandbox --listen 127.0.0.1:0 > "$tmp/sandbox.out" 2> "$tmp/sandbox.err" &
  sandbox_pid=$!
  line=""
  for _ in $(seq 1 100); do
    line=$(head -n 1 "$tmp/sandbox.out" 2> /dev/null || true)
    [[ -n "$line" ]] && break
    sleep 0.1
  done
  [[ -n "$line" ]] || { echo "sync bench: the sandbox did not start" >&2; cat "$tmp/sandbox.err" >&2; exit 1; }
  printf '%s\n' "$line" > "$tmp/sandbox.json"
  base_url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["base_url"])' "$tmp/sandbox.json")
  "${wp[@]}" settings set api_host "$base_url" > /dev/null
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps({k: d[k] for k in ("write_key","organization_name","organization_id","webhook_secret","webhook_delivery_url")}))' \
    "$tmp/sandbox.json" | "${wp[@]}" connect --stdin > /dev/null

  count() { mariadb -uroot -N "$db" -e "$1"; }
  n_orders=$(count "SELECT COUNT(*) FROM wp_wc_orders WHERE type = 'shop_order'")
  n_customers=$(count "SELECT COUNT(*) FROM wp_usermeta WHERE meta_key = 'wp_capabilities'")
  n_products=$(count "SELECT COUNT(*) FROM wp_posts WHERE post_type IN ('product', 'product_variation')")
  label="$orders $storage orders ($n_customers users/customers, $n_products products)"

  timed full "${wp[@]}" sync --full --format=json --quiet
  read -r sent _ failed < <(totals full)
  rows+="| $label | full sync → sandbox | $sent | $failed | $secs | $(awk -v n="$sent" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') | $rss_mb | $db_secs |"$'\n'
  # Three no-change runs (a second's run is at the mercy of the machine's
  # other work): the median is the row, all three are in it.
  runs=()
  for n in 1 2 3; do
    timed "again$n" "${wp[@]}" sync --format=json --quiet
    runs+=("$secs $rss_mb $db_secs")
  done
  read -r sent unchanged failed < <(totals again3)
  read -r secs rss_mb db_secs < <(printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p)
  all=$(printf '%s\n' "${runs[@]}" | cut -d' ' -f1 | paste -sd' ')
  rows+="| $label | no-change incremental ($unchanged unchanged; median of 3 runs: $all s) | $sent | $failed | $secs | — | $rss_mb | $db_secs |"$'\n'
  timed dry "${wp[@]}" sync --full --dry-run --format=json --quiet
  read -r sent _ failed < <(totals dry)
  rows+="| $label | full --dry-run (read + map + sign) | $sent | $failed | $secs | $(awk -v n="$sent" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') | $rss_mb | $db_secs |"$'\n'
  for resource in ${SYNC_PER_RESOURCE-orders customers}; do
    timed "dry-$resource" "${wp[@]}" sync --full --dry-run --resources="$resource" --format=json --quiet
    read -r sent _ failed < <(totals "dry-$resource")
    rows+="| $label | --dry-run --resources=$resource | $sent | $failed | $secs | $(awk -v n="$sent" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') | $rss_mb | $db_secs |"$'\n'
  done
  curl -s "$base_url/__sandbox/stats" > "$tmp/stats-$orders.json" || true
  kill "$sandbox_pid" 2> /dev/null || true
  wait "$sandbox_pid" 2> /dev/null || true
  sandbox_pid=""
done

mkdir -p bench/results
{
  echo "# Sync benchmark"
  echo
  echo "Generated by \`bench/sync.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores,"
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) — the machine is shared with other"
  echo "builds and tests running at the same time, so times are upper bounds of an idle machine's."
  echo "Store: \`bench/fixtures.sh\` (synthetic, seed 1) in MariaDB over the Unix socket; the sync"
  echo "delivers every customer, order and product as a signed WooCommerce webhook to the local"
  echo "sandbox over HTTP (default concurrency) and users as identify batches."
  echo "Targets: 1M orders in ≤ 60 s, peak RSS ≤ 150 MB, no-change incremental ≤ 1 s."
  echo
  echo "| store | run | items sent | failed | seconds | items/s | peak RSS MB | MariaDB CPU s |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s' "$rows"
} > bench/results/sync.md
cat bench/results/sync.md
