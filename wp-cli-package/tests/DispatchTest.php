<?php

use PHPUnit\Framework\TestCase;
use Segmentflow\WpCli\BinaryLocator;
use Segmentflow\WpCli\Contract;
use Segmentflow\WpCli\Dispatch;
use Segmentflow\WpCli\Runner;

/**
 * The written-options handshake: Dispatch gives a writing command a temp file
 * through the environment, reads back the names the binary wrote there,
 * deletes exactly those from the object cache (all writable options when the
 * file is missing or unreadable) and removes the file.
 */
final class DispatchTest extends TestCase {

	/** @var string */
	private $dir;

	protected function setUp(): void {
		$this->dir = sys_get_temp_dir() . '/sfw-dispatch-' . getmypid() . '-' . mt_rand();
		mkdir( $this->dir );
	}

	protected function tearDown(): void {
		foreach ( glob( $this->dir . '/*' ) as $file ) {
			unlink( $file );
		}
		rmdir( $this->dir );
		putenv( Contract::ENV_BIN );
		putenv( 'SFW_FAKE_WRITTEN' );
		BinaryLocator::reset();
	}

	/**
	 * A stand-in binary: answers --version, writes $SFW_FAKE_WRITTEN into the
	 * written-options file when it is given one, and prints what it saw.
	 */
	private function fake_binary() {
		$path = $this->dir . '/segmentflow-wpcli';
		file_put_contents(
			$path,
			"#!/bin/sh\n"
			. "if [ \"\$1\" = \"--version\" ]; then echo 'segmentflow-wpcli " . Contract::VERSION . "'; exit 0; fi\n"
			. "cat > /dev/null\n"
			. "if [ -n \"\$" . Contract::ENV_WRITTEN_OPTIONS_FILE . "\" ] && [ \"\$SFW_FAKE_WRITTEN\" != 'none' ]; then printf '%s' \"\$SFW_FAKE_WRITTEN\" > \"\$" . Contract::ENV_WRITTEN_OPTIONS_FILE . "\"; fi\n"
			. "printf 'file=%s\\nhome=%s\\n' \"\$" . Contract::ENV_WRITTEN_OPTIONS_FILE . "\" \"\$HOME\"\n"
		);
		chmod( $path, 0755 );
		return $path;
	}

	public function test_written_options_file_parsing() {
		$file  = $this->dir . '/list.json';
		$cases = array(
			array( '["segmentflow_debug_mode","segmentflow_api_host"]', array( 'segmentflow_debug_mode', 'segmentflow_api_host' ) ),
			array( '[]', array() ),
			array( '', null ),
			array( 'not json', null ),
			array( '{"a":1}', null ),
			array( '[1]', null ),
		);
		foreach ( $cases as $case ) {
			file_put_contents( $file, $case[0] );
			$this->assertSame( $case[1], Dispatch::written_options( $file ), $case[0] );
		}
		$this->assertNull( Dispatch::written_options( $this->dir . '/missing.json' ) );
		$this->assertNull( Dispatch::written_options( null ) );
	}

	public function test_runner_adds_variables_to_the_inherited_environment() {
		$out    = fopen( 'php://memory', 'w+' );
		$runner = new Runner( $this->fake_binary(), $out );
		putenv( 'SFW_FAKE_WRITTEN=none' );
		$code = $runner->run( array( 'status' ), array( 'version' => 1 ), null, array( Contract::ENV_WRITTEN_OPTIONS_FILE => '/tmp/x.json' ) );
		rewind( $out );
		$text = stream_get_contents( $out );
		$this->assertSame( 0, $code );
		$this->assertStringContainsString( "file=/tmp/x.json\n", $text );
		$this->assertStringContainsString( 'home=' . getenv( 'HOME' ) . "\n", $text, 'the rest of the environment is kept' );
	}

	/**
	 * @runInSeparateProcess
	 * @preserveGlobalState disabled
	 */
	public function test_writing_commands_flush_what_the_binary_reported() {
		$GLOBALS['sfw_cache_deleted'] = array();
		if ( ! function_exists( 'wp_cache_delete' ) ) {
			function wp_cache_delete( $key, $group = '' ) {
				$GLOBALS['sfw_cache_deleted'][] = "$group:$key";
				return true;
			}
		}
		putenv( Contract::ENV_BIN . '=' . $this->fake_binary() );
		BinaryLocator::reset();

		// The binary reports what it wrote: exactly those are flushed.
		putenv( 'SFW_FAKE_WRITTEN=["segmentflow_debug_mode"]' );
		$out  = fopen( 'php://memory', 'w+' );
		$code = Dispatch::exec( array( 'settings', 'set' ), array( 'debug_mode', 'on' ), array(), true, null, $out );
		rewind( $out );
		$this->assertSame( 0, $code );
		$this->assertSame( array( 'options:segmentflow_debug_mode', 'options:alloptions', 'options:notoptions' ), $GLOBALS['sfw_cache_deleted'] );
		$this->assertMatchesRegularExpression( '/^file=(.+)$/m', stream_get_contents( $out ) );
		rewind( $out );
		preg_match( '/^file=(.+)$/m', stream_get_contents( $out ), $m );
		$this->assertFileDoesNotExist( $m[1], 'the temp file is removed' );

		// Nothing written: only the alloptions/notoptions caches.
		$GLOBALS['sfw_cache_deleted'] = array();
		putenv( 'SFW_FAKE_WRITTEN=[]' );
		Dispatch::exec( array( 'settings', 'set' ), array( 'debug_mode', 'on' ), array(), true, null, fopen( 'php://memory', 'w+' ) );
		$this->assertSame( array( 'options:alloptions', 'options:notoptions' ), $GLOBALS['sfw_cache_deleted'] );

		// The binary left the file empty (it died, or is older): everything it may write.
		$GLOBALS['sfw_cache_deleted'] = array();
		putenv( 'SFW_FAKE_WRITTEN=none' );
		Dispatch::exec( array( 'settings', 'set' ), array( 'debug_mode', 'on' ), array(), true, null, fopen( 'php://memory', 'w+' ) );
		$this->assertCount( count( Contract::WRITABLE_OPTIONS ) + 2, $GLOBALS['sfw_cache_deleted'] );

		// Read-only commands get no file and flush nothing.
		$GLOBALS['sfw_cache_deleted'] = array();
		$out = fopen( 'php://memory', 'w+' );
		Dispatch::exec( array( 'status' ), array(), array(), false, null, $out );
		rewind( $out );
		$this->assertStringContainsString( "file=\n", stream_get_contents( $out ) );
		$this->assertSame( array(), $GLOBALS['sfw_cache_deleted'] );
	}
}
