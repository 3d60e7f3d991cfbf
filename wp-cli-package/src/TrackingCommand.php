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
	 * : The visitor's sf_consent decision, e.g. '{"a":1,"m":0}' (a: analytics,
	 * m: marketing). Without it the visitor has not decided yet.
	 *
	 * [--anonymous-id=<id>]
	 * : The visitor's existing anonymous id (the "a" member of sf_id). Without
	 * it a new UUIDv7 is minted once a consent decision exists, as on a first
	 * visit.
	 *
	 * [--format=<format>]
	 * : The HTML as printed in the page, or the tags and configuration as JSON.
	 * ---
	 * default: raw
	 * options:
	 *   - raw
	 *   - json
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     # What an anonymous visitor gets.
	 *     $ wp segmentflow tracking snippet
	 *
	 *     # What customer 12 gets after accepting analytics only.
	 *     $ wp segmentflow tracking snippet --user=12 --consent='{"a":1,"m":0}'
	 *
	 *     # The configuration the SDK receives, as data.
	 *     $ wp segmentflow tracking snippet --format=json
	 *
	 * @when after_wp_config_load
	 */
	public function snippet( $args, $assoc_args ) {
		Dispatch::run( array( 'tracking', 'snippet' ), $args, $assoc_args );
	}
}
