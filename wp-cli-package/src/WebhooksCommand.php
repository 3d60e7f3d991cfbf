<?php
/**
 * `wp segmentflow webhooks`: the ten WooCommerce webhooks the connection uses.
 *
 * The binary decides what to create, update, re-activate or delete (the
 * plan). When WooCommerce is loaded the plan is carried out through
 * WooCommerce's own WC_Webhook class, so rows, caches and hooks end up exactly
 * as WooCommerce leaves them; otherwise the binary writes the rows itself.
 */

namespace Segmentflow\WpCli;

/**
 * Lists, registers and removes the Segmentflow WooCommerce webhooks.
 *
 * ## EXAMPLES
 *
 *     $ wp segmentflow webhooks list
 *     $ wp segmentflow webhooks register
 *     $ wp segmentflow webhooks remove
 */
class WebhooksCommand extends \WP_CLI_Command {

	/**
	 * Lists the Segmentflow webhooks with their health.
	 *
	 * ## OPTIONS
	 *
	 * [--format=<format>]
	 * : Render output in a particular format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - json
	 *   - csv
	 *   - yaml
	 *   - ids
	 *   - count
	 * ---
	 *
	 * ## AVAILABLE FIELDS
	 *
	 * id, topic, status, failure_count, delivery_url, api_version
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp segmentflow webhooks list --format=json
	 *
	 * @subcommand list
	 * @when after_wp_config_load
	 */
	public function list_( $args, $assoc_args ) {
		Dispatch::run( array( 'webhooks', 'list' ), $args, $assoc_args );
	}

	/**
	 * Creates the missing Segmentflow webhooks and repairs the existing ones.
	 *
	 * Uses the stored delivery URL and secret; paused or disabled Segmentflow
	 * webhooks are re-activated with the current secret.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp segmentflow webhooks register
	 *     Success: 10 webhooks active (3 created, 7 unchanged).
	 *
	 * @when after_wp_load
	 */
	public function register( $args, $assoc_args ) {
		$this->apply( 'register', $args, $assoc_args );
	}

	/**
	 * Deletes every Segmentflow webhook.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp segmentflow webhooks remove
	 *     Success: Removed 10 webhooks.
	 *
	 * @when after_wp_load
	 */
	public function remove( $args, $assoc_args ) {
		$this->apply( 'remove', $args, $assoc_args );
	}

	private function apply( $action, $args, $assoc_args ) {
		if ( ! class_exists( 'WC_Webhook' ) ) {
			Dispatch::run( array( 'webhooks', $action ), $args, $assoc_args, true );
			return;
		}
		$out  = fopen( 'php://memory', 'w+' );
		$code = Dispatch::exec( array( 'webhooks', 'plan' ), array(), array( 'action' => $action, 'format' => 'json' ), false, null, $out );
		rewind( $out );
		$json = stream_get_contents( $out );
		fclose( $out );
		if ( Contract::EXIT_SUCCESS !== $code ) {
			\WP_CLI::halt( $code );
		}
		$plan = json_decode( (string) $json, true );
		if ( ! is_array( $plan ) ) {
			\WP_CLI::error( 'segmentflow-wpcli returned an unreadable webhook plan.' );
		}
		$done = self::apply_plan( $plan );
		\WP_CLI::success( sprintf( 'Webhooks: %d created, %d updated, %d deleted.', $done['created'], $done['updated'], $done['deleted'] ) );
	}

	/**
	 * Carries out a plan with WooCommerce's own classes.
	 *
	 * @param array $plan {create: [{topic,name,delivery_url,secret,api_version}], update: [{id,delivery_url,secret,status}], delete: [{id}]}.
	 * @return array{created:int,updated:int,deleted:int}
	 */
	public static function apply_plan( array $plan ) {
		$done = array(
			'created' => 0,
			'updated' => 0,
			'deleted' => 0,
		);
		foreach ( isset( $plan['delete'] ) ? $plan['delete'] : array() as $row ) {
			$webhook = wc_get_webhook( (int) $row['id'] );
			if ( $webhook ) {
				$webhook->delete( true );
				++$done['deleted'];
			}
		}
		foreach ( isset( $plan['update'] ) ? $plan['update'] : array() as $row ) {
			$webhook = wc_get_webhook( (int) $row['id'] );
			if ( ! $webhook ) {
				continue;
			}
			$webhook->set_delivery_url( $row['delivery_url'] );
			$webhook->set_secret( $row['secret'] );
			$webhook->set_status( isset( $row['status'] ) ? $row['status'] : 'active' );
			$webhook->save();
			++$done['updated'];
		}
		foreach ( isset( $plan['create'] ) ? $plan['create'] : array() as $row ) {
			$webhook = new \WC_Webhook();
			$webhook->set_name( $row['name'] );
			$webhook->set_topic( $row['topic'] );
			$webhook->set_delivery_url( $row['delivery_url'] );
			$webhook->set_secret( $row['secret'] );
			$webhook->set_api_version( $row['api_version'] );
			$webhook->set_status( 'active' );
			$webhook->set_user_id( get_current_user_id() );
			$webhook->save();
			++$done['created'];
		}
		return $done;
	}
}
