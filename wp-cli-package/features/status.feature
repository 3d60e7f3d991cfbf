Feature: Show the Segmentflow connection state

  Background:
    Given a WP install

  Scenario: A site that was never connected
    When I run `wp segmentflow status --format=json --fields=connected,tracking,consent_required,debug_mode,api_host`
    Then STDOUT should be JSON containing:
      """
      {"connected":false,"tracking":false,"consent_required":false,"debug_mode":false,"api_host":"https://api.segmentflow.ai"}
      """

  Scenario: Field/Value table, one row per field
    When I run `wp segmentflow status --fields=connected,webhooks`
    Then STDOUT should be a table containing rows:
      | Field     | Value                      |
      | connected | false                      |
      | webhooks  | WooCommerce tables missing |

  Scenario: Formats the command does not have are refused
    When I try `wp segmentflow status --format=ids`
    Then the return code should be 1
    And STDERR should contain:
      """
      Invalid value specified for 'format'
      """
    When I try `segmentflow-wpcli --path={RUN_DIR} status --format=ids`
    Then the return code should be 2
    And STDERR should contain:
      """
      invalid value 'ids' for '--format' of 'status' (possible values: table, json, csv, yaml)
      """
