<?php
/**
 * Names shared with the Rust binary: environment variables, site-context
 * fields, exit codes and the options the binary may write. A contract test
 * checks these against the binary's own lists.
 */

namespace Segmentflow\WpCli;

final class Contract {

	/** Package version; the binary must have the same major.minor. */
	const VERSION = '0.1.0';

	/** Environment variable (or PHP constant) naming the binary to run. */
	const ENV_BIN = 'SEGMENTFLOW_WPCLI_BIN';

	/**
	 * Environment variable naming a file in which the binary writes, after a
	 * command that wrote options, the JSON array of the option names it wrote
	 * or deleted.
	 */
	const ENV_WRITTEN_OPTIONS_FILE = 'SEGMENTFLOW_WRITTEN_OPTIONS_FILE';

	/** Exit codes of the binary, relayed unchanged with WP_CLI::halt(). */
	const EXIT_SUCCESS = 0;
	const EXIT_ERROR   = 1;
	const EXIT_USAGE   = 2;
	const EXIT_PARTIAL = 3;

	/**
	 * Options the binary may write; after a writing command they are deleted
	 * from the object cache so a persistent cache cannot serve stale values.
	 */
	const WRITABLE_OPTIONS = array(
		'segmentflow_write_key',
		'segmentflow_organization_name',
		'segmentflow_organization_id',
		'segmentflow_api_host',
		'segmentflow_app_host',
		'segmentflow_debug_mode',
		'segmentflow_consent_required',
		'segmentflow_wc_enabled',
		'segmentflow_connected_platform',
		'segmentflow_webhook_secret',
		'segmentflow_webhook_delivery_url',
		'segmentflow_activated_at',
		'segmentflow_sync_state',
		'segmentflow_last_sync',
	);
}
