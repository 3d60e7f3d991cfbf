<?php
/**
 * `wp segmentflow segments`: customer segments computed locally from the
 * store by the segmentflow-wpcli binary (no data leaves the machine).
 */

namespace Segmentflow\WpCli;

/**
 * Lists, shows and exports the 11 pre-built customer segments, evaluates
 * your own rules and plain-English descriptions.
 *
 * A paid order is one in `processing` or `completed`, net of refunds; a
 * customer is a registered user, or a guest by billing email. The store is
 * read once per command; `--as-of=YYYY-MM-DD` makes results reproducible.
 *
 * ## EXAMPLES
 *
 *     # The segments and how many customers each holds.
 *     $ wp segmentflow segments list
 *
 *     # VIP customers as CSV.
 *     $ wp segmentflow segments show vip-customers --format=csv
 *
 *     # Ask in English.
 *     $ wp segmentflow segments query "customers who bought twice but haven't ordered in a month"
 *
 * @when after_wp_config_load
 */
class SegmentsCommand extends \WP_CLI_Command {

	/**
	 * Lists the 11 pre-built segments with their rule and member count.
	 *
	 * ## OPTIONS
	 *
	 * [--as-of=<date>]
	 * : Evaluate as of the end of this UTC date (YYYY-MM-DD). Default: now.
	 *
	 * [--fields=<fields>]
	 * : Limit the output to specific fields (slug, name, rule, description, members).
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
	 *     $ wp segmentflow segments list --fields=slug,members
	 *
	 * @subcommand list
	 * @when after_wp_config_load
	 */
	public function list_( $args, $assoc_args ) {
		Dispatch::run( array( 'segments', 'list' ), $args, $assoc_args );
	}

	/**
	 * Shows the members of a pre-built segment, or of a rule you write.
	 *
	 * ## OPTIONS
	 *
	 * [<slug>]
	 * : The segment (new-customers, recent-customers, repeat-customers,
	 * loyal-customers, vip-customers, one-time-buyers, churning-customers,
	 * lapsed-customers, prospects, abandoned-checkouts, discount-shoppers).
	 *
	 * [--rule=<rule>]
	 * : A rule instead of a slug, e.g. 'paid_orders >= 3 and spend[last 365 days] > 500'.
	 *
	 * [--as-of=<date>]
	 * : Evaluate as of the end of this UTC date (YYYY-MM-DD). Default: now.
	 *
	 * [--fields=<fields>]
	 * : Limit the output to specific fields (customer, user_id, email, name,
	 * paid_orders, spend, registered, first_paid, last_paid, orders, membership).
	 *
	 * [--format=<format>]
	 * : Render output in a particular format (ids: customer keys).
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
	 * ## EXAMPLES
	 *
	 *     $ wp segmentflow segments show lapsed-customers --format=csv > lapsed.csv
	 *     $ wp segmentflow segments show --rule='bought category_slug "hoodies" and guest'
	 *
	 * @when after_wp_config_load
	 */
	public function show( $args, $assoc_args ) {
		Dispatch::run( array( 'segments', 'show' ), $args, $assoc_args );
	}

	/**
	 * Exports every membership of the 11 segments (one row per segment and customer).
	 *
	 * ## OPTIONS
	 *
	 * [--as-of=<date>]
	 * : Evaluate as of the end of this UTC date (YYYY-MM-DD). Default: now.
	 *
	 * [--fields=<fields>]
	 * : Limit the output to specific fields (segment, customer, user_id, email, ...).
	 *
	 * [--format=<format>]
	 * : Render output in a particular format.
	 * ---
	 * default: csv
	 * options:
	 *   - csv
	 *   - json
	 *   - table
	 *   - yaml
	 *   - count
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp segmentflow segments export --as-of=2026-11-30 > segments.csv
	 *
	 * @when after_wp_config_load
	 */
	public function export( $args, $assoc_args ) {
		Dispatch::run( array( 'segments', 'export' ), $args, $assoc_args );
	}

	/**
	 * Compiles an English description to a rule and shows its members.
	 *
	 * Prints the compiled rule first. Conditions only Segmentflow knows (email
	 * opens, campaign engagement) stay in the rule and are reported as
	 * "evaluated in Segmentflow, not locally"; customers who depend on them are
	 * listed as undecided. Text it cannot use is an error pointing at the word.
	 *
	 * ## OPTIONS
	 *
	 * <text>
	 * : What you are looking for.
	 *
	 * [--as-of=<date>]
	 * : Evaluate (and read "last month", "this year") as of this UTC date. Default: today.
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
	 * ## EXAMPLES
	 *
	 *     $ wp segmentflow segments query "repeat customers who spent more than $200 this year"
	 *     $ wp segmentflow segments query "guests who ordered in the last 7 days" --format=count
	 *
	 * @when after_wp_config_load
	 */
	public function query( $args, $assoc_args ) {
		Dispatch::run( array( 'segments', 'query' ), $args, $assoc_args );
	}
}
