<?php
/**
 * PHPUnit bootstrap: the WP_CLI stand-in, then the package's own entry file
 * exactly as WP-CLI would load it. WordPress itself is loaded by the tests
 * that need it (see WordPressTestCase), against a real database.
 */

require __DIR__ . '/stubs/wp-cli.php';
require __DIR__ . '/stubs/utils.php';
require dirname( __DIR__ ) . '/segmentflow-command.php';

// Real WordPress core on a real MariaDB database of this run's own.
require __DIR__ . '/support/wordpress.php';
SF_Test_Site::boot();
