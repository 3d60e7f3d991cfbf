<?php
/**
 * Prints serialize( get_option( <name> ) ) as WordPress itself reads it, so the
 * end-to-end tests can check that what segmentflow-wpcli wrote is what PHP
 * gets back. WordPress boots with SHORTINIT (database and options only).
 *
 * Usage: php wp-get-option.php <option-name>
 * Environment: SF_TEST_DB_NAME, SF_TEST_DB_HOST, SF_TEST_DB_USER,
 * SF_TEST_DB_PASSWORD, SF_TEST_TABLE_PREFIX, SF_TEST_ABSPATH (as wp-install.php).
 */

error_reporting( E_ALL & ~E_DEPRECATED & ~E_NOTICE & ~E_WARNING );
ini_set( 'display_errors', 'stderr' );

if ( $argc < 2 ) {
	fwrite( STDERR, "usage: php wp-get-option.php <option-name>\n" );
	exit( 2 );
}

function sf_env( $name, $default ) {
	$value = getenv( $name );
	return false === $value ? $default : $value;
}

define( 'SHORTINIT', true );
define( 'DB_NAME', sf_env( 'SF_TEST_DB_NAME', '' ) );
define( 'DB_USER', sf_env( 'SF_TEST_DB_USER', 'root' ) );
define( 'DB_PASSWORD', sf_env( 'SF_TEST_DB_PASSWORD', '' ) );
define( 'DB_HOST', sf_env( 'SF_TEST_DB_HOST', 'localhost' ) );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'ABSPATH', rtrim( sf_env( 'SF_TEST_ABSPATH', '/usr/share/wordpress/' ), '/' ) . '/' );
$table_prefix = sf_env( 'SF_TEST_TABLE_PREFIX', 'wp_' );

$_SERVER['HTTP_HOST']   = 'example.test';
$_SERVER['REQUEST_URI'] = '/';

require ABSPATH . 'wp-settings.php';

echo serialize( get_option( $argv[1] ) );
