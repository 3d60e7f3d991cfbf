#!/usr/bin/env bash
# Generates a synthetic WooCommerce 9.2.5 store into a MariaDB database.
#
#   scripts/gen-store.sh --db NAME --orders N [--storage hpos|posts] [--seed S] [generator flags…]
#
# Meant for a fresh (or not yet existing) database: the generated ids start
# right after a fresh WordPress install's. Creates the database if needed,
# installs WordPress core into it (Debian's
# /usr/share/wordpress, via tests/support/wp-install.php) when its tables are missing,
# then pipes the generator's SQL into it. The generator's summary (rows per
# table, orders per status, guests, refunds) goes to stderr. Extra flags are
# passed to the generator (see `cargo run --example gen_store -- --help`).
# Environment: MARIADB (client command, default `mariadb -uroot`), CARGO_PROFILE
# (`release` by default: a million orders in debug is slow).
set -euo pipefail
# The build directory the Makefile uses, also when this script is run directly.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/segmentflow-target}"
here=$(cd "$(dirname "$0")/.." && pwd)
db=""
prefix="wp_"
site_url="http://localhost:8089"
gen_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --db) db=$2; shift 2 ;;
    --prefix) prefix=$2; gen_args+=(--prefix "$2"); shift 2 ;;
    --site-url) site_url=$2; gen_args+=(--site-url "$2"); shift 2 ;;
    --orders|--storage|--seed|--customers|--products|--now|--timezone) gen_args+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) gen_args+=("$1"); shift ;;
  esac
done
if [[ -z "$db" || ! "$db" =~ ^[A-Za-z0-9_]+$ ]]; then
  echo "gen-store.sh: --db NAME is required (letters, digits, underscores)" >&2
  exit 2
fi
read -r -a mysql <<< "${MARIADB:-mariadb -uroot}"
profile=${CARGO_PROFILE:-release}

"${mysql[@]}" -e "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci"
if [[ -z "$("${mysql[@]}" -N "$db" -e "SHOW TABLES LIKE '${prefix//_/\\_}options'")" ]]; then
  SF_TEST_DB_NAME=$db SF_TEST_TABLE_PREFIX=$prefix SF_TEST_SITE_URL=$site_url php "$here/tests/support/wp-install.php"
fi

cargo_flags=(--quiet --example gen_store -p segmentflow-wpcli)
[[ "$profile" == release ]] && cargo_flags+=(--release)
(cd "$here" && cargo build "${cargo_flags[@]}")
target="$CARGO_TARGET_DIR"
"$target/$profile/examples/gen_store" "${gen_args[@]}" | "${mysql[@]}" "$db"
echo "gen-store.sh: loaded into database $db" >&2
