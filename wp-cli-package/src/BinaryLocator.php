<?php
/**
 * Finds the segmentflow-wpcli binary and checks that its version matches
 * this package: the SEGMENTFLOW_WPCLI_BIN constant, then the environment
 * variable, then the package's own bin/ directory, then PATH.
 */

namespace Segmentflow\WpCli;

final class BinaryLocator {

	/** @var string|null */
	private static $cached = null;

	/**
	 * The path of a usable binary.
	 *
	 * @throws \RuntimeException When no binary is found or its version does not match.
	 */
	public static function locate() {
		if ( null !== self::$cached ) {
			return self::$cached;
		}
		$tried = array();
		foreach ( self::candidates() as $source => $path ) {
			$tried[] = "$source ($path)";
			if ( '' === $path || ! is_file( $path ) || ! is_executable( $path ) ) {
				continue;
			}
			$version = self::version_of( $path );
			if ( null === $version ) {
				throw new \RuntimeException( "The segmentflow-wpcli binary at $path did not report a version (is it the right program?)." );
			}
			if ( ! self::compatible( $version ) ) {
				throw new \RuntimeException(
					sprintf( 'The segmentflow-wpcli binary at %s is version %s; this package needs %s.x.', $path, $version, self::major_minor( Contract::VERSION ) )
				);
			}
			self::$cached = $path;
			return $path;
		}
		throw new \RuntimeException(
			'The segmentflow-wpcli binary was not found. Tried: ' . implode( ', ', $tried )
			. '. Install it on PATH, or point the ' . Contract::ENV_BIN . ' constant or environment variable at it.'
		);
	}

	/** Forgets the cached path (tests). */
	public static function reset() {
		self::$cached = null;
	}

	/**
	 * Places to look, in order, keyed by where the path came from.
	 *
	 * @return array<string,string>
	 */
	public static function candidates() {
		$candidates = array();
		if ( defined( Contract::ENV_BIN ) ) {
			$candidates['constant ' . Contract::ENV_BIN] = (string) constant( Contract::ENV_BIN );
		}
		$env = getenv( Contract::ENV_BIN );
		if ( false !== $env && '' !== $env ) {
			$candidates['environment ' . Contract::ENV_BIN] = $env;
		}
		$candidates['package bin/'] = dirname( __DIR__ ) . '/bin/segmentflow-wpcli';
		foreach ( explode( PATH_SEPARATOR, (string) getenv( 'PATH' ) ) as $dir ) {
			if ( '' !== $dir ) {
				$candidates[ 'PATH ' . $dir ] = rtrim( $dir, '/' ) . '/segmentflow-wpcli';
			}
		}
		return $candidates;
	}

	/**
	 * Runs `<path> --version` and returns the version number, or null.
	 *
	 * @param string $path Binary path.
	 * @return string|null
	 */
	public static function version_of( $path ) {
		$process = proc_open( array( $path, '--version' ), array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes );
		if ( ! is_resource( $process ) ) {
			return null;
		}
		$out = stream_get_contents( $pipes[1] );
		fclose( $pipes[1] );
		fclose( $pipes[2] );
		$code = proc_close( $process );
		if ( 0 !== $code || ! preg_match( '/^segmentflow-wpcli (\d+\.\d+\.\d+\S*)/', (string) $out, $m ) ) {
			return null;
		}
		return $m[1];
	}

	/**
	 * Same major.minor as the package.
	 *
	 * @param string $version Binary version.
	 */
	public static function compatible( $version ) {
		return self::major_minor( $version ) === self::major_minor( Contract::VERSION );
	}

	private static function major_minor( $version ) {
		$parts = explode( '.', $version );
		return $parts[0] . '.' . ( isset( $parts[1] ) ? $parts[1] : '0' );
	}
}
