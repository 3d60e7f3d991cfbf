Feature: Send the store to Segmentflow

  Background:
    Given a WP install
    And I launch in the background `segmentflow-wpcli sandbox --listen=127.0.0.1:8794 --seed=7`
    And a creds.json file:
      """
      {"write_key":"sk_sandbox_20e9b7835df7b4451e4a2d5c286f2c2f","organization_id":"org_sandbox_e4b95c13ef16","organization_name":"Sandbox Store"}
      """
    And I run `wp segmentflow settings set api_host http://127.0.0.1:8794`
    And I run `wp segmentflow connect --from-file=creds.json`

  Scenario: A WordPress-only site sends its users, and a rerun sends nothing
    When I run `wp segmentflow sync --resources=users`
    Then STDOUT should contain:
      """
      resource	sent	unchanged	failed	retried
      """

  Scenario: WP-CLI checks --format against the documented choices
    When I try `wp segmentflow sync --format=csv`
    Then the return code should be 1
    And STDERR should contain:
      """
      Invalid value specified for 'format'
      """

  Scenario: The binary's own usage errors keep exit code 2
    When I try `wp segmentflow sync --resources=coupons`
    Then the return code should be 2
    And STDERR should contain:
      """
      unknown resource 'coupons' in --resources (possible values: orders, customers, products, users)
      """

  Scenario: --network needs a multisite
    When I try `wp segmentflow sync --network`
    Then the return code should be 1
    And STDERR should contain:
      """
      Error: This is not a multisite installation.
      """
