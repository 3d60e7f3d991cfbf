<?php
/**
 * Installs WordPress core from Debian's `wordpress` package into an empty
 * MariaDB database, for the end-to-end tests of segmentflow-wpcli.
 *
 * Usage: php wp-install.php [--multisite]
 *
 * Everything comes from the environment (no secrets on argv):
 *   SF_TEST_DB_NAME, SF_TEST_DB_HOST, SF_TEST_DB_USER, SF_TEST_DB_PASSWORD,
 *   SF_TEST_TABLE_PREFIX (default wp_), SF_TEST_SITE_URL (default http://example.test),
 *   SF_TEST_ABSPATH (default /usr/share/wordpress/).
 *
 * It defines the DB constants itself and loads wp-settings.php directly, so
 * Debian's /usr/share/wordpress/wp-config.php (which reads /etc/wordpress) is
 * never used. Then it calls WordPress's own wp_install(). With --multisite it
 * turns the install into a subdirectory network (populate_network()) and
 * creates blog 2 at /second/.
 */

error_reporting( E_ALL & ~E_DEPRECATED & ~E_NOTICE & ~E_WARNING );
ini_set( 'display_errors', 'stderr' );

$multisite   = in_array( '--multisite', $argv, true );
$create_blog = in_array( '--create-blog', $argv, true );

function sf_env( $name, $default = null ) {
	$value = getenv( $name );
	if ( false === $value ) {
		if ( null === $default ) {
			fwrite( STDERR, "wp-install.php: environment variable $name is required\n" );
			exit( 2 );
		}
		return $default;
	}
	return $value;
}

$site_url = rtrim( sf_env( 'SF_TEST_SITE_URL', 'http://example.test' ), '/' );
$parts    = parse_url( $site_url );

if ( $create_blog ) {
	// Second pass of --multisite: WordPress booted as the network it now is.
	define( 'MULTISITE', true );
	define( 'SUBDOMAIN_INSTALL', false );
	define( 'DOMAIN_CURRENT_SITE', $parts['host'] ?? 'example.test' );
	define( 'PATH_CURRENT_SITE', '/' );
	define( 'SITE_ID_CURRENT_SITE', 1 );
	define( 'BLOG_ID_CURRENT_SITE', 1 );
} else {
	define( 'WP_INSTALLING', true );
}
define( 'DB_NAME', sf_env( 'SF_TEST_DB_NAME' ) );
define( 'DB_USER', sf_env( 'SF_TEST_DB_USER', 'root' ) );
define( 'DB_PASSWORD', sf_env( 'SF_TEST_DB_PASSWORD', '' ) );
define( 'DB_HOST', sf_env( 'SF_TEST_DB_HOST', 'localhost' ) );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'ABSPATH', rtrim( sf_env( 'SF_TEST_ABSPATH', '/usr/share/wordpress/' ), '/' ) . '/' );
define( 'WP_HOME', $site_url );
define( 'WP_SITEURL', $site_url );
$table_prefix = sf_env( 'SF_TEST_TABLE_PREFIX', 'wp_' );

$_SERVER['HTTP_HOST']   = $parts['host'] ?? 'example.test';
$_SERVER['SERVER_NAME'] = $_SERVER['HTTP_HOST'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PORT'] = 80;
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';

// No mail server here: keep wp_install()'s notification quiet.
function wp_mail() {
	return true;
}

require ABSPATH . 'wp-settings.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

if ( $create_blog ) {
	$blog_id = wpmu_create_blog( DOMAIN_CURRENT_SITE, '/second/', 'Second Blog', 1 );
	if ( is_wp_error( $blog_id ) ) {
		fwrite( STDERR, 'wpmu_create_blog failed: ' . $blog_id->get_error_message() . "\n" );
		exit( 1 );
	}
	echo "blog $blog_id\n";
	exit( 0 );
}

$result = wp_install( 'Segmentflow Test Site', 'admin', 'admin@example.test', true, '', 'admin-password' );
if ( is_wp_error( $result ) ) {
	fwrite( STDERR, 'wp_install failed: ' . $result->get_error_message() . "\n" );
	exit( 1 );
}
update_option( 'siteurl', $site_url );
update_option( 'home', $site_url );

if ( $multisite ) {
	require_once ABSPATH . 'wp-admin/includes/network.php';
	global $wpdb;
	foreach ( $wpdb->tables( 'ms_global' ) as $table => $prefixed_table ) {
		$wpdb->$table = $prefixed_table;
	}
	install_network();
	$error = populate_network( 1, $_SERVER['HTTP_HOST'], 'admin@example.test', 'Segmentflow Test Network', '/', false );
	if ( is_wp_error( $error ) && 'no_wildcard_dns' !== $error->get_error_code() ) {
		fwrite( STDERR, 'populate_network failed: ' . $error->get_error_message() . "\n" );
		exit( 1 );
	}
	passthru( escapeshellarg( PHP_BINARY ) . ' ' . escapeshellarg( __FILE__ ) . ' --create-blog', $code );
	if ( 0 !== $code ) {
		exit( $code );
	}
}
echo "installed\n";
