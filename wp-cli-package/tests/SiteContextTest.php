<?php

use PHPUnit\Framework\TestCase;
use Segmentflow\WpCli\SiteContext;

final class SiteContextTest extends TestCase {

	/**
	 * DB_HOST forms, split as wpdb::parse_db_host() does and resolved as
	 * mysqli connects.
	 *
	 * @dataProvider hosts
	 */
	public function test_parse_db_host( $raw, $host, $port, $socket ) {
		$parsed = SiteContext::parse_db_host( $raw );
		$this->assertSame( $host, $parsed['host'], "host of $raw" );
		$this->assertSame( $port, $parsed['port'], "port of $raw" );
		$this->assertSame( $socket, $parsed['socket'], "socket of $raw" );
	}

	public function hosts() {
		return array(
			array( 'localhost', 'localhost', null, null ),
			array( 'localhost:3307', 'localhost', 3307, null ),
			array( 'localhost:/var/run/mysqld/mysqld.sock', 'localhost', null, '/var/run/mysqld/mysqld.sock' ),
			array( ':/tmp/mysql.sock', '', null, '/tmp/mysql.sock' ),
			array( '127.0.0.1:3306', '127.0.0.1', 3306, null ),
			array( '127.0.0.1', '127.0.0.1', null, null ),
			array( 'db.example:3306', 'db.example', 3306, null ),
			array( '[::1]:3306', '::1', 3306, null ),
			array( '::1', '::1', null, null ),
			array( 'p:localhost', 'localhost', null, null ),
		);
	}

	public function test_context_carries_wp_config_constants() {
		$context = SiteContext::build();
		foreach ( array( 'version', 'db_default_socket', 'db_collate', 'db_host', 'db_port', 'db_socket', 'db_user', 'db_password', 'db_name', 'db_charset', 'table_prefix', 'blog_id', 'home_url', 'site_url', 'wp_version', 'wc_active', 'wc_version', 'hpos', 'locale', 'multisite' ) as $key ) {
			$this->assertArrayHasKey( $key, $context );
		}
	}
}
