<?php
/**
 * Entry file of the `wp segmentflow` WP-CLI package.
 *
 * Registers the command only inside WP-CLI; a web request that happens to
 * load this file does nothing.
 */

if ( ! class_exists( 'WP_CLI' ) ) {
	return;
}

$segmentflow_autoload = __DIR__ . '/vendor/autoload.php';
if ( file_exists( $segmentflow_autoload ) ) {
	require_once $segmentflow_autoload;
} else {
	// Installed without Composer's autoloader (e.g. `--require=` on a checkout).
	spl_autoload_register(
		static function ( $class ) {
			$prefix = 'Segmentflow\\WpCli\\';
			if ( 0 !== strpos( $class, $prefix ) ) {
				return;
			}
			$file = __DIR__ . '/src/' . str_replace( '\\', '/', substr( $class, strlen( $prefix ) ) ) . '.php';
			if ( is_file( $file ) ) {
				require_once $file;
			}
		}
	);
}

Segmentflow\WpCli\Registration::register();
