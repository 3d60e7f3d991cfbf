<?php
/**
 * The package's command classes end to end: real WordPress core loaded in
 * this process on a real MariaDB database (tests/support/wordpress.php), the
 * real segmentflow-wpcli binary (SEGMENTFLOW_TEST_BIN) and its sandbox over
 * HTTP. Only the WP_CLI static calls are stood in (tests/stubs/wp-cli.php).
 */

use PHPUnit\Framework\TestCase;
use Segmentflow\WpCli\BinaryLocator;
use Segmentflow\WpCli\Command;
use Segmentflow\WpCli\Dispatch;
use Segmentflow\WpCli\SettingsCommand;
use Segmentflow\WpCli\TrackingCommand;
use Segmentflow\WpCli\WebhooksCommand;

final class WordPressEndToEndTest extends TestCase {

	/** @var resource */
	private $out;

	protected function setUp(): void {
		WP_CLI::reset();
		BinaryLocator::reset();
		putenv( 'SEGMENTFLOW_WPCLI_BIN=' . getenv( 'SEGMENTFLOW_TEST_BIN' ) );
		$this->out        = fopen( 'php://memory', 'w+' );
		Dispatch::$stdout = $this->out;
	}

	protected function tearDown(): void {
		Dispatch::$stdout = null;
		fclose( $this->out );
		putenv( 'SEGMENTFLOW_WPCLI_BIN' );
		BinaryLocator::reset();
	}

	/**
	 * Runs a command method; returns [exit code, stdout of the binary].
	 *
	 * @return array{0:int,1:string}
	 */
	private function run_command( $object, $method, array $args = array(), array $assoc_args = array() ) {
		ftruncate( $this->out, 0 );
		rewind( $this->out );
		$code = null;
		try {
			$object->$method( $args, $assoc_args );
		} catch ( WP_CLI_Halt $halt ) {
			$code = $halt->exit_code;
		}
		rewind( $this->out );
		return array( $code, (string) stream_get_contents( $this->out ) );
	}

	private function connect() {
		$sandbox = SF_Test_Site::sandbox();
		update_option( 'segmentflow_api_host', $sandbox['base_url'] );
		$file = tempnam( sys_get_temp_dir(), 'sfcreds' );
		file_put_contents(
			$file,
			json_encode(
				array(
					'write_key'            => $sandbox['write_key'],
					'organization_id'      => $sandbox['organization_id'],
					'organization_name'    => $sandbox['organization_name'],
					'webhook_secret'       => $sandbox['webhook_secret'],
					'webhook_delivery_url' => $sandbox['webhook_delivery_url'],
				)
			)
		);
		list( $code, $out ) = $this->run_command( new Command(), 'connect', array(), array( 'from-file' => $file, 'porcelain' => true ) );
		unlink( $file );
		$this->assertSame( 0, $code );
		$this->assertSame( $sandbox['organization_id'] . "\n", $out );
		return $sandbox;
	}

	private function segmentflow_webhooks() {
		global $wpdb;
		return $wpdb->get_results( "SELECT webhook_id, status, topic, secret, user_id, api_version, pending_delivery FROM {$wpdb->prefix}wc_webhooks WHERE name LIKE 'Segmentflow: %' ORDER BY webhook_id", ARRAY_A );
	}

	public function test_wordpress_is_real() {
		global $wpdb;
		$this->assertTrue( function_exists( 'get_option' ) );
		$this->assertSame( 'Segmentflow Test Site', get_option( 'blogname' ) );
		$this->assertSame( SF_Test_Site::$db, $wpdb->dbname );
	}

	public function test_settings_set_is_seen_by_get_option_at_once() {
		// Prime WordPress's object cache first: the package must flush it.
		$this->assertFalse( get_option( 'segmentflow_debug_mode' ) );
		list( $code ) = $this->run_command( new SettingsCommand(), 'set', array( 'debug_mode', 'on' ) );
		$this->assertSame( 0, $code );
		$this->assertSame( '1', get_option( 'segmentflow_debug_mode' ) );

		list( $code, $out ) = $this->run_command( new SettingsCommand(), 'get', array( 'debug_mode' ) );
		$this->assertSame( array( 0, "on\n" ), array( $code, $out ) );

		list( $code, $out ) = $this->run_command( new SettingsCommand(), 'list_', array(), array( 'format' => 'json' ) );
		$this->assertSame( 0, $code );
		$list = json_decode( $out, true );
		$this->assertIsArray( $list, $out );

		// A bad value is the binary's error, relayed as exit 1; nothing changes.
		list( $code ) = $this->run_command( new SettingsCommand(), 'set', array( 'api_host', 'http://example.com' ) );
		$this->assertSame( 1, $code );
		$this->assertFalse( get_option( 'segmentflow_api_host' ) );

		$this->run_command( new SettingsCommand(), 'set', array( 'debug_mode', 'off' ) );
		$this->assertSame( '', get_option( 'segmentflow_debug_mode' ) );
	}

	public function test_connect_status_webhooks_tracking_doctor_disconnect() {
		global $wpdb;
		// WooCommerce's cached webhook ids, loaded into the object cache.
		set_transient( 'woocommerce_webhook_ids_status_active', array( 1, 2 ) );
		$this->assertSame( array( 1, 2 ), get_transient( 'woocommerce_webhook_ids_status_active' ) );

		$sandbox = $this->connect();
		$this->assertSame( $sandbox['write_key'], get_option( 'segmentflow_write_key' ) );
		$this->assertSame( $sandbox['webhook_secret'], get_option( 'segmentflow_webhook_secret' ) );

		list( $code, $out ) = $this->run_command( new Command(), 'status', array(), array( 'format' => 'json' ) );
		$this->assertSame( 0, $code );
		$status = json_decode( $out, true );
		$this->assertTrue( $status['connected'] );
		$this->assertSame( $sandbox['organization_id'], $status['organization_id'] );
		$this->assertStringNotContainsString( $sandbox['write_key'], $out, 'the write key is masked' );
		$this->assertSame( 'http://example.test', $status['home_url'], 'from the loaded WordPress' );

		// No WooCommerce classes here: register falls back to the binary's
		// direct write, and the PHP side drops the cached ids.
		$this->assertFalse( class_exists( 'WC_Webhook' ) );
		list( $code ) = $this->run_command( new WebhooksCommand(), 'remove' );
		$this->assertSame( 0, $code );
		$this->assertSame( array(), $this->segmentflow_webhooks() );
		set_transient( 'woocommerce_webhook_ids_status_active', array( 1, 2 ) );
		list( $code ) = $this->run_command( new WebhooksCommand(), 'register' );
		$this->assertSame( 0, $code );
		$rows = $this->segmentflow_webhooks();
		$this->assertCount( 10, $rows );
		foreach ( $rows as $row ) {
			$this->assertSame( 'active', $row['status'] );
			$this->assertSame( $sandbox['webhook_secret'], $row['secret'] );
			$this->assertSame( '1', $row['user_id'], 'the first administrator' );
			$this->assertSame( '2', $row['api_version'] );
			$this->assertSame( '1', $row['pending_delivery'] );
		}
		$this->assertSame( 'order.created', $rows[0]['topic'] );
		$this->assertFalse( get_transient( 'woocommerce_webhook_ids_status_active' ), 'cached ids dropped' );

		// The plan the WC_Webhook path would carry out, read through memory.
		$wpdb->update( $wpdb->prefix . 'wc_webhooks', array( 'status' => 'paused' ), array( 'webhook_id' => $rows[0]['webhook_id'] ) );
		$plan = WebhooksCommand::fetch_plan( 'register' );
		$this->assertSame( array(), $plan['create'] );
		$this->assertCount( 1, $plan['update'] );
		$this->assertSame( (int) $rows[0]['webhook_id'], $plan['update'][0]['id'] );
		$this->assertSame( $sandbox['webhook_secret'], $plan['update'][0]['secret'] );
		$this->assertSame( 'active', $plan['update'][0]['status'] );
		$this->assertSame( 0, $plan['update'][0]['failure_count'] );
		$this->assertCount( 10, WebhooksCommand::fetch_plan( 'remove' )['delete'] );

		list( $code, $out ) = $this->run_command( new WebhooksCommand(), 'list_', array(), array( 'format' => 'csv', 'fields' => 'topic,status,health' ) );
		$this->assertSame( 0, $code );
		$this->assertStringStartsWith( "topic,status,health\norder.created,paused,paused\norder.updated,active,ok\n", $out );

		// doctor: WooCommerce is not active here, so webhooks are not judged;
		// a write key the API does not know fails the api check (exit 1).
		list( $code, $out ) = $this->run_command( new Command(), 'doctor', array(), array( 'format' => 'json' ) );
		$this->assertSame( 0, $code, $out );
		$checks = array_column( json_decode( $out, true ), 'status', 'check' );
		$this->assertSame( array( 'pass', 'skip', 'skip', 'pass' ), array( $checks['api'], $checks['webhooks'], $checks['hpos'], $checks['clock'] ) );
		update_option( 'segmentflow_write_key', 'wk_not_known_to_the_api' );
		list( $code, $out ) = $this->run_command( new Command(), 'doctor', array(), array( 'format' => 'json' ) );
		$this->assertSame( 1, $code, $out );
		$this->assertSame( 'fail', array_column( json_decode( $out, true ), 'status', 'check' )['api'] );
		list( $code ) = $this->run_command( new Command(), 'doctor', array(), array( 'offline' => true, 'format' => 'json' ) );
		$this->assertSame( 0, $code );
		update_option( 'segmentflow_write_key', $sandbox['write_key'] );

		// The tracking a logged-in visitor gets.
		list( $code, $out ) = $this->run_command( new TrackingCommand(), 'snippet', array(), array( 'user' => 1, 'consent' => '{"a":1,"m":1}' ) );
		$this->assertSame( 0, $code );
		$this->assertStringContainsString( '<script src="https://cdn.cloud.segmentflow.ai/v1/sdk.js?ver=2.4.0" id="segmentflow-sdk-js"></script>', $out );
		$this->assertStringContainsString( 'writeKey: "' . $sandbox['write_key'] . '"', $out );
		$this->assertStringContainsString( 'userId: "wp_1"', $out );
		$this->assertStringContainsString( 'userEmail: "admin@example.test"', $out );

		// Disconnect: options gone for get_option() at once, webhooks removed.
		list( $code ) = $this->run_command( new Command(), 'disconnect', array(), array( 'yes' => true ) );
		$this->assertSame( 0, $code );
		$this->assertFalse( get_option( 'segmentflow_write_key' ) );
		$this->assertFalse( get_option( 'segmentflow_webhook_secret' ) );
		$this->assertSame( array(), $this->segmentflow_webhooks() );
		list( $code, $out ) = $this->run_command( new Command(), 'status', array(), array( 'format' => 'json', 'fields' => 'connected' ) );
		$this->assertSame( array( 0, "{\"connected\":false}\n" ), array( $code, $out ) );
	}

	public function test_url_reaches_the_binary_only_before_wordpress_loads() {
		WP_CLI::$config['url'] = 'http://example.test/second/';
		WP_CLI::$config['quiet'] = true;
		$this->assertSame( array( '--quiet', '--url=http://example.test/second/' ), Dispatch::global_flags( false ) );
		$this->assertSame( array( '--quiet' ), Dispatch::global_flags( true ), 'after a load the context carries the blog' );
		$this->assertTrue( Dispatch::wordpress_loaded() );
		// On this single site the binary ignores --url, as WP-CLI does.
		list( $code, $out ) = $this->run_command( new Command(), 'status', array(), array( 'format' => 'json', 'fields' => 'blog_id,multisite' ) );
		$this->assertSame( array( 0, "{\"blog_id\":1,\"multisite\":false}\n" ), array( $code, $out ) );
	}

	public function test_sync_network_refuses_a_single_site() {
		list( $code ) = $this->run_command( new Command(), 'sync', array(), array( 'network' => true ) );
		$this->assertSame( 1, $code );
		$this->assertSame( array( 'error', 'This is not a multisite installation.' ), WP_CLI::$log[0] );
	}
}
