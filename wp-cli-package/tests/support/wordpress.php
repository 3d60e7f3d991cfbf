<?php
/**
 * Real WordPress for the PHPUnit suite: a MariaDB database of its own
 * (`sfwp_php_<pid>`, dropped when the run ends), WordPress core installed into
 * it by the project's tests/support/wp-install.php (Debian's
 * /usr/share/wordpress, WordPress's own wp_install()), a MariaDB account with
 * a password of its own, then WordPress loaded into this process exactly as
 * wp-config.php + wp-settings.php load it. Also the sandbox: the real binary's
 * `sandbox` subcommand on a free loopback port.
 *
 * Nothing here is a stand-in: the database, WordPress and the binary are real.
 */

// phpcs:disable WordPress.DB, WordPress.WP.GlobalVariablesOverride

final class SF_Test_Site {

	const SOCKET   = '/run/mysqld/mysqld.sock';
	const USER     = 'sfwp_php';
	const PASSWORD = 'sfwp-php-pw';
	const URL      = 'http://example.test';

	/** @var string */
	public static $db = '';

	/** @var resource|null */
	private static $sandbox = null;

	/** @var array|null */
	private static $sandbox_info = null;

	/** DB_HOST as WordPress (PHP) sees it. */
	public static function db_host() {
		return is_file( self::SOCKET ) || file_exists( self::SOCKET ) ? 'localhost:' . self::SOCKET : '127.0.0.1:3306';
	}

	private static function admin() {
		$db = file_exists( self::SOCKET )
			? new mysqli( 'localhost', 'root', '', '', 0, self::SOCKET )
			: new mysqli( '127.0.0.1', 'root', '', '', 3306 );
		return $db;
	}

	/**
	 * Creates the database and account, installs WordPress, loads it.
	 */
	public static function boot() {
		mysqli_report( MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT );
		self::$db = 'sfwp_php_' . getmypid();
		$admin    = self::admin();
		foreach ( array( 'localhost', '127.0.0.1' ) as $host ) {
			$account = "'" . self::USER . "'@'$host'";
			$admin->query( "CREATE USER IF NOT EXISTS $account IDENTIFIED BY '" . self::PASSWORD . "'" );
			$admin->query( "ALTER USER $account IDENTIFIED BY '" . self::PASSWORD . "'" );
			$admin->query( "GRANT ALL PRIVILEGES ON `sfwp\\_php\\_%`.* TO $account" );
		}
		// Databases of runs that died before their shutdown function.
		$stale = $admin->query( "SHOW DATABASES LIKE 'sfwp\\_php\\_%'" );
		while ( $row = $stale->fetch_row() ) {
			$pid = (int) substr( $row[0], strlen( 'sfwp_php_' ) );
			if ( $pid !== getmypid() && ! file_exists( "/proc/$pid" ) ) {
				$admin->query( 'DROP DATABASE IF EXISTS `' . $row[0] . '`' );
			}
		}
		$admin->query( 'DROP DATABASE IF EXISTS `' . self::$db . '`' );
		$admin->query( 'CREATE DATABASE `' . self::$db . '`' );
		register_shutdown_function( array( __CLASS__, 'shutdown' ) );

		$installer = dirname( __DIR__, 3 ) . '/tests/support/wp-install.php';
		$env       = array_merge(
			getenv(),
			array(
				'SF_TEST_DB_NAME'     => self::$db,
				'SF_TEST_DB_HOST'     => self::db_host(),
				'SF_TEST_DB_USER'     => 'root',
				'SF_TEST_DB_PASSWORD' => '',
				'SF_TEST_SITE_URL'    => self::URL,
			)
		);
		$process = proc_open( array( PHP_BINARY, $installer ), array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes, null, $env );
		$out     = stream_get_contents( $pipes[1] );
		$err     = stream_get_contents( $pipes[2] );
		fclose( $pipes[1] );
		fclose( $pipes[2] );
		if ( 0 !== proc_close( $process ) ) {
			fwrite( STDERR, "wp-install.php failed:\n$out\n$err\n" );
			exit( 1 );
		}
		// WooCommerce's own webhook table (WooCommerce is not installable here).
		$admin->select_db( self::$db );
		$admin->query( "SET SESSION sql_mode = ''" );
		$ddl = implode( "\n", array_filter( explode( "\n", (string) file_get_contents( dirname( __DIR__, 3 ) . '/tests/support/wc-webhooks.sql' ) ), static function ( $line ) {
			return 0 !== strpos( $line, '--' );
		} ) );
		$admin->query( $ddl );
		$admin->close();

		// What wp-config.php does.
		define( 'DB_NAME', self::$db );
		define( 'DB_USER', self::USER );
		define( 'DB_PASSWORD', self::PASSWORD );
		define( 'DB_HOST', self::db_host() );
		define( 'DB_CHARSET', 'utf8mb4' );
		define( 'DB_COLLATE', '' );
		define( 'ABSPATH', '/usr/share/wordpress/' );
		define( 'WP_HOME', self::URL );
		define( 'WP_SITEURL', self::URL );
		$GLOBALS['table_prefix'] = 'wp_';
		$_SERVER['HTTP_HOST']    = 'example.test';
		$_SERVER['SERVER_NAME']  = 'example.test';
		$_SERVER['REQUEST_URI']  = '/';
		$_SERVER['SERVER_PORT']  = 80;
		$_SERVER['REMOTE_ADDR']  = '127.0.0.1';
		mysqli_report( MYSQLI_REPORT_OFF );
		$level = error_reporting( E_ALL & ~E_DEPRECATED & ~E_NOTICE & ~E_WARNING );
		// wp-settings.php expects to run at file scope: its globals must be globals.
		foreach ( array( 'table_prefix', 'wpdb', 'wp_version', 'wp_db_version', 'wp', 'wp_query', 'wp_rewrite', 'wp_the_query', 'wp_roles', 'wp_locale', 'wp_embed', 'wp_widget_factory', 'wp_filter', 'wp_actions', 'wp_current_filter', 'wp_object_cache', 'wp_plugin_paths', 'blog_id', 'shortcode_tags', 'wp_textdomain_registry', 'allowedposttags', 'allowedtags', 'allowedentitynames', 'allowedxmlentitynames', 'wp_post_statuses', 'wp_post_types', 'wp_taxonomies', 'wp_meta_keys', 'required_php_version', 'required_mysql_version', 'wp_local_package', 'wp_scripts', 'wp_styles', 'pagenow', 'is_apache', 'is_IIS', 'is_iis7', 'is_nginx', 'wp_registered_sidebars', 'wp_registered_widgets', 'wp_theme_directories', 'wp_json_encode' ) as $name ) {
			global $$name;
		}
		require ABSPATH . 'wp-settings.php';
		error_reporting( $level );
	}

	/** Drops the database and stops the sandbox. */
	public static function shutdown() {
		self::stop_sandbox();
		if ( '' === self::$db ) {
			return;
		}
		try {
			$admin = self::admin();
			$admin->query( 'DROP DATABASE IF EXISTS `' . self::$db . '`' );
			$admin->close();
		} catch ( \Throwable $e ) {
			fwrite( STDERR, 'could not drop ' . self::$db . ': ' . $e->getMessage() . "\n" );
		}
	}

	/**
	 * The sandbox's credentials line (started on first use).
	 *
	 * @return array{base_url:string,write_key:string,webhook_secret:string,webhook_delivery_url:string,organization_id:string,organization_name:string}
	 */
	public static function sandbox() {
		if ( null !== self::$sandbox_info ) {
			return self::$sandbox_info;
		}
		$bin           = getenv( 'SEGMENTFLOW_TEST_BIN' );
		self::$sandbox = proc_open( array( $bin, 'sandbox', '--listen', '127.0.0.1:0' ), array( 0 => array( 'file', '/dev/null', 'r' ), 1 => array( 'pipe', 'w' ), 2 => array( 'file', '/dev/null', 'w' ) ), $pipes );
		$line          = fgets( $pipes[1] );
		$info          = json_decode( (string) $line, true );
		if ( ! is_array( $info ) || empty( $info['base_url'] ) ) {
			throw new \RuntimeException( 'the sandbox did not print its credentials line: ' . var_export( $line, true ) );
		}
		self::$sandbox_info = $info;
		return $info;
	}

	/** Stops the sandbox (SIGTERM) if it runs. */
	public static function stop_sandbox() {
		if ( is_resource( self::$sandbox ) ) {
			proc_terminate( self::$sandbox, 15 );
			proc_close( self::$sandbox );
		}
		self::$sandbox      = null;
		self::$sandbox_info = null;
	}
}
