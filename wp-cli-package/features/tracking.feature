Feature: What the storefront tracking renders for a visitor

  Background:
    Given a WP install
    And a creds.json file:
      """
      {"write_key":"sk_sandbox_20e9b7835df7b4451e4a2d5c286f2c2f","organization_id":"org_sandbox_e4b95c13ef16","organization_name":"Sandbox Store"}
      """

  Scenario: Not connected: nothing is rendered
    When I run `wp segmentflow tracking snippet`
    Then STDOUT should be empty
    And STDERR should contain:
      """
      Warning: the site is not connected to Segmentflow: the plugin renders no tracking
      """

  Scenario: An anonymous visitor
    When I run `wp segmentflow connect --from-file=creds.json`
    And I run `wp segmentflow tracking snippet`
    Then STDOUT should contain:
      """
      <script src="https://cdn.cloud.segmentflow.ai/v1/sdk.js?ver=2.4.0" id="segmentflow-sdk-js"></script>
      <script id="segmentflow-sdk-js-after">
      /* Segmentflow Connect v2.4.0 */
      """
    And STDOUT should contain:
      """
      writeKey: "sk_sandbox_20e9b7835df7b4451e4a2d5c286f2c2f",
      """

  Scenario: A logged-in customer who accepted analytics only
    When I run `wp segmentflow connect --from-file=creds.json`
    And I run `wp segmentflow tracking snippet --user=1 --consent='{"a":1,"m":0}' --anonymous-id=0190a8e4-1c2b-7def-8123-456789abcdef --format=json`
    Then STDOUT should be JSON containing:
      """
      {"config":{"wpContext":{"userId":"wp_1","anonymousId":"0190a8e4-1c2b-7def-8123-456789abcdef"}}}
      """

  Scenario: Bad input
    When I try `wp segmentflow tracking snippet --consent=yes`
    Then the return code should be 1
    And STDERR should contain:
      """
      is not JSON (expected e.g. '{"a":1,"m":0}')
      """
    When I try `wp segmentflow tracking snippet --user=999`
    Then the return code should be 1
    And STDERR should contain:
      """
      no user with id 999
      """
