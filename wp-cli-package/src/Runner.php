<?php
/**
 * Runs the binary: an argument array (no shell), the site context JSON as
 * the first stdin line followed by the command's own input, stdout relayed
 * as it arrives, stderr inherited so progress bars stay live.
 */

namespace Segmentflow\WpCli;

final class Runner {

	/** @var string */
	private $binary;

	/** @var resource */
	private $stdout;

	/**
	 * @param string        $binary Path of segmentflow-wpcli.
	 * @param resource|null $stdout Where the binary's stdout goes (STDOUT by default).
	 */
	public function __construct( $binary, $stdout = null ) {
		$this->binary = $binary;
		$this->stdout = null === $stdout ? STDOUT : $stdout;
	}

	/**
	 * Runs `segmentflow-wpcli --context=- <argv…>` and returns its exit code.
	 *
	 * @param string[]             $argv    Subcommand and flags.
	 * @param array<string,mixed>  $context Site context (SiteContext::build()).
	 * @param string|null          $input   Extra stdin after the context line (e.g. credentials JSON).
	 * @param array<string,string> $env     Extra environment variables for the child, added to
	 *                                      this process's environment (never secrets).
	 * @return int
	 */
	public function run( array $argv, array $context, $input = null, array $env = array() ) {
		if ( ! function_exists( 'proc_open' ) ) {
			throw new \RuntimeException( 'proc_open() is disabled on this PHP (disable_functions); wp segmentflow needs it to run the segmentflow-wpcli binary.' );
		}
		$command     = array_merge( array( $this->binary, '--context=-' ), array_values( array_map( 'strval', $argv ) ) );
		$descriptors = array(
			0 => array( 'pipe', 'r' ),
			1 => array( 'pipe', 'w' ),
			2 => defined( 'STDERR' ) ? STDERR : array( 'file', 'php://stderr', 'w' ),
		);
		// proc_open() replaces the whole environment when given an array, so
		// extra variables are merged into the inherited ones (null inherits).
		$child_env = $env ? array_merge( self::inherited_env(), array_map( 'strval', $env ) ) : null;
		$process   = proc_open( $command, $descriptors, $pipes, null, $child_env );
		if ( ! is_resource( $process ) ) {
			throw new \RuntimeException( 'Could not start ' . $this->binary . '.' );
		}
		$line = json_encode( $context, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
		fwrite( $pipes[0], $line . "\n" );
		if ( null !== $input ) {
			fwrite( $pipes[0], $input );
		}
		fclose( $pipes[0] );

		while ( ! feof( $pipes[1] ) ) {
			$chunk = fread( $pipes[1], 65536 );
			if ( false === $chunk ) {
				break;
			}
			if ( '' !== $chunk ) {
				fwrite( $this->stdout, $chunk );
				fflush( $this->stdout );
			}
		}
		fclose( $pipes[1] );
		$code = proc_close( $process );
		return $code < 0 ? Contract::EXIT_ERROR : $code;
	}

	/**
	 * This process's environment as an array (getenv() without arguments,
	 * falling back to $_ENV where that is not available).
	 *
	 * @return array<string,string>
	 */
	public static function inherited_env() {
		$env = getenv();
		if ( ! is_array( $env ) || ! $env ) {
			$env = isset( $_ENV ) && is_array( $_ENV ) ? $_ENV : array();
		}
		return $env;
	}

	/**
	 * Turns WP-CLI's parsed arguments back into an argument array.
	 *
	 * @param string[]            $subcommand e.g. ['settings', 'set'].
	 * @param string[]            $args       Positional arguments.
	 * @param array<string,mixed> $assoc_args Flags and --key=value pairs.
	 * @return string[]
	 */
	public static function argv( array $subcommand, array $args, array $assoc_args ) {
		$argv = $subcommand;
		foreach ( $assoc_args as $key => $value ) {
			if ( ! preg_match( '/^[A-Za-z0-9_-]+$/', (string) $key ) ) {
				throw new \InvalidArgumentException( "Invalid option name '$key'." );
			}
			if ( true === $value ) {
				$argv[] = "--$key";
			} elseif ( false === $value ) {
				$argv[] = "--no-$key";
			} else {
				$argv[] = "--$key=$value";
			}
		}
		if ( $args ) {
			$argv[] = '--';
			foreach ( $args as $arg ) {
				$argv[] = (string) $arg;
			}
		}
		return $argv;
	}
}
