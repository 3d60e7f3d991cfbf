<?php
/**
 * `wp segmentflow`: the connection lifecycle and the jobs of the
 * segmentflow-wpcli binary. Every subcommand runs the binary with the same
 * name and flags; this class only documents them for `wp help` and relays.
 */

namespace Segmentflow\WpCli;

/**
 * Connects this site to Segmentflow, syncs its store and inspects the connection.
 *
 * Read-only commands run right after wp-config.php (`@when after_wp_config_load`)
 * so a broken plugin or theme cannot stop them; commands that register or remove
 * WooCommerce webhooks load WordPress.
 *
 * ## EXAMPLES
 *
 *     # Is this site connected, and is everything healthy?
 *     $ wp segmentflow status
 *
 *     # Connect a site without a browser (credentials on stdin).
 *     $ cat credentials.json | wp segmentflow connect --stdin --porcelain
 *     org_4f2a9c
 *
 *     # Send everything that changed since the last sync.
 *     $ wp segmentflow sync
 *
 *     # Check the installation.
 *     $ wp segmentflow doctor --offline
 */
class Command extends \WP_CLI_Command {

	/**
	 * Shows the connection, settings, WooCommerce and webhook state.
	 *
	 * What the plugin's Connection and WooCommerce tabs show: connected or not,
	 * organization, platform, masked write key, tracking, consent, debug, API
	 * host, WooCommerce version/currency/HPOS, webhook health, last sync, and
	 * whether an upgrade to the WooCommerce connection is available.
	 *
	 * ## OPTIONS
	 *
	 * [--fields=<fields>]
	 * : Limit the output to specific fields (e.g. connected,organization_id,webhooks).
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
	 *     # Human-readable status.
	 *     $ wp segmentflow status
	 *
	 *     # Machine-readable status for fleet scripts.
	 *     $ wp segmentflow status --format=json
	 *
	 * @when after_wp_config_load
	 */
	public function status( $args, $assoc_args ) {
		Dispatch::run( array( 'status' ), $args, $assoc_args );
	}

	/**
	 * Connects this site to Segmentflow.
	 *
	 * Interactive: prints the dashboard URL to open, then polls until the
	 * connection is approved there (or --timeout passes), stores the connection
	 * and registers the WooCommerce webhooks. Non-interactive (hosting
	 * providers): credentials as JSON on stdin with --stdin, or in a file with
	 * --from-file — never on the command line. Reconnecting refreshes the
	 * secret and delivery URL of existing Segmentflow webhooks.
	 *
	 * ## OPTIONS
	 *
	 * [--stdin]
	 * : Read the credentials JSON from standard input.
	 *
	 * [--from-file=<file>]
	 * : Read the credentials JSON from a file.
	 *
	 * [--poll-token=<token>]
	 * : Poll token of the interactive flow (short-lived, reveals the
	 * credentials once after approval). Also read from the
	 * SEGMENTFLOW_POLL_TOKEN environment variable or the first line of
	 * standard input.
	 *
	 * [--poll-interval-ms=<ms>]
	 * : Milliseconds between two status polls.
	 * ---
	 * default: 2500
	 * ---
	 *
	 * [--timeout=<seconds>]
	 * : How long to wait for approval in the dashboard.
	 * ---
	 * default: 600
	 * ---
	 *
	 * [--porcelain]
	 * : Output just the organization id.
	 *
	 * The credentials JSON: {"write_key": "...", "organization_id": "...",
	 * "organization_name": "...", "webhook_secret": "...",
	 * "webhook_delivery_url": "https://..."}.
	 *
	 * ## EXAMPLES
	 *
	 *     # Interactive: open the printed URL and approve.
	 *     $ wp segmentflow connect --poll-token=pt_4f2a9c
	 *     Approve the connection in the Segmentflow dashboard: https://dashboard.segmentflow.ai/connect/wordpress?...
	 *     Success: Connected to Segmentflow organization Acme (org_4f2a9c) as woocommerce; webhooks: 10 created, 0 updated, 0 deleted.
	 *
	 *     # Non-interactive, for scripts.
	 *     $ wp segmentflow connect --from-file=/secure/segmentflow.json --porcelain
	 *     org_4f2a9c
	 *
	 * @when after_wp_load
	 */
	public function connect( $args, $assoc_args ) {
		$input = null;
		if ( \WP_CLI\Utils\get_flag_value( $assoc_args, 'stdin', false ) ) {
			$input = Dispatch::piped_stdin();
			if ( null === $input ) {
				\WP_CLI::error( '--stdin needs the credentials JSON piped in; standard input is a terminal.' );
			}
		}
		Dispatch::run( array( 'connect' ), $args, $assoc_args, true, $input );
	}

	/**
	 * Disconnects this site from Segmentflow.
	 *
	 * Removes the Segmentflow webhooks, tells the API (best effort: a network
	 * failure is a warning) and deletes the connection options. Running it on a
	 * disconnected site is not an error.
	 *
	 * ## OPTIONS
	 *
	 * [--yes]
	 * : Do not ask for confirmation.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp segmentflow disconnect --yes
	 *
	 * @when after_wp_load
	 */
	public function disconnect( $args, $assoc_args ) {
		\WP_CLI::confirm( 'Disconnect this site from Segmentflow?', $assoc_args );
		unset( $assoc_args['yes'] );
		Dispatch::run( array( 'disconnect' ), $args, $assoc_args, true );
	}

	/**
	 * Checks the installation and prints a pass/fail table.
	 *
	 * Checks, one row each with pass, fail or skip: binary (found and
	 * version-compatible), database (reachable), options (decodable), api (the
	 * API accepts the stored write key), webhooks (the ten rows healthy), hpos
	 * (WooCommerce's order storage consistent with its sync setting), clock
	 * (database and system clocks agree). Exits with 1 when any check fails.
	 *
	 * ## OPTIONS
	 *
	 * [--offline]
	 * : Skip the check that calls the Segmentflow API.
	 *
	 * [--clock-tolerance=<seconds>]
	 * : Largest accepted difference between the database clock and this machine's.
	 * ---
	 * default: 300
	 * ---
	 *
	 * [--fields=<fields>]
	 * : Limit the output to specific fields (check, status, detail).
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
	 *   - count
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp segmentflow doctor --offline
	 *     +----------+--------+------------------------------------------+
	 *     | check    | status | detail                                   |
	 *     +----------+--------+------------------------------------------+
	 *     | binary   | pass   | segmentflow-wpcli 0.1.0                  |
	 *     | database | pass   | MySQL/MariaDB 10.11.6-MariaDB (...)      |
	 *     | api      | skip   | --offline                                |
	 *     ...
	 *     Success: All checks passed.
	 *
	 *     # For monitoring: machine-readable, exit code 1 on any failure.
	 *     $ wp segmentflow doctor --format=json
	 *
	 * @when after_wp_config_load
	 */
	public function doctor( $args, $assoc_args ) {
		Dispatch::run( array( 'doctor' ), $args, $assoc_args );
	}

	/**
	 * Sends the store's customers, orders and products to Segmentflow.
	 *
	 * Each entity goes exactly as WooCommerce's own webhook would send it;
	 * WordPress users are sent as identify events. Incremental by default.
	 *
	 * ## OPTIONS
	 *
	 * [--resources=<list>]
	 * : Comma-separated: orders, customers, products, users.
	 *
	 * [--full]
	 * : Resend everything, not only what changed.
	 *
	 * [--since=<date>]
	 * : Only entities modified on or after this GMT date (YYYY-MM-DD[ HH:MM:SS]).
	 *
	 * [--dry-run]
	 * : Read, map and sign, but send nothing.
	 *
	 * [--concurrency=<n>]
	 * : Parallel deliveries.
	 * ---
	 * default: 8
	 * ---
	 *
	 * [--network]
	 * : On multisite, sync every site of the network.
	 *
	 * [--format=<format>]
	 * : Render the report in a particular format.
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
	 *     # Everything that changed since the last run.
	 *     $ wp segmentflow sync
	 *
	 *     # What a full resend of orders would send, without sending.
	 *     $ wp segmentflow sync --resources=orders --full --dry-run
	 *
	 *     # Every site of a multisite network, one after the other.
	 *     $ wp segmentflow sync --network
	 *
	 *     # One site of the network.
	 *     $ wp segmentflow sync --url=shop.example.com/de/
	 *
	 * @when after_wp_load
	 */
	public function sync( $args, $assoc_args ) {
		$network = \WP_CLI\Utils\get_flag_value( $assoc_args, 'network', false );
		unset( $assoc_args['network'] );
		if ( ! $network ) {
			Dispatch::run( array( 'sync' ), $args, $assoc_args, true );
			return;
		}
		if ( ! function_exists( 'is_multisite' ) || ! is_multisite() ) {
			\WP_CLI::error( 'This is not a multisite installation.' );
		}
		$worst = Contract::EXIT_SUCCESS;
		$sites = get_sites( array( 'fields' => 'ids', 'number' => 0 ) );
		foreach ( $sites as $site_id ) {
			switch_to_blog( $site_id );
			\WP_CLI::log( sprintf( 'Site %d: %s', $site_id, home_url() ) );
			$code = Dispatch::exec( array( 'sync' ), $args, $assoc_args, true );
			restore_current_blog();
			if ( Contract::EXIT_SUCCESS !== $code ) {
				$worst = Contract::EXIT_PARTIAL;
			}
		}
		\WP_CLI::log( sprintf( 'Synced %d sites.', count( $sites ) ) );
		\WP_CLI::halt( $worst );
	}

	/**
	 * Lists, shows, queries and exports customer segments, computed locally.
	 *
	 * ## OPTIONS
	 *
	 * [<subcommand>...]
	 * : list, show <slug>, query "<english>", export.
	 *
	 * [--rule=<rule>]
	 * : A segment rule in the rule language.
	 *
	 * [--as-of=<date>]
	 * : Evaluate as of this date, for reproducible results.
	 *
	 * [--format=<format>]
	 * : Render output in a particular format (table, json, csv, ids, yaml).
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp segmentflow segments list
	 *     $ wp segmentflow segments query "customers who bought twice but haven't ordered in a month"
	 *
	 * @when after_wp_config_load
	 */
	public function segments( $args, $assoc_args ) {
		$sub = array_shift( $args );
		Dispatch::run( array_filter( array( 'segments', $sub ) ), $args, $assoc_args );
	}

	/**
	 * Attributes paid revenue, net of refunds, to UTM campaigns, sources and more.
	 *
	 * Paid orders (processing, completed) count for their total minus their
	 * refunds. Each order's UTM values come from the Segmentflow plugin's
	 * `_segmentflow_utm_*` meta, else from WooCommerce's own order attribution
	 * (`_wc_order_attribution_*`). Amounts of different currencies are never
	 * added: there is one group of rows per currency, and each row's share is
	 * of its currency's total. Orders without a value for the dimension are
	 * one "(unattributed)" row. The rows of a currency add up exactly to the
	 * store's paid net total, printed on stderr after the table.
	 *
	 * ## OPTIONS
	 *
	 * [--by=<dimension>]
	 * : The UTM value to group by.
	 * ---
	 * default: campaign
	 * options:
	 *   - campaign
	 *   - source
	 *   - medium
	 *   - content
	 *   - term
	 * ---
	 *
	 * [--since=<date>]
	 * : Only orders paid (else created) on or after this GMT date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS).
	 *
	 * [--until=<date>]
	 * : Only orders paid (else created) up to and including this GMT date (YYYY-MM-DD), or before this instant (YYYY-MM-DD HH:MM:SS).
	 *
	 * [--model=<model>]
	 * : last-touch credits each order to its own UTM values; first-touch credits it to the values of its customer's first order that had any.
	 * ---
	 * default: last-touch
	 * options:
	 *   - first-touch
	 *   - last-touch
	 * ---
	 *
	 * [--fields=<fields>]
	 * : Limit the output to specific fields (currency, the --by dimension, orders, revenue, average_order_value, share, attributed, segmentflow_orders, woocommerce_orders).
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
	 *     # Revenue per campaign this year.
	 *     $ wp segmentflow revenue --by=campaign --since=2026-01-01
	 *
	 *     # Per source, crediting the campaign that acquired each customer.
	 *     $ wp segmentflow revenue --by=source --model=first-touch --format=csv
	 *
	 * @when after_wp_config_load
	 */
	public function revenue( $args, $assoc_args ) {
		Dispatch::run( array( 'revenue' ), $args, $assoc_args );
	}

	/**
	 * Shows the brand kit: name, tagline, logo, icon, colours, top product photos.
	 *
	 * What Segmentflow's brand-aware templates pull: the site name and
	 * tagline, the custom logo and site icon URLs, the colour palette (block
	 * theme global styles and theme.json, classic theme mods) and the photos
	 * of the best-selling products (by paid line totals in the store
	 * currency).
	 *
	 * Loads WordPress so that the URLs are exactly those the site serves:
	 * the uploads base URL is WordPress's own `wp_upload_dir()` (with any
	 * CDN or offload filter) and the theme is read from WP_CONTENT_DIR.
	 *
	 * ## OPTIONS
	 *
	 * [--top=<n>]
	 * : How many product photos.
	 * ---
	 * default: 5
	 * ---
	 *
	 * [--format=<format>]
	 * : Render output in a particular format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - json
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp segmentflow brand
	 *
	 *     # Everything as one JSON object, ten product photos.
	 *     $ wp segmentflow brand --top=10 --format=json
	 *
	 * @when after_wp_load
	 */
	public function brand( $args, $assoc_args ) {
		foreach ( self::brand_flags() as $flag => $value ) {
			if ( ! isset( $assoc_args[ $flag ] ) ) {
				$assoc_args[ $flag ] = $value;
			}
		}
		Dispatch::run( array( 'brand' ), $args, $assoc_args );
	}

	/**
	 * The paths and URLs WordPress resolved that the binary cannot read from
	 * the database: `--content-dir` (WP_CONTENT_DIR, where the active theme's
	 * theme.json is) and `--uploads-url` (`wp_upload_dir()['baseurl']`,
	 * computed without creating the month's directory).
	 *
	 * @return array<string,string>
	 */
	public static function brand_flags() {
		$flags = array();
		if ( defined( 'WP_CONTENT_DIR' ) ) {
			$flags['content-dir'] = WP_CONTENT_DIR;
		} elseif ( defined( 'ABSPATH' ) ) {
			$flags['content-dir'] = ABSPATH . 'wp-content';
		}
		if ( function_exists( 'wp_upload_dir' ) ) {
			$uploads = wp_upload_dir( null, false );
			if ( is_array( $uploads ) && empty( $uploads['error'] ) && ! empty( $uploads['baseurl'] ) ) {
				$flags['uploads-url'] = $uploads['baseurl'];
			}
		}
		return $flags;
	}
}
