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
		$written_file = null;
		try {
			$binary = BinaryLocator::locate();
			$argv   = Runner::argv( $subcommand, $args, $assoc_args );
			if ( \WP_CLI::get_config( 'quiet' ) ) {
				$argv = array_merge( array( '--quiet' ), $argv );
			}
			$env = array();
			if ( $writes ) {
				$written_file = self::temp_file();
				if ( null !== $written_file ) {
					$env[ Contract::ENV_WRITTEN_OPTIONS_FILE ] = $written_file;
				}
			}
			$runner = new Runner( $binary, $stdout );
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
