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
}
