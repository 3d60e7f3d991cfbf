<?php
/**
 * Registers `wp segmentflow` and its command groups with WP-CLI.
 */

namespace Segmentflow\WpCli;

final class Registration {

	/** Adds every command; called once by the entry file. */
	public static function register() {
		\WP_CLI::add_command( 'segmentflow', Command::class );
		\WP_CLI::add_command( 'segmentflow settings', SettingsCommand::class );
		\WP_CLI::add_command( 'segmentflow webhooks', WebhooksCommand::class );
		\WP_CLI::add_command( 'segmentflow tracking', TrackingCommand::class );
		\WP_CLI::add_command( 'segmentflow segments', SegmentsCommand::class );
	}
}
