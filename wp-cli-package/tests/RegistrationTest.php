<?php

use PHPUnit\Framework\TestCase;

final class RegistrationTest extends TestCase {

	public function test_entry_file_registers_every_command_group() {
		$this->assertSame( 'Segmentflow\WpCli\Command', WP_CLI::$commands['segmentflow'] );
		$this->assertSame( 'Segmentflow\WpCli\SettingsCommand', WP_CLI::$commands['segmentflow settings'] );
		$this->assertSame( 'Segmentflow\WpCli\WebhooksCommand', WP_CLI::$commands['segmentflow webhooks'] );
		$this->assertSame( 'Segmentflow\WpCli\TrackingCommand', WP_CLI::$commands['segmentflow tracking'] );
		$this->assertSame( 'Segmentflow\WpCli\SegmentsCommand', WP_CLI::$commands['segmentflow segments'] );
	}

	/**
	 * Every public subcommand has a docblock WP-CLI can build help from:
	 * a short description, ## EXAMPLES, and an explicit @when.
	 */
	public function test_every_subcommand_is_documented_with_examples_and_when() {
		$classes = array( 'Segmentflow\WpCli\Command', 'Segmentflow\WpCli\SettingsCommand', 'Segmentflow\WpCli\WebhooksCommand', 'Segmentflow\WpCli\TrackingCommand', 'Segmentflow\WpCli\SegmentsCommand' );
		$count   = 0;
		foreach ( $classes as $class ) {
			$reflection = new ReflectionClass( $class );
			$this->assertStringContainsString( '## EXAMPLES', (string) $reflection->getDocComment(), "$class class docblock" );
			foreach ( $reflection->getMethods( ReflectionMethod::IS_PUBLIC ) as $method ) {
				if ( $method->getDeclaringClass()->getName() !== $class || $method->isStatic() ) {
					continue;
				}
				$doc = (string) $method->getDocComment();
				$this->assertMatchesRegularExpression( '/^\/\*\*\s*\n\s*\* [A-Z][^\n]{5,79}\.\n/', $doc, "$class::{$method->getName()} short description" );
				$this->assertStringContainsString( '## EXAMPLES', $doc, "$class::{$method->getName()} examples" );
				$this->assertMatchesRegularExpression( '/@when (after_wp_config_load|after_wp_load)/', $doc, "$class::{$method->getName()} @when" );
				++$count;
			}
		}
		$this->assertSame( 19, $count );
	}
}
