-- Converts a WooCommerce store from HPOS to legacy posts storage (tests only).
--
-- Writes every `wc_orders` row (orders and refunds) as a `shop_order` /
-- `shop_order_refund` post with the postmeta keys of WooCommerce's CPT data
-- store (reference §6.3), then flips `woocommerce_custom_orders_table_enabled`
-- to `no` and empties the HPOS tables so nothing can still be read from them.
--
-- * HPOS keeps a `shop_order_placehold` post with each order's id; those
--   rows are turned into the order posts (same ids), missing ones inserted.
-- * Values are copied as MySQL prints them (`317.34000000` stays so), so
--   the records read back equal the HPOS ones; real posts storage would
--   hold `317.34`, which the REST mapping rounds the same way.
-- * `_date_paid` / `_date_completed` are Unix timestamps of the GMT columns
--   (computed without the session time zone).
-- * Order meta rows keep their HPOS id plus 1,000,000 as `meta_id` (postmeta
--   has its own id sequence; the test maps them back).
-- * Columns that are NULL in HPOS get no postmeta row (an absent key reads
--   as WooCommerce's default, as a NULL column does).

SET SESSION sql_mode = '';

UPDATE wp_posts p
JOIN wp_wc_orders o ON o.id = p.ID
LEFT JOIN wp_wc_order_operational_data op ON op.order_id = o.id
SET p.post_type = o.type,
    p.post_status = o.status,
    p.post_parent = COALESCE(o.parent_order_id, 0),
    p.post_author = 1,
    p.post_date = COALESCE(o.date_created_gmt, '0000-00-00 00:00:00'),
    p.post_date_gmt = COALESCE(o.date_created_gmt, '0000-00-00 00:00:00'),
    p.post_modified = COALESCE(o.date_updated_gmt, '0000-00-00 00:00:00'),
    p.post_modified_gmt = COALESCE(o.date_updated_gmt, '0000-00-00 00:00:00'),
    p.post_excerpt = COALESCE(o.customer_note, ''),
    p.post_password = COALESCE(op.order_key, ''),
    p.post_title = 'Order',
    p.post_name = '',
    p.comment_status = 'closed',
    p.ping_status = 'closed';

INSERT INTO wp_posts (ID, post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt,
  post_status, comment_status, ping_status, post_password, post_name, to_ping, pinged, post_modified,
  post_modified_gmt, post_content_filtered, post_parent, guid, menu_order, post_type, post_mime_type, comment_count)
SELECT o.id, 1, COALESCE(o.date_created_gmt, '0000-00-00 00:00:00'), COALESCE(o.date_created_gmt, '0000-00-00 00:00:00'),
  '', 'Order', COALESCE(o.customer_note, ''), o.status, 'closed', 'closed', COALESCE(op.order_key, ''), '', '', '',
  COALESCE(o.date_updated_gmt, '0000-00-00 00:00:00'), COALESCE(o.date_updated_gmt, '0000-00-00 00:00:00'), '',
  COALESCE(o.parent_order_id, 0), '', 0, o.type, '', 0
FROM wp_wc_orders o
LEFT JOIN wp_wc_order_operational_data op ON op.order_id = o.id
WHERE NOT EXISTS (SELECT 1 FROM wp_posts p WHERE p.ID = o.id);

-- Order columns.
INSERT INTO wp_postmeta (post_id, meta_key, meta_value)
          SELECT id, '_customer_user', COALESCE(customer_id, 0) FROM wp_wc_orders
UNION ALL SELECT id, '_order_currency', currency FROM wp_wc_orders WHERE currency IS NOT NULL
UNION ALL SELECT id, '_order_tax', tax_amount FROM wp_wc_orders WHERE tax_amount IS NOT NULL
UNION ALL SELECT id, '_order_total', total_amount FROM wp_wc_orders WHERE total_amount IS NOT NULL
UNION ALL SELECT id, '_payment_method', payment_method FROM wp_wc_orders WHERE payment_method IS NOT NULL
UNION ALL SELECT id, '_payment_method_title', payment_method_title FROM wp_wc_orders WHERE payment_method_title IS NOT NULL
UNION ALL SELECT id, '_transaction_id', transaction_id FROM wp_wc_orders WHERE transaction_id IS NOT NULL
UNION ALL SELECT id, '_customer_ip_address', ip_address FROM wp_wc_orders WHERE ip_address IS NOT NULL
UNION ALL SELECT id, '_customer_user_agent', user_agent FROM wp_wc_orders WHERE user_agent IS NOT NULL;

-- Operational data.
INSERT INTO wp_postmeta (post_id, meta_key, meta_value)
          SELECT order_id, '_created_via', created_via FROM wp_wc_order_operational_data WHERE created_via IS NOT NULL
UNION ALL SELECT order_id, '_order_version', woocommerce_version FROM wp_wc_order_operational_data WHERE woocommerce_version IS NOT NULL
UNION ALL SELECT order_id, '_prices_include_tax', IF(prices_include_tax, 'yes', 'no') FROM wp_wc_order_operational_data WHERE prices_include_tax IS NOT NULL
UNION ALL SELECT order_id, '_recorded_coupon_usage_counts', IF(coupon_usages_are_counted, 'yes', 'no') FROM wp_wc_order_operational_data WHERE coupon_usages_are_counted IS NOT NULL
UNION ALL SELECT order_id, '_download_permissions_granted', IF(download_permission_granted, 'yes', 'no') FROM wp_wc_order_operational_data WHERE download_permission_granted IS NOT NULL
UNION ALL SELECT order_id, '_cart_hash', cart_hash FROM wp_wc_order_operational_data WHERE cart_hash IS NOT NULL
UNION ALL SELECT order_id, '_new_order_email_sent', IF(new_order_email_sent, 'true', 'false') FROM wp_wc_order_operational_data WHERE new_order_email_sent IS NOT NULL
UNION ALL SELECT order_id, '_order_key', order_key FROM wp_wc_order_operational_data WHERE order_key IS NOT NULL
UNION ALL SELECT order_id, '_order_stock_reduced', IF(order_stock_reduced, 'yes', 'no') FROM wp_wc_order_operational_data WHERE order_stock_reduced IS NOT NULL
UNION ALL SELECT order_id, '_date_paid', TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', date_paid_gmt) FROM wp_wc_order_operational_data WHERE date_paid_gmt IS NOT NULL AND date_paid_gmt > '0000-00-00 00:00:00'
UNION ALL SELECT order_id, '_date_completed', TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', date_completed_gmt) FROM wp_wc_order_operational_data WHERE date_completed_gmt IS NOT NULL AND date_completed_gmt > '0000-00-00 00:00:00'
UNION ALL SELECT order_id, '_order_shipping_tax', shipping_tax_amount FROM wp_wc_order_operational_data WHERE shipping_tax_amount IS NOT NULL
UNION ALL SELECT order_id, '_order_shipping', shipping_total_amount FROM wp_wc_order_operational_data WHERE shipping_total_amount IS NOT NULL
UNION ALL SELECT order_id, '_cart_discount_tax', discount_tax_amount FROM wp_wc_order_operational_data WHERE discount_tax_amount IS NOT NULL
UNION ALL SELECT order_id, '_cart_discount', discount_total_amount FROM wp_wc_order_operational_data WHERE discount_total_amount IS NOT NULL
UNION ALL SELECT order_id, '_recorded_sales', IF(recorded_sales, 'yes', 'no') FROM wp_wc_order_operational_data WHERE recorded_sales IS NOT NULL;

-- Addresses (`_billing_email` only when the column is set; no shipping email).
INSERT INTO wp_postmeta (post_id, meta_key, meta_value)
SELECT a.order_id, CONCAT('_', a.address_type, '_', f.name),
  CASE f.name
    WHEN 'first_name' THEN a.first_name WHEN 'last_name' THEN a.last_name WHEN 'company' THEN a.company
    WHEN 'address_1' THEN a.address_1 WHEN 'address_2' THEN a.address_2 WHEN 'city' THEN a.city
    WHEN 'state' THEN a.state WHEN 'postcode' THEN a.postcode WHEN 'country' THEN a.country
    WHEN 'email' THEN a.email WHEN 'phone' THEN a.phone END AS v
FROM wp_wc_order_addresses a
JOIN (SELECT 'first_name' AS name UNION ALL SELECT 'last_name' UNION ALL SELECT 'company' UNION ALL SELECT 'address_1'
      UNION ALL SELECT 'address_2' UNION ALL SELECT 'city' UNION ALL SELECT 'state' UNION ALL SELECT 'postcode'
      UNION ALL SELECT 'country' UNION ALL SELECT 'email' UNION ALL SELECT 'phone') f
WHERE a.address_type IN ('billing', 'shipping') AND NOT (a.address_type = 'shipping' AND f.name = 'email')
HAVING v IS NOT NULL
ORDER BY a.order_id, a.address_type, f.name;

-- Everything else: the order meta rows, ids offset.
INSERT INTO wp_postmeta (meta_id, post_id, meta_key, meta_value)
SELECT id + 1000000, order_id, meta_key, meta_value FROM wp_wc_orders_meta ORDER BY id;

UPDATE wp_options SET option_value = 'no' WHERE option_name = 'woocommerce_custom_orders_table_enabled';

DELETE FROM wp_wc_orders;
DELETE FROM wp_wc_order_addresses;
DELETE FROM wp_wc_order_operational_data;
DELETE FROM wp_wc_orders_meta;
