<?php
/**
 * The one path every subcommand takes: find the binary, build the site
 * context, run the binary with the same subcommand and flags, flush the
 * options it may have written from the object cache, and exit with its code.
 */

namespace Segmentflow\WpCli;

final class Dispatch {

	/**
	 * Runs `segmentflow-wpcli <subcommand…> <flags…> -- <args…>` and halts
	 * with its exit code.
	 *
	 * @param string[]            $subcommand e.g. ['settings', 'set'].
	 * @param string[]            $args       Positional arguments.
	 * @param array<string,mixed> $assoc_args Flags.
	 * @param bool                $writes     Whether the command may write options.
	 * @param string|null         $input      Extra stdin for the binary.
	 */
	public static function run( array $subcommand, array $args, array $assoc_args, $writes = false, $input = null ) {
		$code = self::exec( $subcommand, $args, $assoc_args, $writes, $input );
		\WP_CLI::halt( $code );
	}

	/**
	 * Like run() but returns the exit code instead of halting.
	 *
	 * @return int
	 */
	public static function exec( array $subcommand, array $args, array $assoc_args, $writes = false, $input = null, $stdout = null ) {
		try {
			$binary = BinaryLocator::locate();
			$argv   = Runner::argv( $subcommand, $args, $assoc_args );
			if ( \WP_CLI::get_config( 'quiet' ) ) {
				$argv = array_merge( array( '--quiet' ), $argv );
			}
			$runner = new Runner( $binary, $stdout );
			$code   = $runner->run( $argv, SiteContext::build(), $input );
		} catch ( \RuntimeException $e ) {
			\WP_CLI::error( $e->getMessage(), false );
			return Contract::EXIT_ERROR;
		} catch ( \InvalidArgumentException $e ) {
			\WP_CLI::error( $e->getMessage(), false );
			return Contract::EXIT_USAGE;
		}
		if ( $writes ) {
			self::flush_option_cache();
		}
		return $code;
	}

	/**
	 * Deletes the options the binary may have written from the object cache
	 * (a persistent cache would otherwise keep serving the old values).
	 */
	public static function flush_option_cache() {
		if ( ! function_exists( 'wp_cache_delete' ) ) {
			return;
		}
		foreach ( Contract::WRITABLE_OPTIONS as $name ) {
			wp_cache_delete( $name, 'options' );
		}
		wp_cache_delete( 'alloptions', 'options' );
		wp_cache_delete( 'notoptions', 'options' );
	}

	/**
	 * Reads the whole of STDIN when it is not a terminal, else null.
	 *
	 * @return string|null
	 */
	public static function piped_stdin() {
		if ( ! defined( 'STDIN' ) || ( function_exists( 'stream_isatty' ) && stream_isatty( STDIN ) ) ) {
			return null;
		}
		$data = stream_get_contents( STDIN );
		return false === $data ? null : $data;
	}
}
