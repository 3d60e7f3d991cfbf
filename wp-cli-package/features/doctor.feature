Feature: Check the installation

  Scenario: A plain site passes offline
    Given a WP install
    When I run `wp segmentflow doctor --offline`
    Then STDOUT should be a table containing rows:
      | check    | status | detail            |
      | api      | skip   | not connected     |
      | webhooks | skip   | WooCommerce is not installed |
      | hpos     | skip   | WooCommerce is not active |
    And STDOUT should contain:
      """
      Success: All checks passed.
      """

  Scenario: The API check uses the stored write key
    Given a WP install
    And I launch in the background `segmentflow-wpcli sandbox --listen=127.0.0.1:8793 --seed=7`
    And a creds.json file:
      """
      {"write_key":"sk_sandbox_20e9b7835df7b4451e4a2d5c286f2c2f","organization_id":"org_sandbox_e4b95c13ef16","organization_name":"Sandbox Store"}
      """
    And I run `wp segmentflow settings set api_host http://127.0.0.1:8793`
    And I run `wp segmentflow connect --from-file=creds.json`

    When I run `wp segmentflow doctor --format=csv --fields=check,status`
    Then STDOUT should be:
      """
      check,status
      binary,pass
      database,pass
      options,pass
      api,pass
      webhooks,skip
      hpos,skip
      clock,pass
      """

    When I run `wp option update segmentflow_write_key sk_sandbox_not_known_0000000000`
    And I try `wp segmentflow doctor`
    Then the return code should be 1
    And STDOUT should contain:
      """
      rejects the stored connection (HTTP 401: invalid write key)
      """
    And STDERR should contain:
      """
      Error: 1 of 7 checks failed: api.
      """

  Scenario: An unreachable database is a failed check
    Given a WP install
    And I run `wp config set DB_HOST 127.0.0.1:1`
    When I try `wp segmentflow doctor --format=csv --fields=check,status`
    Then the return code should be 1
    And STDOUT should contain:
      """
      database,fail
      """
