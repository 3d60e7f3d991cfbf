#!/usr/bin/env bash
# Extracts, from the real WooCommerce 9.2.5 dump, what the store generator mirrors:
#   fixtures/schema/woocommerce-9.2.5.sql  the DDL of every WooCommerce table (not
#                                          WordPress core's), table prefix as `{prefix}`;
#   fixtures/schema/meta-keys.json         the set of meta keys real WooCommerce wrote, per
#                                          order type, order item type and post type.
# Run once when the reference dump changes: scripts/extract-schema.sh [dump.sql.gz]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dump=${1:-/work/shared/fixtures/woocommerce-9.2.5/wp_accept-hpos.sql.gz}
db=sf_extract_schema_$$
mysql=(mariadb -uroot)
"${mysql[@]}" -e "CREATE DATABASE \`$db\`"
trap '"${mysql[@]}" -e "DROP DATABASE IF EXISTS \`$db\`"' EXIT
zcat "$dump" | "${mysql[@]}" "$db"

core='^wp_(users|usermeta|posts|postmeta|comments|commentmeta|terms|term_taxonomy|term_relationships|termmeta|options|links)$'
mapfile -t tables < <("${mysql[@]}" -N "$db" -e 'SHOW TABLES' | grep -vE "$core" | sort)
{
  echo "-- WooCommerce 9.2.5 tables as created by a real install (MariaDB 10.11),"
  echo "-- extracted by scripts/extract-schema.sh; {prefix} is the table prefix."
  mysqldump -uroot --no-data --skip-comments --compact --skip-set-charset "$db" "${tables[@]}" \
    | grep -v '^/\*' \
    | sed -E 's/ AUTO_INCREMENT=[0-9]+//; s/`wp_/`{prefix}/g'
} > "$here/fixtures/schema/woocommerce-9.2.5.sql"

q() { "${mysql[@]}" -N "$db" -e "$1"; }
{
  echo '{'
  echo '  "orders_meta": {'
  q "SELECT CONCAT('    \"', type, '\": ', JSON_ARRAYAGG(k), ',') FROM (SELECT DISTINCT o.type, m.meta_key k FROM wp_wc_orders_meta m JOIN wp_wc_orders o ON o.id = m.order_id ORDER BY 1, 2) x GROUP BY type" | sed '$ s/,$//'
  echo '  },'
  echo '  "order_itemmeta": {'
  q "SELECT CONCAT('    \"', t, '\": ', JSON_ARRAYAGG(k), ',') FROM (SELECT DISTINCT CONCAT(o.type, '/', i.order_item_type) t, m.meta_key k FROM wp_woocommerce_order_itemmeta m JOIN wp_woocommerce_order_items i USING (order_item_id) JOIN wp_wc_orders o ON o.id = i.order_id ORDER BY 1, 2) x GROUP BY t" | sed '$ s/,$//'
  echo '  },'
  echo '  "postmeta": {'
  q "SELECT CONCAT('    \"', post_type, '\": ', JSON_ARRAYAGG(k), ',') FROM (SELECT DISTINCT p.post_type, m.meta_key k FROM wp_postmeta m JOIN wp_posts p ON p.ID = m.post_id WHERE p.post_type IN ('product', 'product_variation', 'shop_coupon') ORDER BY 1, 2) x GROUP BY post_type" | sed '$ s/,$//'
  echo '  },'
  echo -n '  "customer_usermeta": '
  q "SELECT JSON_ARRAYAGG(k) FROM (SELECT DISTINCT m.meta_key k FROM wp_usermeta m JOIN wp_usermeta c ON c.user_id = m.user_id AND c.meta_key = 'wp_capabilities' AND c.meta_value LIKE '%customer%' ORDER BY 1) x"
  echo '}'
} > "$here/fixtures/schema/meta-keys.json"
jq "walk(if type == \"array\" then sort else . end)" "$here/fixtures/schema/meta-keys.json" > "$here/fixtures/schema/meta-keys.json.tmp"
mv "$here/fixtures/schema/meta-keys.json.tmp" "$here/fixtures/schema/meta-keys.json"
echo "wrote fixtures/schema/woocommerce-9.2.5.sql (${#tables[@]} tables) and fixtures/schema/meta-keys.json" >&2
