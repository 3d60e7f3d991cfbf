Feature: The ten Segmentflow WooCommerce webhooks

  Scenario: Without WooCommerce there is no webhook table
    Given a WP install
    When I try `wp segmentflow webhooks list`
    Then the return code should be 1
    And STDERR should contain:
      """
      the wp_wc_webhooks table does not exist: WooCommerce is not installed on this site
      """
    When I run `wp segmentflow webhooks remove`
    Then STDOUT should be:
      """
      Success: No wp_wc_webhooks table (WooCommerce is not installed): no webhooks to remove.
      """

  Scenario: Register, inspect, break, repair and remove with WooCommerce
    Given a WP install
    And I run `wp plugin install woocommerce --activate`
    And I launch in the background `segmentflow-wpcli sandbox --listen=127.0.0.1:8792 --seed=7`
    And a creds.json file:
      """
      {"write_key":"sk_sandbox_20e9b7835df7b4451e4a2d5c286f2c2f","organization_id":"org_sandbox_e4b95c13ef16","organization_name":"Sandbox Store","webhook_secret":"whsec_sandbox_ce080642aac75d83faac4ec8bf78d08e95cf98c1","webhook_delivery_url":"http://127.0.0.1:8792/webhooks/woocommerce/org_sandbox_e4b95c13ef16"}
      """
    And I run `wp segmentflow settings set api_host http://127.0.0.1:8792`

    When I run `wp segmentflow connect --from-file=creds.json`
    Then STDOUT should contain:
      """
      as woocommerce; webhooks: 10 created, 0 updated, 0 deleted.
      """

    When I run `wp segmentflow webhooks list --format=count`
    Then STDOUT should be:
      """
      10
      """
    When I run `wp segmentflow webhooks list --fields=topic,status,health --format=csv`
    Then STDOUT should be:
      """
      topic,status,health
      order.created,active,ok
      order.updated,active,ok
      order.deleted,active,ok
      order.restored,active,ok
      customer.created,active,ok
      customer.updated,active,ok
      customer.deleted,active,ok
      product.created,active,ok
      product.updated,active,ok
      product.deleted,active,ok
      """
    And STDOUT should not contain:
      """
      whsec_sandbox
      """

    # WooCommerce itself pauses one; register re-activates it through WC_Webhook.
    When I run `wp wc webhook list --user=1 --field=id --search="Segmentflow: order.created"`
    Then save STDOUT as {HOOK_ID}
    When I run `wp wc webhook update {HOOK_ID} --status=paused --user=1`
    And I run `wp segmentflow webhooks list --fields=topic,status,health --format=csv`
    Then STDOUT should contain:
      """
      order.created,paused,paused
      """
    When I run `wp segmentflow webhooks register`
    Then STDOUT should be:
      """
      Success: Webhooks: 0 created, 1 updated, 0 deleted.
      """
    When I run `wp segmentflow webhooks list --fields=topic,status --format=csv`
    Then STDOUT should contain:
      """
      order.created,active
      """

    When I run `wp segmentflow webhooks remove`
    Then STDOUT should be:
      """
      Success: Webhooks: 0 created, 0 updated, 10 deleted.
      """
    When I run `wp segmentflow webhooks list --fields=topic,status,health --format=csv`
    Then STDOUT should contain:
      """
      order.created,missing,missing
      """

  Scenario: The plan carries secrets, so it is never shown on a terminal
    Given a WP install
    When I try `segmentflow-wpcli --path={RUN_DIR} webhooks plan --format=table`
    Then the return code should be 2
