<?php
/**
 * The JSON site context sent to the binary as the first line of its stdin:
 * database connection facts as PHP resolves them, the table prefix and blog,
 * URLs and versions. Works both right after wp-config.php has run
 * (`@when after_wp_config_load`: only constants and $table_prefix exist; the
 * binary reads the rest from the database) and after a full WordPress load.
 */

namespace Segmentflow\WpCli;

final class SiteContext {

	/**
	 * Builds the context from the current PHP process.
	 *
	 * @return array<string,mixed>
	 */
	public static function build() {
		global $table_prefix, $wpdb, $wp_version;

		$host = self::parse_db_host( defined( 'DB_HOST' ) ? (string) DB_HOST : 'localhost' );

		$context = array(
			'db_host'      => $host['host'],
			'db_port'      => $host['port'],
			'db_socket'    => $host['socket'],
			'db_user'      => defined( 'DB_USER' ) ? (string) DB_USER : '',
			'db_password'  => defined( 'DB_PASSWORD' ) ? (string) DB_PASSWORD : '',
			'db_name'      => defined( 'DB_NAME' ) ? (string) DB_NAME : '',
			'db_charset'   => defined( 'DB_CHARSET' ) ? (string) DB_CHARSET : 'utf8mb4',
			'table_prefix' => isset( $table_prefix ) ? (string) $table_prefix : 'wp_',
			'blog_id'      => 1,
			'multisite'    => defined( 'MULTISITE' ) && MULTISITE,
			'home_url'     => null,
			'site_url'     => null,
			'wp_version'   => isset( $wp_version ) ? (string) $wp_version : self::wp_version_from_file(),
			'wc_active'    => null,
			'wc_version'   => null,
			'hpos'         => null,
			'locale'       => null,
		);

		// After a full load, WordPress knows the blog, its prefix and URLs.
		if ( function_exists( 'home_url' ) && isset( $wpdb ) ) {
			$context['blog_id']      = (int) get_current_blog_id();
			$context['table_prefix'] = (string) $wpdb->base_prefix;
			$context['home_url']     = home_url();
			$context['site_url']     = site_url();
			$context['locale']       = get_locale();
			$context['wc_active']    = class_exists( 'WooCommerce' );
			if ( $context['wc_active'] && defined( 'WC_VERSION' ) ) {
				$context['wc_version'] = WC_VERSION;
			}
			if ( $context['wc_active'] && class_exists( '\Automattic\WooCommerce\Utilities\OrderUtil' ) ) {
				$context['hpos'] = \Automattic\WooCommerce\Utilities\OrderUtil::custom_orders_table_usage_is_enabled();
			}
		}
		return $context;
	}

	/**
	 * Splits DB_HOST the way wpdb::parse_db_host() does, then resolves it the
	 * way mysqli connects: "localhost" without a socket means the default
	 * Unix socket, not TCP.
	 *
	 * @param string $raw DB_HOST.
	 * @return array{host:string,port:int|null,socket:string|null}
	 */
	public static function parse_db_host( $raw ) {
		$host   = $raw;
		$port   = null;
		$socket = null;
		if ( 0 === strpos( $host, 'p:' ) ) {
			$host = substr( $host, 2 );
		}
		$socket_pos = strpos( $host, ':/' );
		if ( false !== $socket_pos ) {
			$socket = substr( $host, $socket_pos + 1 );
			$host   = substr( $host, 0, $socket_pos );
		}
		if ( substr_count( $host, ':' ) > 1 ) {
			if ( preg_match( '#^(?:\[)?(?P<host>[0-9a-fA-F:]+)(?:\]:(?P<port>\d+))?#', $host, $m ) ) {
				$host = $m['host'];
				$port = isset( $m['port'] ) && '' !== $m['port'] ? (int) $m['port'] : null;
			}
		} elseif ( preg_match( '#^(?P<host>[^:/]*)(?::(?P<port>\d+))?#', $host, $m ) ) {
			$host = $m['host'];
			$port = isset( $m['port'] ) && '' !== $m['port'] ? (int) $m['port'] : null;
		}
		if ( null === $socket && ( 'localhost' === $host || '' === $host ) && null === $port ) {
			$default = ini_get( 'mysqli.default_socket' );
			$socket  = ( false !== $default && '' !== $default ) ? $default : null;
		}
		return array(
			'host'   => $host,
			'port'   => $port,
			'socket' => $socket,
		);
	}

	private static function wp_version_from_file() {
		if ( defined( 'ABSPATH' ) && is_file( ABSPATH . 'wp-includes/version.php' ) ) {
			$wp_version = null;
			include ABSPATH . 'wp-includes/version.php';
			return $wp_version;
		}
		return null;
	}
}
