<?php

use PHPUnit\Framework\TestCase;
use Segmentflow\WpCli\Runner;

final class RunnerTest extends TestCase {

	public function test_argv_rebuilds_flags_then_positionals() {
		$argv = Runner::argv(
			array( 'settings', 'set' ),
			array( 'api_host', 'https://api.example' ),
			array(
				'format' => 'json',
				'quiet'  => true,
			)
		);
		$this->assertSame( array( 'settings', 'set', '--format=json', '--quiet', '--', 'api_host', 'https://api.example' ), $argv );
	}

	public function test_argv_rejects_odd_option_names() {
		$this->expectException( InvalidArgumentException::class );
		Runner::argv( array( 'status' ), array(), array( 'bad name;rm' => '1' ) );
	}

	public function test_runs_the_real_binary_and_relays_stdout_and_exit_code() {
		$bin = getenv( 'SEGMENTFLOW_TEST_BIN' );
		$this->assertNotFalse( $bin, 'SEGMENTFLOW_TEST_BIN must be set' );
		$out    = fopen( 'php://memory', 'w+' );
		$runner = new Runner( $bin, $out );
		$code   = $runner->run( array( '--version' ), array( 'db_name' => 'unused' ) );
		rewind( $out );
		$this->assertSame( 0, $code );
		$this->assertMatchesRegularExpression( '/^segmentflow-wpcli \d+\.\d+\.\d+/', stream_get_contents( $out ) );
	}
}
