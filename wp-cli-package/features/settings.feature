Feature: List, read and change Segmentflow settings

  Background:
    Given a WP install

  Scenario: Defaults
    When I run `wp segmentflow settings list --format=csv`
    Then STDOUT should be:
      """
      name,value,default,is_set
      debug_mode,off,off,false
      consent_required,off,off,false
      api_host,https://api.segmentflow.ai,https://api.segmentflow.ai,false
      app_host,https://dashboard.segmentflow.ai,https://dashboard.segmentflow.ai,false
      wc_enabled,on,on,false
      """

  Scenario: Set a switch, and WordPress sees it
    When I run `wp segmentflow settings set debug_mode on`
    Then STDOUT should be:
      """
      Success: debug_mode is now on.
      """
    When I run `wp segmentflow settings get debug_mode`
    Then STDOUT should be:
      """
      on
      """
    When I run `wp option get segmentflow_debug_mode`
    Then STDOUT should be:
      """
      1
      """
    When I run `wp segmentflow settings set debug_mode yes`
    Then STDOUT should be:
      """
      Success: debug_mode is already on.
      """

  Scenario: Invalid values are refused
    When I try `wp segmentflow settings set debug_mode maybe`
    Then the return code should be 1
    And STDERR should contain:
      """
      Error: debug_mode: "maybe" is not a boolean; use one of: on, off, true, false, yes, no, 1, 0
      """
    When I try `wp segmentflow settings set api_host http://example.com`
    Then the return code should be 1
    And STDERR should contain:
      """
      uses plain http:// to "example.com"
      """
    When I try `wp segmentflow settings get write_key`
    Then the return code should be 2
    And STDERR should contain:
      """
      unknown setting 'write_key'; valid settings: debug_mode, consent_required, api_host, app_host, wc_enabled
      """
