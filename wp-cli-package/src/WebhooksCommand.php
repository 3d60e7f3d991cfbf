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
 * The connection uses ten webhooks (order.created/updated/deleted/restored,
 * customer.created/updated/deleted, product.created/updated/deleted), named
 * "Segmentflow: <topic>", REST API wp_api_v2. Secrets are never printed.
 *
 * ## EXAMPLES
 *
 *     # Which webhooks exist, and are they healthy?
 *     $ wp segmentflow webhooks list
 *
 *     # Create the missing ones, repair the others.
 *     $ wp segmentflow webhooks register
 *     Success: 10 webhooks active (10 created, 0 updated, 0 deleted, 0 unchanged).
 *
 *     # Delete them all.
 *     $ wp segmentflow webhooks remove
 *     Success: Removed 10 webhooks.
 */
class WebhooksCommand extends \WP_CLI_Command {

	/** The transients in which WooCommerce caches webhook ids. */
	const ID_TRANSIENTS = array(
		'woocommerce_webhook_ids',
		'woocommerce_webhook_ids_status_active',
		'woocommerce_webhook_ids_status_paused',
		'woocommerce_webhook_ids_status_disabled',
	);

	/**
	 * Lists the Segmentflow webhooks with their health.
	 *
	 * One line per topic (the webhook that counts, or "missing"), then any
	 * duplicate or unknown-topic Segmentflow webhooks. The health column says
	 * what is wrong: paused, disabled, failed deliveries (and how many more
	 * before WooCommerce disables the webhook), outdated secret or delivery
	 * URL, duplicates.
	 *
	 * ## OPTIONS
	 *
	 * [--fields=<fields>]
	 * : Limit the output to specific fields.
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
	 * These fields are shown by default:
	 *
	 * * id
	 * * topic
	 * * status
	 * * health
	 * * failure_count
	 * * pending_delivery
	 * * delivery_url
	 * * api_version
	 *
	 * These fields are optionally available:
	 *
	 * * name
	 * * user_id
	 * * date_created_gmt
	 * * date_modified_gmt
	 *
	 * ## EXAMPLES
	 *
	 *     # The ten webhooks and their health.
	 *     $ wp segmentflow webhooks list --fields=id,topic,status,health
	 *
	 *     # How many Segmentflow webhooks exist.
	 *     $ wp segmentflow webhooks list --format=count
	 *     10
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
	 * Uses the stored delivery URL and secret: paused or disabled Segmentflow
	 * webhooks are re-activated (failure count reset), outdated secrets and
	 * URLs replaced, duplicates and unknown topics deleted. With WooCommerce
	 * loaded this goes through WooCommerce's own WC_Webhook class; otherwise the
	 * binary writes the rows and clears WooCommerce's cached webhook ids.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp segmentflow webhooks register
	 *     Success: 10 webhooks active (3 created, 1 updated, 0 deleted, 6 unchanged).
	 *
	 * @when after_wp_load
	 */
	public function register( $args, $assoc_args ) {
		$this->apply( 'register', $args, $assoc_args );
	}

	/**
	 * Deletes every Segmentflow webhook.
	 *
	 * Other webhooks are left alone. Running it again is not an error.
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
			$code = Dispatch::exec( array( 'webhooks', $action ), $args, $assoc_args, true );
			self::forget_cached_ids();
			\WP_CLI::halt( $code );
			return;
		}
		$plan = self::fetch_plan( $action );
		$done = self::apply_plan( $plan );
		\WP_CLI::success( sprintf( 'Webhooks: %d created, %d updated, %d deleted.', $done['created'], $done['updated'], $done['deleted'] ) );
	}

	/**
	 * Asks the binary for the plan (`webhooks plan --action=<action>`),
	 * through a memory stream so the secrets it carries never reach the
	 * terminal.
	 *
	 * @param string $action register or remove.
	 * @return array The decoded plan.
	 */
	public static function fetch_plan( $action ) {
		$out  = fopen( 'php://memory', 'w+' );
		$code = Dispatch::exec( array( 'webhooks', 'plan' ), array(), array( 'action' => $action ), false, null, $out );
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
		return $plan;
	}

	/**
	 * Drops WooCommerce's cached webhook ids after the binary wrote the rows:
	 * the option rows are already gone, this clears a persistent object
	 * cache's copy too (as WC_Webhook_Data_Store::delete_transients() does).
	 */
	public static function forget_cached_ids() {
		if ( ! function_exists( 'delete_transient' ) ) {
			return;
		}
		foreach ( self::ID_TRANSIENTS as $transient ) {
			delete_transient( $transient );
		}
		if ( class_exists( 'WC_Cache_Helper' ) ) {
			\WC_Cache_Helper::invalidate_cache_group( 'webhooks' );
		}
	}

	/**
	 * Carries out a plan with WooCommerce's own classes.
	 *
	 * @param array $plan {create: [{topic,name,delivery_url,secret,api_version,user_id}],
	 *                    update: [{id,delivery_url,secret,status,name?,api_version?,failure_count?,user_id?}],
	 *                    delete: [{id}]}.
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
			if ( isset( $row['name'] ) ) {
				$webhook->set_name( $row['name'] );
			}
			if ( isset( $row['api_version'] ) ) {
				$webhook->set_api_version( $row['api_version'] );
			}
			if ( isset( $row['failure_count'] ) ) {
				$webhook->set_failure_count( (int) $row['failure_count'] );
			}
			if ( ! empty( $row['user_id'] ) ) {
				$webhook->set_user_id( (int) $row['user_id'] );
			}
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
			// The binary names the first administrator; WP-CLI's current user
			// is 0 unless --user was given, and payloads are built as this user.
			$user_id = ! empty( $row['user_id'] ) ? (int) $row['user_id'] : get_current_user_id();
			$webhook->set_user_id( $user_id );
			$webhook->save();
			++$done['created'];
		}
		return $done;
	}
}
