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

	/** Format version of the context; the binary refuses others. */
	const VERSION = 1;

	/**
	 * Builds the context from the current PHP process.
	 *
	 * @return array<string,mixed>
	 */
	public static function build() {
		global $table_prefix, $wpdb, $wp_version;

		$host = self::parse_db_host( defined( 'DB_HOST' ) ? (string) DB_HOST : 'localhost' );

		$context = array(
			'version'           => self::VERSION,
			'db_host'      => $host['host'],
			'db_port'      => $host['port'],
			'db_socket'    => $host['socket'],
			'db_default_socket' => self::default_socket(),
			'db_user'      => defined( 'DB_USER' ) ? (string) DB_USER : '',
			'db_password'  => defined( 'DB_PASSWORD' ) ? (string) DB_PASSWORD : '',
			'db_name'      => defined( 'DB_NAME' ) ? (string) DB_NAME : '',
			'db_charset'   => defined( 'DB_CHARSET' ) && '' !== DB_CHARSET ? (string) DB_CHARSET : 'utf8mb4',
			'db_collate'   => defined( 'DB_COLLATE' ) ? (string) DB_COLLATE : '',
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
	 * Splits DB_HOST the way wpdb::parse_db_host() does (plus WP-CLI's
	 * leading "p:" strip). The binary resolves it as mysqli connects
	 * ("localhost" without a socket means db_default_socket, not TCP).
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
			$pattern = '#^(?:\[)?(?P<host>[0-9a-fA-F:]+)(?:\]:(?P<port>[\d]+))?#';
		} else {
			$pattern = '#^(?P<host>[^:/]*)(?::(?P<port>[\d]+))?#';
		}
		if ( preg_match( $pattern, $host, $m ) ) {
			$host = $m['host'];
			$port = isset( $m['port'] ) && '' !== $m['port'] ? (int) $m['port'] : null;
		}
		return array(
			'host'   => $host,
			'port'   => $port,
			'socket' => $socket,
		);
	}

	/**
	 * The socket mysqli uses for "localhost", or null when PHP has none set.
	 *
	 * @return string|null
	 */
	public static function default_socket() {
		$default = ini_get( 'mysqli.default_socket' );
		return ( false !== $default && '' !== $default ) ? $default : null;
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
