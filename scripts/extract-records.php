<?php
/**
 * Writes the store records of sample entities as JSON fixtures.
 *
 * Reads a WordPress + WooCommerce database (HPOS authoritative) the way the
 * Rust store reader is meant to: raw rows, meta rows with their ids, item
 * rows, term rows, attachments and a few options, with PHP-serialized meta
 * decoded. No WooCommerce code runs. The output defines what the reader
 * must produce (segmentflow-core/src/store).
 *
 * Usage:
 *   php scripts/extract-records.php --db=sf_rest_study \
 *       --out=fixtures/woocommerce-9.2.5/records [--wp-version=6.6.2] \
 *       [--orders=78,84] [--customers=2] [--products=10,40]
 */

$opts = getopt( '', array( 'db:', 'out:', 'wp-version::', 'orders::', 'customers::', 'products::', 'socket::', 'user::' ) );
$db_name   = $opts['db'] ?? 'sf_rest_study';
$out_dir   = rtrim( $opts['out'] ?? 'fixtures/woocommerce-9.2.5/records', '/' );
$wp_ver    = $opts['wp-version'] ?? '6.6.2';
$order_ids = array_map( 'intval', explode( ',', $opts['orders'] ?? '78,84,97,104,120,142,83,118' ) );
$cust_ids  = array_map( 'intval', explode( ',', $opts['customers'] ?? '2,10,11' ) );
$prod_ids  = array_map( 'intval', explode( ',', $opts['products'] ?? '10,11,12,40' ) );
$prefix    = 'wp_';

mysqli_report( MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT );
$db = new mysqli( 'localhost', $opts['user'] ?? 'root', '', $db_name, 0, $opts['socket'] ?? null );
$db->set_charset( 'utf8mb4' );

function rows( $sql, ...$params ) {
	global $db;
	$stmt = $db->prepare( $sql );
	if ( $params ) {
		$stmt->bind_param( str_repeat( 's', count( $params ) ), ...$params );
	}
	$stmt->execute();
	$res = $stmt->get_result();
	return $res ? $res->fetch_all( MYSQLI_ASSOC ) : array();
}

function row( $sql, ...$params ) {
	$r = rows( $sql, ...$params );
	return $r[0] ?? null;
}

function option( $name, $default = '' ) {
	global $prefix;
	$r = row( "SELECT option_value FROM {$prefix}options WHERE option_name = ?", $name );
	return null === $r ? $default : $r['option_value'];
}

/** WordPress's maybe_unserialize(), for values stored by WordPress. */
function is_serialized_value( $data ) {
	if ( ! is_string( $data ) ) {
		return false;
	}
	$data = trim( $data );
	if ( 'N;' === $data ) {
		return true;
	}
	if ( strlen( $data ) < 4 || ':' !== $data[1] ) {
		return false;
	}
	$last = substr( $data, -1 );
	if ( ';' !== $last && '}' !== $last ) {
		return false;
	}
	return (bool) preg_match( '/^[aOCEbids]:/', $data );
}

function unserialized( $raw ) {
	if ( is_serialized_value( $raw ) ) {
		$v = @unserialize( trim( $raw ), array( 'allowed_classes' => false ) );
		if ( false !== $v || 'b:0;' === trim( $raw ) ) {
			return $v;
		}
	}
	return $raw;
}

/** A meta row value: the string, or the unserialized value (JSON form). */
function meta_rows( $sql, ...$params ) {
	$out = array();
	foreach ( rows( $sql, ...$params ) as $r ) {
		$out[] = array(
			'id'    => (int) $r['meta_id'],
			'key'   => $r['meta_key'],
			'value' => null === $r['meta_value'] ? null : unserialized( $r['meta_value'] ),
		);
	}
	return $out;
}

function meta_get( $meta, $key ) {
	foreach ( $meta as $m ) {
		if ( $m['key'] === $key ) {
			return $m['value'];
		}
	}
	return null;
}

function meta_str( $meta, $key ) {
	$v = meta_get( $meta, $key );
	return is_string( $v ) ? $v : '';
}

function gmt( $v ) {
	return ( null === $v || '' === $v || 0 === strpos( $v, '0000-00-00' ) ) ? null : $v;
}

function tax_entries( $arr ) {
	$out = array();
	if ( ! is_array( $arr ) ) {
		return $out;
	}
	foreach ( $arr as $k => $v ) {
		$out[] = array(
			'rate_id' => $k,
			'amount'  => is_float( $v ) ? $v : (string) $v,
		);
	}
	return $out;
}

function tax_data( $raw ) {
	if ( ! is_array( $raw ) ) {
		return null;
	}
	$has_total    = array_key_exists( 'total', $raw );
	$has_subtotal = array_key_exists( 'subtotal', $raw );
	return array(
		'total'    => $has_total ? tax_entries( $raw['total'] ) : null,
		'subtotal' => $has_subtotal ? tax_entries( $raw['subtotal'] ) : null,
		'flat'     => ( ! $has_total && ! $has_subtotal && $raw ) ? tax_entries( $raw ) : null,
	);
}

function sanitize_key_name( $s ) {
	$s = strtolower( trim( $s ) );
	$s = preg_replace( '/\s+/', '-', $s );
	return trim( preg_replace( '/[^\p{L}\p{N}_-]/u', '', $s ), '-' );
}

function attachment( $id ) {
	global $prefix;
	$p = row( "SELECT * FROM {$prefix}posts WHERE ID = ? AND post_type = 'attachment'", $id );
	if ( ! $p ) {
		return null;
	}
	$meta = meta_rows( "SELECT meta_id, meta_key, meta_value FROM {$prefix}postmeta WHERE post_id = ? ORDER BY meta_id", $id );
	return array(
		'id'                => (int) $p['ID'],
		'title'             => $p['post_title'],
		'post_date'         => $p['post_date'],
		'post_date_gmt'     => $p['post_date_gmt'],
		'post_modified'     => $p['post_modified'],
		'post_modified_gmt' => $p['post_modified_gmt'],
		'attached_file'     => meta_str( $meta, '_wp_attached_file' ),
		'alt'               => meta_str( $meta, '_wp_attachment_image_alt' ),
	);
}

function uploads_base_url() {
	$url_path = option( 'upload_url_path' );
	if ( '' !== $url_path ) {
		return rtrim( $url_path, '/' );
	}
	return rtrim( option( 'siteurl' ), '/' ) . '/wp-content/uploads';
}

function terms_of( $object_id, $taxonomy ) {
	global $prefix;
	$out = array();
	foreach ( rows(
		"SELECT t.term_id, t.name, t.slug FROM {$prefix}terms t
		 JOIN {$prefix}term_taxonomy tt ON tt.term_id = t.term_id
		 JOIN {$prefix}term_relationships tr ON tr.term_taxonomy_id = tt.term_taxonomy_id
		 WHERE tr.object_id = ? AND tt.taxonomy = ? ORDER BY t.name ASC",
		$object_id,
		$taxonomy
	) as $t ) {
		$out[] = array( 'id' => (int) $t['term_id'], 'name' => $t['name'], 'slug' => $t['slug'] );
	}
	return $out;
}

function attribute_terms_of( $object_id ) {
	global $prefix;
	$out = array();
	foreach ( rows(
		"SELECT tt.taxonomy, t.term_id, t.name, t.slug,
		   (SELECT meta_value FROM {$prefix}termmeta tm WHERE tm.term_id = t.term_id AND tm.meta_key = 'order' LIMIT 1) AS term_order
		 FROM {$prefix}terms t
		 JOIN {$prefix}term_taxonomy tt ON tt.term_id = t.term_id
		 JOIN {$prefix}term_relationships tr ON tr.term_taxonomy_id = tt.term_taxonomy_id
		 WHERE tr.object_id = ? AND tt.taxonomy LIKE 'pa\\_%' ORDER BY tt.taxonomy, t.name",
		$object_id
	) as $t ) {
		$out[] = array(
			'taxonomy' => $t['taxonomy'],
			'id'       => (int) $t['term_id'],
			'name'     => $t['name'],
			'slug'     => $t['slug'],
			'order'    => null === $t['term_order'] ? null : (int) $t['term_order'],
		);
	}
	return $out;
}

function attribute_term_by_slug( $taxonomy, $slug ) {
	global $prefix;
	$t = row(
		"SELECT t.term_id, t.name, t.slug FROM {$prefix}terms t JOIN {$prefix}term_taxonomy tt ON tt.term_id = t.term_id
		 WHERE tt.taxonomy = ? AND t.slug = ?",
		$taxonomy,
		$slug
	);
	return $t ? array( 'taxonomy' => $taxonomy, 'id' => (int) $t['term_id'], 'name' => $t['name'], 'slug' => $t['slug'], 'order' => null ) : null;
}

function product_attributes( $meta ) {
	$raw = meta_get( $meta, '_product_attributes' );
	$out = array();
	if ( ! is_array( $raw ) ) {
		return $out;
	}
	foreach ( $raw as $key => $a ) {
		$out[] = array(
			'key'          => (string) $key,
			'name'         => (string) ( $a['name'] ?? '' ),
			'value'        => (string) ( $a['value'] ?? '' ),
			'position'     => (int) ( $a['position'] ?? 0 ),
			'is_visible'   => (bool) ( $a['is_visible'] ?? false ),
			'is_variation' => (bool) ( $a['is_variation'] ?? false ),
			'is_taxonomy'  => (bool) ( $a['is_taxonomy'] ?? false ),
		);
	}
	return $out;
}

function int_list( $v ) {
	return is_array( $v ) ? array_values( array_map( 'intval', $v ) ) : array();
}

function related_candidates( $id ) {
	$raw = unserialized( option( '_transient_wc_related_' . $id, '' ) );
	if ( ! is_array( $raw ) ) {
		return array();
	}
	$list = current( $raw );
	return is_array( $list ) ? array_slice( array_map( 'intval', array_values( $list ) ), 0, 5 ) : array();
}

function product_record( $id, $with_parent = true ) {
	global $prefix;
	$p = row( "SELECT * FROM {$prefix}posts WHERE ID = ?", $id );
	if ( ! $p ) {
		return null;
	}
	$meta      = meta_rows( "SELECT meta_id, meta_key, meta_value FROM {$prefix}postmeta WHERE post_id = ? ORDER BY meta_id", $id );
	$variation = 'product_variation' === $p['post_type'];
	$type      = $variation ? 'variation' : ( terms_of( $id, 'product_type' )[0]['slug'] ?? '' );
	$attach    = array();
	$ids       = array();
	if ( (int) meta_str( $meta, '_thumbnail_id' ) ) {
		$ids[] = (int) meta_str( $meta, '_thumbnail_id' );
	}
	foreach ( array_filter( explode( ',', meta_str( $meta, '_product_image_gallery' ) ) ) as $g ) {
		$ids[] = (int) $g;
	}
	foreach ( $ids as $aid ) {
		$a = attachment( $aid );
		if ( $a ) {
			$attach[] = $a;
		}
	}
	$defaults = array();
	$raw_def  = meta_get( $meta, '_default_attributes' );
	if ( is_array( $raw_def ) ) {
		foreach ( $raw_def as $k => $v ) {
			$defaults[] = array( (string) $k, (string) $v );
		}
	}
	$variations = array();
	if ( 'variable' === $type ) {
		foreach ( rows(
			"SELECT ID, post_status FROM {$prefix}posts WHERE post_parent = ? AND post_type = 'product_variation'
			 AND post_status IN ('publish','private') ORDER BY menu_order ASC, ID ASC",
			$id
		) as $c ) {
			$cm           = meta_rows( "SELECT meta_id, meta_key, meta_value FROM {$prefix}postmeta WHERE post_id = ? ORDER BY meta_id", $c['ID'] );
			$variations[] = array(
				'id'            => (int) $c['ID'],
				'status'        => $c['post_status'],
				'price'         => meta_str( $cm, '_price' ),
				'regular_price' => meta_str( $cm, '_regular_price' ),
				'sale_price'    => meta_str( $cm, '_sale_price' ),
				'sale_from'     => meta_str( $cm, '_sale_price_dates_from' ),
				'sale_to'       => meta_str( $cm, '_sale_price_dates_to' ),
				'stock_status'  => meta_str( $cm, '_stock_status' ),
			);
		}
	}
	$visibility = array_map( fn( $t ) => $t['slug'], terms_of( $id, 'product_visibility' ) );
	return array(
		'id'                 => (int) $p['ID'],
		'post_type'          => $p['post_type'],
		'parent_id'          => (int) $p['post_parent'],
		'product_type'       => $type,
		'title'              => $p['post_title'],
		'slug'               => $p['post_name'],
		'content'            => $p['post_content'],
		'excerpt'            => $p['post_excerpt'],
		'status'             => $p['post_status'],
		'post_password'      => $p['post_password'],
		'comment_status'     => $p['comment_status'],
		'menu_order'         => (int) $p['menu_order'],
		'date_created_gmt'   => gmt( $p['post_date_gmt'] ),
		'date_modified_gmt'  => gmt( $p['post_modified_gmt'] ),
		'meta'               => $meta,
		'categories'         => terms_of( $id, 'product_cat' ),
		'tags'               => terms_of( $id, 'product_tag' ),
		'shipping_classes'   => terms_of( $id, 'product_shipping_class' ),
		'visibility'         => $visibility,
		'attributes'         => product_attributes( $meta ),
		'attribute_terms'    => attribute_terms_of( $id ),
		'default_attributes' => $defaults,
		'upsell_ids'         => int_list( meta_get( $meta, '_upsell_ids' ) ),
		'cross_sell_ids'     => int_list( meta_get( $meta, '_crosssell_ids' ) ),
		'grouped_children'   => int_list( meta_get( $meta, '_children' ) ),
		'attachments'        => $attach,
		'variations'         => $variations,
		'parent'             => ( $variation && $with_parent ) ? product_record( (int) $p['post_parent'], false ) : null,
		'related_ids'        => $variation ? array() : related_candidates( $id ),
	);
}

function product_ref( $id ) {
	global $prefix;
	$p = row( "SELECT ID, post_type, post_parent, post_title FROM {$prefix}posts WHERE ID = ? AND post_type IN ('product','product_variation')", $id );
	if ( ! $p ) {
		return null;
	}
	$meta      = meta_rows( "SELECT meta_id, meta_key, meta_value FROM {$prefix}postmeta WHERE post_id = ? ORDER BY meta_id", $id );
	$variation = 'product_variation' === $p['post_type'];
	$parent    = $variation ? (int) $p['post_parent'] : 0;
	$pmeta     = $parent ? meta_rows( "SELECT meta_id, meta_key, meta_value FROM {$prefix}postmeta WHERE post_id = ? ORDER BY meta_id", $parent ) : array();
	$pp        = $parent ? row( "SELECT post_title FROM {$prefix}posts WHERE ID = ?", $parent ) : null;
	$thumb     = meta_get( $meta, '_thumbnail_id' );
	$pthumb    = meta_get( $pmeta, '_thumbnail_id' );
	$attach    = array();
	foreach ( array( $thumb, $pthumb ) as $t ) {
		if ( is_string( $t ) && (int) $t ) {
			$a = attachment( (int) $t );
			if ( $a ) {
				$attach[] = $a;
			}
		}
	}
	$custom = array();
	foreach ( product_attributes( $variation ? $pmeta : $meta ) as $a ) {
		if ( ! $a['is_taxonomy'] ) {
			$custom[] = array( sanitize_key_name( $a['key'] ), $a['name'] );
		}
	}
	return array(
		'id'                  => (int) $p['ID'],
		'product_type'        => $variation ? 'variation' : ( terms_of( $id, 'product_type' )[0]['slug'] ?? '' ),
		'sku'                 => meta_str( $meta, '_sku' ),
		'parent_sku'          => meta_str( $pmeta, '_sku' ),
		'thumbnail_id'        => is_string( $thumb ) ? $thumb : '',
		'parent_thumbnail_id' => is_string( $pthumb ) ? $pthumb : '',
		'attachments'         => $attach,
		'parent_title'        => $pp ? $pp['post_title'] : '',
		'virtual'             => meta_str( $meta, '_virtual' ),
		'downloadable'        => meta_str( $meta, '_downloadable' ),
		'custom_attributes'   => $custom,
	);
}

function address( $order_id, $type ) {
	global $prefix;
	$a = row( "SELECT * FROM {$prefix}wc_order_addresses WHERE order_id = ? AND address_type = ?", $order_id, $type );
	$f = fn( $k ) => ( $a && null !== $a[ $k ] ) ? $a[ $k ] : '';
	return array(
		'first_name' => $f( 'first_name' ),
		'last_name'  => $f( 'last_name' ),
		'company'    => $f( 'company' ),
		'address_1'  => $f( 'address_1' ),
		'address_2'  => $f( 'address_2' ),
		'city'       => $f( 'city' ),
		'state'      => $f( 'state' ),
		'postcode'   => $f( 'postcode' ),
		'country'    => $f( 'country' ),
		'email'      => ( $a && null !== $a['email'] ) ? $a['email'] : null,
		'phone'      => $f( 'phone' ),
	);
}

function order_record( $id ) {
	global $prefix;
	$o = row( "SELECT * FROM {$prefix}wc_orders WHERE id = ?", $id );
	if ( ! $o ) {
		return null;
	}
	$op    = row( "SELECT * FROM {$prefix}wc_order_operational_data WHERE order_id = ?", $id ) ?? array();
	$meta  = meta_rows( "SELECT id AS meta_id, meta_key, meta_value FROM {$prefix}wc_orders_meta WHERE order_id = ? ORDER BY id", $id );
	$items = array();
	$pids  = array();
	$terms = array();
	foreach ( rows( "SELECT * FROM {$prefix}woocommerce_order_items WHERE order_id = ? ORDER BY order_item_id", $id ) as $it ) {
		$im    = meta_rows( "SELECT meta_id, meta_key, meta_value FROM {$prefix}woocommerce_order_itemmeta WHERE order_item_id = ? ORDER BY meta_id", $it['order_item_id'] );
		$taxes = null;
		if ( in_array( $it['order_item_type'], array( 'line_item', 'fee' ), true ) ) {
			$taxes = tax_data( meta_get( $im, '_line_tax_data' ) );
		} elseif ( 'shipping' === $it['order_item_type'] ) {
			$taxes = tax_data( meta_get( $im, 'taxes' ) );
		}
		if ( 'line_item' === $it['order_item_type'] ) {
			$vid    = (int) meta_str( $im, '_variation_id' );
			$pid    = (int) meta_str( $im, '_product_id' );
			$pids[] = $vid ? $vid : $pid;
			foreach ( $im as $m ) {
				$tax = str_replace( 'attribute_', '', $m['key'] );
				if ( 0 === strpos( $tax, 'pa_' ) && is_string( $m['value'] ) ) {
					$t = attribute_term_by_slug( $tax, $m['value'] );
					if ( $t ) {
						$terms[ $tax . '|' . $t['slug'] ] = $t;
					}
				}
			}
		}
		$items[] = array(
			'id'        => (int) $it['order_item_id'],
			'name'      => $it['order_item_name'],
			'item_type' => $it['order_item_type'],
			'meta'      => $im,
			'taxes'     => $taxes,
		);
	}
	$refunds = array();
	foreach ( rows( "SELECT id FROM {$prefix}wc_orders WHERE parent_order_id = ? AND type = 'shop_order_refund' ORDER BY id", $id ) as $r ) {
		$rec = order_record( (int) $r['id'] );
		foreach ( $rec['products'] as $p ) {
			$pids[] = $p['id'];
		}
		foreach ( $rec['attribute_terms'] as $t ) {
			$terms[ $t['taxonomy'] . '|' . $t['slug'] ] = $t;
		}
		$refunds[] = $rec;
	}
	$products = array();
	foreach ( array_unique( $pids ) as $pid ) {
		$ref = $pid ? product_ref( $pid ) : null;
		if ( $ref ) {
			$products[] = $ref;
		}
	}
	$date = fn( $v ) => gmt( $v ) ? array( 'gmt' => $v ) : null;
	return array(
		'id'                   => (int) $o['id'],
		'parent_id'            => (int) $o['parent_order_id'],
		'order_type'           => $o['type'],
		'status'               => $o['status'],
		'currency'             => (string) $o['currency'],
		'version'              => (string) ( $op['woocommerce_version'] ?? '' ),
		'prices_include_tax'   => isset( $op['prices_include_tax'] ) ? (bool) $op['prices_include_tax'] : null,
		'date_created_gmt'     => gmt( $o['date_created_gmt'] ),
		'date_modified_gmt'    => gmt( $o['date_updated_gmt'] ),
		'date_paid'            => $date( $op['date_paid_gmt'] ?? null ),
		'date_completed'       => $date( $op['date_completed_gmt'] ?? null ),
		'discount_total'       => (string) ( $op['discount_total_amount'] ?? '0' ),
		'discount_tax'         => (string) ( $op['discount_tax_amount'] ?? '0' ),
		'shipping_total'       => (string) ( $op['shipping_total_amount'] ?? '0' ),
		'shipping_tax'         => (string) ( $op['shipping_tax_amount'] ?? '0' ),
		'cart_tax'             => (string) $o['tax_amount'],
		'total'                => (string) $o['total_amount'],
		'customer_id'          => (int) $o['customer_id'],
		'order_key'            => (string) ( $op['order_key'] ?? '' ),
		'billing'              => address( $id, 'billing' ),
		'shipping'             => address( $id, 'shipping' ),
		'payment_method'       => (string) $o['payment_method'],
		'payment_method_title' => (string) $o['payment_method_title'],
		'transaction_id'       => (string) $o['transaction_id'],
		'customer_ip_address'  => (string) $o['ip_address'],
		'customer_user_agent'  => (string) $o['user_agent'],
		'created_via'          => (string) ( $op['created_via'] ?? '' ),
		'customer_note'        => (string) $o['customer_note'],
		'cart_hash'            => (string) ( $op['cart_hash'] ?? '' ),
		'meta'                 => $meta,
		'items'                => $items,
		'refunds'              => $refunds,
		'products'             => $products,
		'attribute_terms'      => array_values( $terms ),
	);
}

function customer_record( $id ) {
	global $prefix;
	$u = row( "SELECT * FROM {$prefix}users WHERE ID = ?", $id );
	if ( ! $u ) {
		return null;
	}
	$meta = meta_rows( "SELECT umeta_id AS meta_id, meta_key, meta_value FROM {$prefix}usermeta WHERE user_id = ? ORDER BY umeta_id", $id );
	$caps = array();
	$raw  = meta_get( $meta, $prefix . 'capabilities' );
	if ( is_array( $raw ) ) {
		foreach ( $raw as $k => $v ) {
			$caps[] = array( (string) $k, (bool) $v );
		}
	}
	// WC_Customer_Data_Store::get_order_count() / get_total_spent() with HPOS:
	// every row of the customer in a registered / paid status (no type filter).
	$statuses = "'wc-pending','wc-processing','wc-on-hold','wc-completed','wc-cancelled','wc-refunded','wc-failed','wc-checkout-draft'";
	$count    = row( "SELECT COUNT(*) AS c FROM {$prefix}wc_orders WHERE customer_id = ? AND status IN ($statuses)", $id );
	$spent    = row( "SELECT COALESCE(SUM(total_amount), 0) AS s FROM {$prefix}wc_orders WHERE customer_id = ? AND status IN ('wc-processing','wc-completed')", $id );
	$last     = meta_get( $meta, 'last_update' );
	return array(
		'id'                  => (int) $u['ID'],
		'user_login'          => $u['user_login'],
		'user_email'          => $u['user_email'],
		'user_registered_gmt' => gmt( $u['user_registered'] ),
		'display_name'        => $u['display_name'],
		'meta'                => $meta,
		'capabilities'        => $caps,
		'table_prefix'        => $prefix,
		'last_update'         => ( is_string( $last ) && is_numeric( $last ) ) ? array( 'timestamp' => (int) $last ) : null,
		'order_count'         => (int) $count['c'],
		'total_spent'         => (string) $spent['s'],
	);
}

function site_record( $wp_ver ) {
	global $prefix;
	$permalinks = unserialized( option( 'woocommerce_permalinks', '' ) );
	$checkout   = (int) option( 'woocommerce_checkout_page_id', '0' );
	$uri        = array();
	for ( $pid = $checkout; $pid; ) {
		$pg = row( "SELECT post_name, post_parent FROM {$prefix}posts WHERE ID = ?", $pid );
		if ( ! $pg ) {
			break;
		}
		array_unshift( $uri, $pg['post_name'] );
		$pid = (int) $pg['post_parent'];
	}
	$placeholder = option( 'woocommerce_placeholder_image', '' );
	$ph_src      = rtrim( option( 'siteurl' ), '/' ) . '/wp-content/plugins/woocommerce/assets/images/placeholder.png';
	if ( is_numeric( $placeholder ) && (int) $placeholder ) {
		$file = row( "SELECT meta_value FROM {$prefix}postmeta WHERE post_id = ? AND meta_key = '_wp_attached_file'", $placeholder );
		$md   = row( "SELECT meta_value FROM {$prefix}postmeta WHERE post_id = ? AND meta_key = '_wp_attachment_metadata'", $placeholder );
		if ( $file ) {
			$path = $file['meta_value'];
			$md   = $md ? unserialized( $md['meta_value'] ) : null;
			if ( is_array( $md ) && isset( $md['sizes']['woocommerce_thumbnail']['file'] ) ) {
				$dir  = dirname( $path );
				$path = ( '.' === $dir ? '' : $dir . '/' ) . $md['sizes']['woocommerce_thumbnail']['file'];
			}
			$ph_src = uploads_base_url() . '/' . $path;
		}
	} elseif ( '' !== $placeholder ) {
		$ph_src = $placeholder;
	}
	$roles = unserialized( option( $prefix . 'user_roles', '' ) );
	$taxes = array();
	foreach ( rows( "SELECT attribute_id, attribute_name, attribute_label, attribute_orderby FROM {$prefix}woocommerce_attribute_taxonomies ORDER BY attribute_name" ) as $t ) {
		$taxes[] = array(
			'id'      => (int) $t['attribute_id'],
			'name'    => $t['attribute_name'],
			'label'   => $t['attribute_label'],
			'orderby' => $t['attribute_orderby'],
		);
	}
	return array(
		'home_url'               => rtrim( option( 'home' ), '/' ),
		'site_url'               => rtrim( option( 'siteurl' ), '/' ),
		'timezone_string'        => option( 'timezone_string' ),
		'gmt_offset'             => option( 'gmt_offset', '0' ),
		'price_num_decimals'     => option( 'woocommerce_price_num_decimals', '2' ),
		'price_decimal_sep'      => option( 'woocommerce_price_decimal_sep', '.' ),
		'price_thousand_sep'     => option( 'woocommerce_price_thousand_sep', ',' ),
		'currency_pos'           => option( 'woocommerce_currency_pos', 'left' ),
		'currency'               => option( 'woocommerce_currency', 'USD' ),
		'price_display_suffix'   => option( 'woocommerce_price_display_suffix' ),
		'prices_include_tax'     => option( 'woocommerce_prices_include_tax', 'no' ),
		'manage_stock'           => option( 'woocommerce_manage_stock', 'yes' ),
		'notify_no_stock_amount' => option( 'woocommerce_notify_no_stock_amount', '0' ),
		'woocommerce_version'    => option( 'woocommerce_version' ),
		'wordpress_version'      => $wp_ver,
		'permalink_structure'    => option( 'permalink_structure' ),
		'product_base'           => is_array( $permalinks ) ? (string) ( $permalinks['product_base'] ?? '' ) : '',
		'checkout_page_uri'      => implode( '/', $uri ),
		'checkout_page_id'       => $checkout,
		'uploads_base_url'       => uploads_base_url(),
		'placeholder_image_src'  => $ph_src,
		'avatar_default'         => option( 'avatar_default', 'mystery' ),
		'avatar_rating'          => option( 'avatar_rating', 'G' ),
		'is_ssl'                 => false,
		'roles'                  => is_array( $roles ) ? array_map( 'strval', array_keys( $roles ) ) : array(),
		'attribute_taxonomies'   => $taxes,
		'now_gmt'                => null,
	);
}

function write_json( $path, $data ) {
	if ( ! is_dir( dirname( $path ) ) ) {
		mkdir( dirname( $path ), 0777, true );
	}
	file_put_contents( $path, json_encode( $data, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION ) . "\n" );
}

write_json( "$out_dir/site.json", site_record( $wp_ver ) );
foreach ( $order_ids as $id ) {
	write_json( "$out_dir/orders/$id.json", order_record( $id ) );
}
foreach ( $cust_ids as $id ) {
	write_json( "$out_dir/customers/$id.json", customer_record( $id ) );
}
foreach ( $prod_ids as $id ) {
	$rec = product_record( $id );
	write_json( "$out_dir/products/$id.json", $rec );
	foreach ( $rec['variations'] as $v ) {
		write_json( "$out_dir/products/{$v['id']}.json", product_record( $v['id'] ) );
	}
}
fwrite( STDERR, "records written to $out_dir\n" );
