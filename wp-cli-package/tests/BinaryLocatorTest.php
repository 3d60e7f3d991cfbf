<?php

use PHPUnit\Framework\TestCase;
use Segmentflow\WpCli\BinaryLocator;
use Segmentflow\WpCli\Contract;

final class BinaryLocatorTest extends TestCase {

	private $saved_env;
	private $saved_path;

	protected function setUp(): void {
		BinaryLocator::reset();
		$this->saved_env  = getenv( Contract::ENV_BIN );
		$this->saved_path = getenv( 'PATH' );
	}

	protected function tearDown(): void {
		putenv( false === $this->saved_env ? Contract::ENV_BIN : Contract::ENV_BIN . '=' . $this->saved_env );
		putenv( 'PATH=' . $this->saved_path );
		BinaryLocator::reset();
	}

	private static function real_binary() {
		$bin = getenv( 'SEGMENTFLOW_TEST_BIN' );
		if ( false === $bin || ! is_executable( $bin ) ) {
			self::fail( 'SEGMENTFLOW_TEST_BIN must name the built segmentflow-wpcli binary (make test sets it).' );
		}
		return $bin;
	}

	public function test_finds_the_binary_named_by_the_environment() {
		$bin = self::real_binary();
		putenv( Contract::ENV_BIN . '=' . $bin );
		$this->assertSame( $bin, BinaryLocator::locate() );
		$this->assertSame( Contract::VERSION, BinaryLocator::version_of( $bin ) );
	}

	public function test_finds_the_binary_on_path() {
		$bin = self::real_binary();
		putenv( Contract::ENV_BIN );
		putenv( 'PATH=/nonexistent:' . dirname( $bin ) );
		$this->assertSame( $bin, BinaryLocator::locate() );
	}

	public function test_missing_binary_is_a_clear_error() {
		putenv( Contract::ENV_BIN . '=/nonexistent/segmentflow-wpcli' );
		putenv( 'PATH=/nonexistent' );
		try {
			BinaryLocator::locate();
			$this->fail( 'expected an error' );
		} catch ( RuntimeException $e ) {
			$this->assertStringContainsString( 'segmentflow-wpcli binary was not found', $e->getMessage() );
			$this->assertStringContainsString( '/nonexistent/segmentflow-wpcli', $e->getMessage() );
			$this->assertStringContainsString( Contract::ENV_BIN, $e->getMessage() );
		}
	}

	public function test_a_program_that_is_not_the_binary_is_refused() {
		putenv( Contract::ENV_BIN . '=/bin/true' );
		$this->expectException( RuntimeException::class );
		$this->expectExceptionMessage( 'did not report a version' );
		BinaryLocator::locate();
	}

	public function test_version_compatibility_is_major_minor() {
		$this->assertTrue( BinaryLocator::compatible( Contract::VERSION ) );
		$parts = explode( '.', Contract::VERSION );
		$this->assertTrue( BinaryLocator::compatible( $parts[0] . '.' . $parts[1] . '.99' ) );
		$this->assertFalse( BinaryLocator::compatible( $parts[0] . '.' . ( $parts[1] + 1 ) . '.0' ) );
		$this->assertFalse( BinaryLocator::compatible( ( $parts[0] + 1 ) . '.' . $parts[1] . '.0' ) );
	}
}
