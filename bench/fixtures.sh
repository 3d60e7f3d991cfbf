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
echo "$db"
