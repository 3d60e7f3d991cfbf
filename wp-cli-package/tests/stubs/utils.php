<?php
/**
 * Stand-in for WP_CLI\Utils\get_flag_value(), the one helper the package uses.
 */

namespace WP_CLI\Utils;

function get_flag_value( $assoc_args, $flag, $default = null ) {
	return isset( $assoc_args[ $flag ] ) ? $assoc_args[ $flag ] : $default;
}
