<?php
/**
 * The one path every subcommand takes: find the binary, build the site
 * context, run the binary with the same subcommand and flags, flush the
 * options it may have written from the object cache, and exit with its code.
 */

namespace Segmentflow\WpCli;

final class Dispatch {

	/**
	 * Where the binary's stdout goes when a caller names no stream (null:
	 * STDOUT). Tests point it at a memory stream to read what a command printed.
	 *
	 * @var resource|null
	 */
	public static $stdout = null;

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
		$written_file = null;
		try {
			$binary = BinaryLocator::locate();
			$argv   = array_merge( self::global_flags( self::wordpress_loaded() ), Runner::argv( $subcommand, $args, $assoc_args ) );
			$env = array();
			if ( $writes ) {
				$written_file = self::temp_file();
				if ( null !== $written_file ) {
					$env[ Contract::ENV_WRITTEN_OPTIONS_FILE ] = $written_file;
				}
			}
			$runner = new Runner( $binary, null === $stdout ? self::$stdout : $stdout );
			$code   = $runner->run( $argv, SiteContext::build(), $input, $env );
		} catch ( \RuntimeException $e ) {
			self::remove( $written_file );
			\WP_CLI::error( $e->getMessage(), false );
			return Contract::EXIT_ERROR;
		} catch ( \InvalidArgumentException $e ) {
			self::remove( $written_file );
			\WP_CLI::error( $e->getMessage(), false );
			return Contract::EXIT_USAGE;
		}
		if ( $writes ) {
			self::flush_option_cache( self::written_options( $written_file ) );
			self::remove( $written_file );
		}
		return $code;
	}

	/**
	 * WP-CLI's global flags the binary needs too: --quiet, and --url when
	 * WordPress has not loaded (under `@when after_wp_config_load` nothing has
	 * selected the blog yet, so the binary resolves the URL to a blog id in the
	 * network's blogs table and reads that blog's URLs). After a full load the
	 * context already carries the blog WordPress selected (or switched to, as
	 * `sync --network` does), so --url is not passed again.
	 *
	 * @param bool $wordpress_loaded Whether WordPress is loaded.
	 * @return string[]
	 */
	public static function global_flags( $wordpress_loaded ) {
		$flags = array();
		if ( \WP_CLI::get_config( 'quiet' ) ) {
			$flags[] = '--quiet';
		}
		$url = \WP_CLI::get_config( 'url' );
		if ( ! $wordpress_loaded && is_string( $url ) && '' !== $url ) {
			$flags[] = '--url=' . $url;
		}
		return $flags;
	}

	/**
	 * Whether WordPress itself is loaded (not only wp-config.php).
	 *
	 * @return bool
	 */
	public static function wordpress_loaded() {
		return function_exists( 'home_url' ) && isset( $GLOBALS['wpdb'] );
	}

	/**
	 * A new empty temp file for the binary's list of written options, or
	 * null when none can be made (then every writable option is flushed).
	 *
	 * @return string|null
	 */
	public static function temp_file() {
		$file = function_exists( 'wp_tempnam' ) ? wp_tempnam( 'sfw' ) : tempnam( sys_get_temp_dir(), 'sfw' );
		return ( is_string( $file ) && '' !== $file ) ? $file : null;
	}

	/**
	 * The option names the binary reported in $file (a JSON array of
	 * strings), or null when the file is missing, empty or unreadable — the
	 * binary may have died before writing it, so the caller must then assume
	 * every writable option changed.
	 *
	 * @param string|null $file
	 * @return string[]|null
	 */
	public static function written_options( $file ) {
		if ( null === $file || ! is_file( $file ) ) {
			return null;
		}
		$json = file_get_contents( $file );
		if ( false === $json || '' === $json ) {
			return null;
		}
		$names = json_decode( $json, true );
		if ( ! is_array( $names ) ) {
			return null;
		}
		$out = array();
		foreach ( $names as $name ) {
			if ( ! is_string( $name ) ) {
				return null;
			}
			$out[] = $name;
		}
		return $out;
	}

	private static function remove( $file ) {
		if ( null !== $file && is_file( $file ) ) {
			unlink( $file );
		}
	}

	/**
	 * Deletes options the binary wrote from the object cache (a persistent
	 * cache would otherwise keep serving the old values), plus the
	 * alloptions/notoptions caches that may hold them.
	 *
	 * @param string[]|null $names What the binary reported; null: every
	 *                             option it may write (Contract::WRITABLE_OPTIONS).
	 * @return string[] The names deleted from the cache.
	 */
	public static function flush_option_cache( $names = null ) {
		if ( null === $names ) {
			$names = Contract::WRITABLE_OPTIONS;
		}
		if ( ! function_exists( 'wp_cache_delete' ) ) {
			return array();
		}
		foreach ( $names as $name ) {
			wp_cache_delete( $name, 'options' );
		}
		wp_cache_delete( 'alloptions', 'options' );
		wp_cache_delete( 'notoptions', 'options' );
		return $names;
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
