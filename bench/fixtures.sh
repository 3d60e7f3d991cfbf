#!/usr/bin/env bash
# `make fixtures`: a synthetic WooCommerce store of ORDERS orders in STORAGE
# (hpos or posts) storage, generated (scripts/gen-store.sh, seed 1) into the
# MariaDB database sfwp_bench_<storage>_<orders> and cached there: a later
# call with the same size and storage reuses it (a `sfwp_ready` marker table
# is written only after a complete load, so an interrupted load is redone).
#
#   bench/fixtures.sh <hpos|posts> <orders>     prints the database name on stdout
#
# Environment: FIXTURES_REBUILD=1 regenerates even when cached; MARIADB (the
# client command, default `mariadb -uroot`).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
storage=${1:?usage: fixtures.sh <hpos|posts> <orders>}
orders=${2:?usage: fixtures.sh <hpos|posts> <orders>}
case "$storage" in hpos|posts) ;; *) echo "fixtures: STORAGE must be hpos or posts, not '$storage'" >&2; exit 2 ;; esac
[[ "$orders" =~ ^[0-9]+$ ]] || { echo "fixtures: ORDERS must be a number, not '$orders'" >&2; exit 2; }
read -r -a mysql <<< "${MARIADB:-mariadb -uroot}"
db="sfwp_bench_${storage}_${orders}"
ready=$("${mysql[@]}" -N -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='$db' AND TABLE_NAME='sfwp_ready'")
if [[ "$ready" == 1 && "${FIXTURES_REBUILD:-0}" != 1 ]]; then
  echo "fixtures: $db is cached ($orders $storage orders)" >&2
else
  echo "fixtures: generating $orders $storage orders into $db" >&2
  started=$(date +%s)
  "${mysql[@]}" -e "DROP DATABASE IF EXISTS \`$db\`"
  bash "$here/scripts/gen-store.sh" --db "$db" --orders "$orders" --storage "$storage" --seed 1
  "${mysql[@]}" -e "CREATE TABLE \`$db\`.sfwp_ready (orders BIGINT, storage VARCHAR(8)); INSERT INTO \`$db\`.sfwp_ready VALUES ($orders, '$storage')"
  echo "fixtures: $db ready in $(($(date +%s) - started)) s" >&2
fi
# Benchmarks measure the readers, not the disk: give InnoDB a buffer pool
# that holds the store (data + indexes, plus a fifth), within 60 % of RAM.
# A 1M-order store is ~10 GB; MariaDB's default pool is 128 MB. The
# setting is the server's (SET GLOBAL, not persisted across restarts).
need=$("${mysql[@]}" -N -e "SELECT CEIL(SUM(data_length + index_length) * 1.2) FROM information_schema.TABLES WHERE TABLE_SCHEMA='$db'")
have=$("${mysql[@]}" -N -e "SELECT @@innodb_buffer_pool_size")
cap=$(awk '/MemTotal/ { printf "%.0f", $2 * 1024 * 0.6 }' /proc/meminfo)
want=$(( need < cap ? need : cap ))
if (( have < want )); then
  echo "fixtures: raising innodb_buffer_pool_size from $((have >> 20)) MiB to $((want >> 20)) MiB for $db" >&2
  "${mysql[@]}" -e "SET GLOBAL innodb_buffer_pool_size = $want" \
    || echo "fixtures: could not raise innodb_buffer_pool_size; reads may hit the disk" >&2
fi
echo "$db"
