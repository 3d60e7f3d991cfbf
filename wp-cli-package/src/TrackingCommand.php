<?php
/**
 * `wp segmentflow tracking`: what the storefront tracking renders.
 */

namespace Segmentflow\WpCli;

/**
 * Inspects the storefront tracking the plugin renders for visitors.
 *
 * ## EXAMPLES
 *
 *     $ wp segmentflow tracking snippet --user=12
 */
class TrackingCommand extends \WP_CLI_Command {

	/**
	 * Prints the exact SDK tags and inline configuration a visitor would get.
	 *
	 * ## OPTIONS
	 *
	 * [--user=<id>]
	 * : Render for this logged-in user (default: an anonymous visitor).
	 *
	 * [--consent=<json>]
	 * : The visitor's sf_consent decision, e.g. '{"a":1,"m":0}'.
	 *
	 * ## EXAMPLES
	 *
	 *     # What an anonymous visitor gets.
	 *     $ wp segmentflow tracking snippet
	 *
	 *     # What customer 12 gets after accepting analytics only.
	 *     $ wp segmentflow tracking snippet --user=12 --consent='{"a":1,"m":0}'
	 *
	 * @when after_wp_config_load
	 */
	public function snippet( $args, $assoc_args ) {
		Dispatch::run( array( 'tracking', 'snippet' ), $args, $assoc_args );
	}
}
