<?php
/**
 * Installs WordPress core (Debian's /usr/share/wordpress) into a database, the
 * way the web installer would, without touching /etc/wordpress: the database
 * settings come from the environment and this file stands in for wp-config.php.
 *
 *   SF_DB_NAME=shop [SF_DB_USER=root SF_DB_PASSWORD= SF_DB_HOST=localhost]
 *   [SF_TABLE_PREFIX=wp_ SF_SITE_URL=http://localhost:8089 SF_WP_PATH=/usr/share/wordpress]
 *   php scripts/wp-install.php
 *
 * Exits 0 after installing, or when WordPress is already installed there.
 */

$env = static function ( string $name, string $default ): string {
	$value = getenv( $name );
	return false === $value ? $default : $value;
};

$db_name = $env( 'SF_DB_NAME', '' );
if ( '' === $db_name ) {
	fwrite( STDERR, "wp-install.php: SF_DB_NAME is required\n" );
	exit( 2 );
}
$site_url = rtrim( $env( 'SF_SITE_URL', 'http://localhost:8089' ), '/' );

define( 'DB_NAME', $db_name );
define( 'DB_USER', $env( 'SF_DB_USER', 'root' ) );
define( 'DB_PASSWORD', $env( 'SF_DB_PASSWORD', '' ) );
define( 'DB_HOST', $env( 'SF_DB_HOST', 'localhost' ) );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'ABSPATH', rtrim( $env( 'SF_WP_PATH', '/usr/share/wordpress' ), '/' ) . '/' );
define( 'WP_INSTALLING', true );
define( 'WP_HOME', $site_url );
define( 'WP_SITEURL', $site_url );
define( 'WP_DEBUG', false );
// phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
$table_prefix = $env( 'SF_TABLE_PREFIX', 'wp_' );

$parts                  = parse_url( $site_url );
$_SERVER['HTTP_HOST']   = ( $parts['host'] ?? 'localhost' ) . ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' );
$_SERVER['SERVER_NAME'] = $parts['host'] ?? 'localhost';
$_SERVER['REQUEST_URI'] = '/wp-admin/install.php';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';

require_once ABSPATH . 'wp-settings.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

if ( is_blog_installed() ) {
	fwrite( STDERR, "wp-install.php: WordPress is already installed in {$db_name}\n" );
	exit( 0 );
}

$result = wp_install( 'Segmentflow Test Store', 'admin', 'admin@example.test', true, '', 'admin-password-not-secret' );
update_option( 'siteurl', $site_url );
update_option( 'home', $site_url );
fwrite( STDERR, "wp-install.php: installed WordPress {$GLOBALS['wp_version']} in {$db_name} (admin user {$result['user_id']})\n" );
exit( 0 );
