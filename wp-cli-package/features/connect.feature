Feature: Connect and disconnect a site

  Background:
    Given a WP install
    And I launch in the background `segmentflow-wpcli sandbox --listen=127.0.0.1:8791 --seed=7`
    And a creds.json file:
      """
      {"write_key":"sk_sandbox_20e9b7835df7b4451e4a2d5c286f2c2f","organization_id":"org_sandbox_e4b95c13ef16","organization_name":"Sandbox Store","webhook_secret":"whsec_sandbox_ce080642aac75d83faac4ec8bf78d08e95cf98c1","webhook_delivery_url":"http://127.0.0.1:8791/webhooks/woocommerce/org_sandbox_e4b95c13ef16"}
      """
    And I run `wp segmentflow settings set api_host http://127.0.0.1:8791`

  Scenario: Non-interactive connect from a file, then status
    When I run `wp segmentflow connect --from-file=creds.json --porcelain`
    Then STDOUT should be:
      """
      org_sandbox_e4b95c13ef16
      """
    When I run `wp segmentflow status --format=json --fields=connected,organization_name,organization_id,platform`
    Then STDOUT should be JSON containing:
      """
      {"connected":true,"organization_name":"Sandbox Store","organization_id":"org_sandbox_e4b95c13ef16","platform":"wordpress"}
      """
    When I run `wp segmentflow status --fields=write_key`
    Then STDOUT should contain:
      """
      2c2f
      """
    And STDOUT should not contain:
      """
      20e9b7835df7b4451e4a2d5c286f2c2f
      """

  Scenario: Credentials on stdin
    When I run `cat creds.json | wp segmentflow connect --stdin`
    Then STDOUT should contain:
      """
      Success: Connected to Segmentflow organization Sandbox Store (org_sandbox_e4b95c13ef16) as wordpress
      """

  Scenario: Interactive connect with the sandbox's poll token
    When I run `wp segmentflow connect --poll-token=pt_sandbox_2641602dfb126bec2773253789f0fc3d --poll-interval-ms=50 --timeout=10`
    Then STDERR should contain:
      """
      Approve the connection in the Segmentflow dashboard: https://dashboard.segmentflow.ai/connect/wordpress?site_url=
      """
    And STDOUT should contain:
      """
      Success: Connected to Segmentflow organization
      """

  Scenario: Disconnect, twice
    When I run `wp segmentflow connect --from-file=creds.json --porcelain`
    And I run `wp segmentflow disconnect --yes`
    Then STDOUT should be:
      """
      Success: Disconnected from Segmentflow (0 webhook(s) removed).
      """
    When I try `wp option get segmentflow_write_key`
    Then the return code should be 1
    When I run `wp segmentflow disconnect --yes`
    Then STDOUT should be:
      """
      Success: The site is not connected to Segmentflow; nothing to do.
      """

  Scenario: Disconnect with the API down is only a warning
    When I run `wp segmentflow connect --from-file=creds.json --porcelain`
    And I run `wp segmentflow settings set api_host http://127.0.0.1:1`
    And I run `wp segmentflow disconnect --yes`
    Then STDERR should contain:
      """
      Warning: could not notify Segmentflow
      """
    And STDOUT should contain:
      """
      Success: Disconnected from Segmentflow
      """
