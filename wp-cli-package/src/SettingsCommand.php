<?php
/**
 * `wp segmentflow settings`: the plugin's settings, validated by the binary.
 */

namespace Segmentflow\WpCli;

/**
 * Lists, reads and changes Segmentflow settings.
 *
 * Settings: debug_mode, consent_required, api_host, app_host, wc_enabled.
 *
 * ## EXAMPLES
 *
 *     $ wp segmentflow settings list
 *     $ wp segmentflow settings set consent_required on
 *     $ wp segmentflow settings get api_host
 */
class SettingsCommand extends \WP_CLI_Command {

	/**
	 * Lists every setting with its value and default.
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
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp segmentflow settings list --format=json
	 *
	 * @subcommand list
	 * @when after_wp_config_load
	 */
	public function list_( $args, $assoc_args ) {
		Dispatch::run( array( 'settings', 'list' ), $args, $assoc_args );
	}

	/**
	 * Prints one setting's value.
	 *
	 * ## OPTIONS
	 *
	 * <name>
	 * : debug_mode, consent_required, api_host, app_host or wc_enabled.
	 *
	 * [--format=<format>]
	 * : Render output in a particular format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - json
	 *   - yaml
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp segmentflow settings get api_host
	 *     https://api.segmentflow.ai
	 *
	 * @when after_wp_config_load
	 */
	public function get( $args, $assoc_args ) {
		Dispatch::run( array( 'settings', 'get' ), $args, $assoc_args );
	}

	/**
	 * Changes one setting, after validating it.
	 *
	 * ## OPTIONS
	 *
	 * <name>
	 * : debug_mode, consent_required, api_host, app_host or wc_enabled.
	 *
	 * <value>
	 * : on/off (or true/false, yes/no, 1/0) for switches; an https:// URL (or
	 * http:// to a loopback address) for hosts.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp segmentflow settings set debug_mode on
	 *     Success: debug_mode is now on.
	 *
	 *     $ wp segmentflow settings set api_host http://example.com
	 *     Error: api_host must be an https:// URL (or http:// to a loopback address), got "http://example.com".
	 *
	 * @when after_wp_load
	 */
	public function set( $args, $assoc_args ) {
		Dispatch::run( array( 'settings', 'set' ), $args, $assoc_args, true );
	}
}
