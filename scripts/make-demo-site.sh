#!/usr/bin/env bash
# Rebuilds the bundled demo store, fixtures/demo-site/: a WordPress site
# directory on the SQLite Database Integration plugin's layout, so that
# `segmentflow-wpcli --path fixtures/demo-site <cmd>` works as on any
# SQLite-based WordPress site.
#
#   scripts/make-demo-site.sh [OUT_DIR]     (default: fixtures/demo-site)
#
# Steps: a temporary MariaDB database (dropped at the end) ← real WordPress
# core (Debian's /usr/share/wordpress, wp_install() via
# tests/support/wp-install.php) ← the generated WooCommerce store (the
# store generator via scripts/gen-store.sh: HPOS, fixed seed and "now") ←
# the Segmentflow plugin's activation defaults, disconnected (no write key);
# then every table is copied into wp-content/database/.ht.sqlite
# (examples/mariadb_to_sqlite.rs: the plugin's table translation, VACUUMed),
# and wp-config.php, wp-content/db.php, wp-includes/version.php (the core
# version, the only core file) and MANIFEST (rows per table and the
# generator settings, checked by tests/e2e/demo_site.rs) are written.
# The values wp_install() makes up (password hash, dates, cron times, salts)
# are replaced by fixed ones, so a rebuild gives the same rows.
# Environment: MARIADB (client command, default `mariadb -uroot`),
# CARGO_PROFILE (default `debug`: 300 orders need no release build).
set -euo pipefail
# The build directory the Makefile uses, also when this script is run directly.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/segmentflow-target}"
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/fixtures/demo-site}

# The store. Changing any of these means regenerating the fixture (the test
# compares them with MANIFEST).
seed=2026
orders=300
storage=hpos
now="2026-11-01 00:00:00"
site_url="http://demo.segmentflow.test"
blog_name="Segmentflow Demo Store"
timezone="America/New_York"
prefix="wp_"

core_version_file=/usr/share/wordpress/wp-includes/version.php
read -r -a mysql <<< "${MARIADB:-mariadb -uroot}"
profile=${CARGO_PROFILE:-debug}
export CARGO_PROFILE=$profile
target="$CARGO_TARGET_DIR"
db="sfdemo_build_$$"
work=$(mktemp -d)
cleanup() {
  "${mysql[@]}" -e "DROP DATABASE IF EXISTS \`$db\`" || true
  rm -rf "$work"
}
trap cleanup EXIT
step() { echo "make-demo-site: $*" >&2; }

step "WordPress + generated WooCommerce store into temporary database $db"
"$here/scripts/gen-store.sh" --db "$db" --orders "$orders" --storage "$storage" \
  --seed "$seed" --now "$now" --site-url "$site_url" --timezone "$timezone" 2> "$work/gen.log" \
  || { cat "$work/gen.log" >&2; exit 1; }

step "demo settings, Segmentflow defaults (disconnected), fixed install values"
# WordPress 6.1 (Debian) adds options with autoload 'yes'. The plugin's
# activation adds its options with these defaults (false ⇒ '', true ⇒ '1');
# the write key stays empty: the demo store ships disconnected.
"${mysql[@]}" "$db" <<SQL
UPDATE ${prefix}options SET option_value = '$blog_name' WHERE option_name = 'blogname';
UPDATE ${prefix}options SET option_value = 'Synthetic WooCommerce data for the Segmentflow demo' WHERE option_name = 'blogdescription';
UPDATE ${prefix}options SET option_value = 'a:2:{i:0;s:43:"segmentflow-connect/segmentflow-connect.php";i:1;s:27:"woocommerce/woocommerce.php";}' WHERE option_name = 'active_plugins';
INSERT INTO ${prefix}options (option_name, option_value, autoload) VALUES
  ('segmentflow_write_key', '', 'yes'),
  ('segmentflow_organization_name', '', 'yes'),
  ('segmentflow_organization_id', '', 'yes'),
  ('segmentflow_api_host', 'https://api.segmentflow.ai', 'yes'),
  ('segmentflow_app_host', 'https://dashboard.segmentflow.ai', 'yes'),
  ('segmentflow_debug_mode', '', 'yes'),
  ('segmentflow_consent_required', '', 'yes'),
  ('segmentflow_wc_enabled', '1', 'yes'),
  ('segmentflow_connected_platform', '', 'yes'),
  ('segmentflow_webhook_secret', '', 'yes'),
  ('segmentflow_webhook_delivery_url', '', 'yes'),
  ('segmentflow_activated_at', '$now', 'yes');
-- wp_install()'s made-up values, fixed: the admin's random password hash
-- (the demo has no login: an unusable hash), its e-mail, the install dates,
-- cron times, salts and transients.
UPDATE ${prefix}users SET user_pass = '*demo-no-login*', user_email = 'admin@demo.segmentflow.test', user_registered = '2024-10-01 00:00:00' WHERE ID = 1;
UPDATE ${prefix}options SET option_value = 'admin@demo.segmentflow.test' WHERE option_name IN ('admin_email', 'new_admin_email');
UPDATE ${prefix}posts SET post_date = '2024-10-01 00:00:00', post_date_gmt = '2024-10-01 04:00:00', post_modified = '2024-10-01 00:00:00', post_modified_gmt = '2024-10-01 04:00:00' WHERE ID < 10;
-- "Confirm the admin e-mail" comes due 2027-05-01 UTC, six months after "now".
UPDATE ${prefix}options SET option_value = '1809129600' WHERE option_name = 'admin_email_lifespan';
UPDATE ${prefix}comments SET comment_date = '2024-10-01 00:00:00', comment_date_gmt = '2024-10-01 04:00:00';
DELETE FROM ${prefix}options WHERE option_name LIKE '\_transient\_%' OR option_name LIKE '\_site\_transient\_%'
  OR option_name IN ('cron', 'auth_key', 'auth_salt', 'logged_in_key', 'logged_in_salt', 'nonce_key', 'nonce_salt', 'secure_auth_key', 'secure_auth_salt', 'recovery_keys');
DELETE FROM ${prefix}usermeta WHERE meta_key IN ('session_tokens');
SQL

step "copy into SQLite"
(cd "$here" && cargo build --quiet --example mariadb_to_sqlite -p segmentflow-wpcli \
  $([[ "$profile" == release ]] && echo --release))
rm -rf "$work/site"
mkdir -p "$work/site/wp-content/database"
"$target/$profile/examples/mariadb_to_sqlite" --db "$db" --prefix "$prefix" \
  --out "$work/site/wp-content/database/.ht.sqlite" > "$work/tables.tsv"
# What the plugin puts next to the database file.
printf 'DENY FROM ALL' > "$work/site/wp-content/database/.htaccess"
printf '<?php // Silence is gold. ?>' > "$work/site/wp-content/database/index.php"

cat > "$work/site/wp-content/db.php" <<'PHP'
<?php
/**
 * Stand-in for the SQLite Database Integration drop-in
 * (WordPress/sqlite-database-integration, db.copy), for the Segmentflow
 * demo fixture. The real drop-in loads the plugin's SQLite driver; this one
 * only marks the site as SQLite-based (segmentflow-wpcli recognises the
 * drop-in by name) — install the plugin to run WordPress itself on it.
 *
 * @package segmentflow-wpcli
 */

define( 'SQLITE_DB_DROPIN_VERSION', '2.1.16' );

if ( ! defined( 'DATABASE_TYPE' ) ) {
	define( 'DATABASE_TYPE', 'sqlite' );
}
PHP

# Of WordPress core only its version file: the version of the core that
# created these tables (what `status` and the sync report as wp_version).
mkdir -p "$work/site/wp-includes"
{
  printf '<?php\n/**\n * The version of WordPress core whose wp_install() created this demo\n'
  printf ' * database, copied by scripts/make-demo-site.sh from\n * %s.\n' "$core_version_file"
  printf ' * The rest of WordPress core is not part of the fixture.\n *\n * @package WordPress\n */\n\n'
  grep -E '^\$(wp_version|wp_db_version) = ' "$core_version_file"
} > "$work/site/wp-includes/version.php"

cat > "$work/site/wp-config.php" <<PHP
<?php
/**
 * Segmentflow demo store — a FIXTURE, not a live site.
 *
 * Written by scripts/make-demo-site.sh: WordPress core plus a synthetic
 * WooCommerce store (seed $seed, $orders orders, $storage storage, as of
 * $now UTC) on the SQLite Database Integration plugin's layout. The
 * database is wp-content/database/.ht.sqlite; the MySQL settings below are
 * the wp-config-sample.php placeholders and are not used. The store ships
 * disconnected from Segmentflow; \`make demo\` connects a temporary copy of
 * it to the local sandbox. Do not edit: rebuild with the script.
 */

// ** Database settings (unused: this site's database is SQLite) ** //
define( 'DB_NAME', 'database_name_here' );
define( 'DB_USER', 'username_here' );
define( 'DB_PASSWORD', 'password_here' );
define( 'DB_HOST', 'localhost' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );

// ** SQLite Database Integration ** //
define( 'DB_ENGINE', 'sqlite' );
define( 'DATABASE_TYPE', 'sqlite' );
define( 'DB_DIR', __DIR__ . '/wp-content/database/' );
define( 'DB_FILE', '.ht.sqlite' );

define( 'WP_HOME', '$site_url' );
define( 'WP_SITEURL', '$site_url' );

\$table_prefix = '$prefix';

define( 'WP_DEBUG', false );

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

require_once ABSPATH . 'wp-settings.php';
PHP

{
  echo "# fixtures/demo-site, written by scripts/make-demo-site.sh and checked by"
  echo "# tests/e2e/demo_site.rs: generator settings, then rows per table."
  echo "generator seed=$seed orders=$orders storage=$storage now=${now/ /T}Z timezone=$timezone site_url=$site_url"
  echo "wordpress $(sed -n "s/^\$wp_version = '\(.*\)';/\1/p" "$core_version_file")"
  sed 's/^/table /; s/\t/ /' "$work/tables.tsv"
} > "$work/site/MANIFEST"

rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -a "$work/site" "$out"
step "wrote $out ($(du -sh "$out/wp-content/database/.ht.sqlite" | cut -f1) database)"
grep -E '^table (wp_wc_orders|wp_users|wp_posts) ' "$out/MANIFEST" >&2
