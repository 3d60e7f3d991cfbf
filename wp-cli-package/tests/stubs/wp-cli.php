<?php
/**
 * A stand-in for the few WP_CLI static calls the package makes. WP-CLI itself
 * cannot be installed here (no Packagist); everything else in the tests is
 * real: WordPress core, the database and the segmentflow-wpcli binary.
 * Messages are recorded instead of printed; error() and halt() throw so a
 * test can assert on them.
 */

// phpcs:disable Generic.Files.OneObjectStructurePerFile

class WP_CLI_Halt extends \Exception {
	public $exit_code;

	public function __construct( $code, $message = '' ) {
		parent::__construct( $message );
		$this->exit_code = $code;
	}
}

class WP_CLI {
	public static $log      = array();
	public static $commands = array();
	public static $config   = array();

	public static function reset() {
		self::$log    = array();
		self::$config = array();
	}

	public static function add_command( $name, $callable, $args = array() ) {
		self::$commands[ $name ] = $callable;
		return true;
	}

	public static function get_config( $key = null ) {
		if ( null === $key ) {
			return self::$config;
		}
		return isset( self::$config[ $key ] ) ? self::$config[ $key ] : null;
	}

	public static function log( $message ) {
		self::$log[] = array( 'log', $message );
	}

	public static function line( $message = '' ) {
		self::$log[] = array( 'line', $message );
	}

	public static function success( $message ) {
		self::$log[] = array( 'success', $message );
	}

	public static function warning( $message ) {
		self::$log[] = array( 'warning', $message );
	}

	public static function error( $message, $exit = true ) {
		self::$log[] = array( 'error', $message );
		if ( false !== $exit ) {
			throw new WP_CLI_Halt( true === $exit ? 1 : (int) $exit, 'Error: ' . $message );
		}
	}

	public static function halt( $code ) {
		throw new WP_CLI_Halt( (int) $code );
	}

	public static function confirm( $question, $assoc_args = array() ) {
		if ( empty( $assoc_args['yes'] ) ) {
			throw new WP_CLI_Halt( 1, 'confirmation needed: ' . $question );
		}
	}
}

abstract class WP_CLI_Command {
}
