<?php
/**
 * Prints, as JSON, what WordPress itself says about a site's brand: name,
 * tagline, custom logo and site icon URLs (`wp_get_attachment_url()`), the
 * uploads base URL, the merged colour palette (`wp_get_global_settings()`),
 * and the thumbnail URL of each product id given — the expected values of
 * the `brand` end-to-end tests.
 *
 * Usage: php wp-brand.php [<product id>,…]
 * Environment: as wp-get-option.php (SF_TEST_DB_NAME, SF_TEST_DB_HOST,
 * SF_TEST_DB_USER, SF_TEST_DB_PASSWORD, SF_TEST_TABLE_PREFIX, SF_TEST_ABSPATH).
 * WordPress loads fully (themes included), with WP_CONTENT_DIR at ABSPATH's.
 */

error_reporting( E_ALL & ~E_DEPRECATED & ~E_NOTICE & ~E_WARNING );
ini_set( 'display_errors', 'stderr' );

function sf_env( $name, $default ) {
	$value = getenv( $name );
	return false === $value ? $default : $value;
}

define( 'DB_NAME', sf_env( 'SF_TEST_DB_NAME', '' ) );
define( 'DB_USER', sf_env( 'SF_TEST_DB_USER', 'root' ) );
define( 'DB_PASSWORD', sf_env( 'SF_TEST_DB_PASSWORD', '' ) );
define( 'DB_HOST', sf_env( 'SF_TEST_DB_HOST', 'localhost' ) );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'ABSPATH', rtrim( sf_env( 'SF_TEST_ABSPATH', '/usr/share/wordpress/' ), '/' ) . '/' );
define( 'WP_CONTENT_DIR', ABSPATH . 'wp-content' );
$table_prefix = sf_env( 'SF_TEST_TABLE_PREFIX', 'wp_' );

$_SERVER['HTTP_HOST']   = 'example.test';
$_SERVER['REQUEST_URI'] = '/';

require ABSPATH . 'wp-settings.php';

$url = function ( $id ) {
	$id = (int) $id;
	if ( $id <= 0 ) {
		return null;
	}
	$u = wp_get_attachment_url( $id );
	return false === $u ? null : $u;
};

$palette = wp_get_global_settings( array( 'color', 'palette' ) );
$thumbs  = array();
if ( isset( $argv[1] ) && '' !== $argv[1] ) {
	foreach ( explode( ',', $argv[1] ) as $id ) {
		$thumbs[ $id ] = $url( get_post_thumbnail_id( (int) $id ) );
	}
}
$uploads = wp_upload_dir( null, false );

echo json_encode(
	array(
		'site_name'      => get_option( 'blogname' ),
		'tagline'        => get_option( 'blogdescription' ),
		'stylesheet'     => get_stylesheet(),
		'block_theme'    => function_exists( 'wp_is_block_theme' ) ? wp_is_block_theme() : null,
		'logo'           => $url( get_theme_mod( 'custom_logo' ) ),
		'site_icon'      => $url( get_option( 'site_icon' ) ),
		'uploads'        => $uploads['baseurl'],
		'palette_theme'  => isset( $palette['theme'] ) ? $palette['theme'] : array(),
		'palette_custom' => isset( $palette['custom'] ) ? $palette['custom'] : array(),
		'thumbs'         => (object) $thumbs,
	)
);
