Feature: KMS grants for customer managed keys
  "Firehose invokes the Amazon KMS operation CreateGrant to create a grant that allows the
  Firehose service to use the customer managed CMK to perform encryption and decryption. Firehose
  manages that grant." (BC-FH DeliveryStreamEncryptionConfigurationInput.KeyType)
  The grant's exact contents are not specified (AMB-29): scenarios look only at whether a grant
  exists on the key. Grants are eventually consistent ("there might be a brief delay, usually less
  than five minutes, until the grant is available throughout KMS", BC-KMS CreateGrant): a grant's
  appearance and its retirement are polled for within the target's KMS bound, and a retirement is
  checked only on a key the scenario saw holding a grant.

  Background:
    Given a symmetric customer managed key "K"
    And a DirectPut delivery stream "S"

  @GRT-01
  Scenario: Enabling SSE with a customer managed key creates a grant on it
    Given key "K" has no grants
    When I start encryption on "S" with key "K"
    Then the encryption status of "S" becomes "ENABLED"
    And key "K" has a grant

  @GRT-01
  Scenario: Creating a stream with a customer managed key creates a grant on it
    When I create a DirectPut delivery stream "E" with encryption using key "K"
    Then the delivery stream "E" becomes "ACTIVE"
    And key "K" has a grant

  # GRT-02: "Firehose schedules the grant it had on the old CMK for retirement." (eventually)
  @GRT-02 @GRT-01
  Scenario: Changing the key retires the grant on the old key
    Given a symmetric customer managed key "K2"
    And encryption is enabled on "S" with key "K"
    And key "K" has a grant
    When I start encryption on "S" with key "K2"
    Then the encryption status of "S" becomes "ENABLED"
    # checks: GRT-01
    And key "K2" has a grant
    # checks: GRT-02
    And key "K" eventually has no grants

  # GRT-03: "Firehose schedules the related KMS grant for retirement and then retires it after it
  # ensures that it is finished delivering records to the destination."
  @GRT-03
  Scenario: Stopping retires the grant, after the records already put are delivered
    Given encryption is enabled on "S" with key "K"
    And 6 seconds pass
    # Without a grant to begin with, "no grants in the end" would prove nothing.
    And key "K" has a grant
    When I put 3 records to "S" with PutRecordBatch
    And I stop encryption on "S"
    Then the encryption status of "S" becomes "DISABLED"
    And the destination of "S" eventually holds every record put to "S"
    And key "K" eventually has no grants

  @GRT-03 @needs-clock
  Scenario: The grant outlives Stop while records encrypted under it wait for delivery
    Given a DirectPut delivery stream "B" that buffers records for 300 seconds
    And encryption is enabled on "B" with key "K"
    And 6 seconds pass
    When I put 3 records to "B" with PutRecordBatch
    And I stop encryption on "B"
    Then the encryption status of "B" becomes "DISABLED"
    And the destination of "B" holds none of the records put to "B"
    And key "K" still has a grant
    When 300 seconds pass
    Then the destination of "B" eventually holds every record put to "B"
    And key "K" eventually has no grants

  # GRT-04 is an obligation on the caller; what the service does with old credentials is an
  # inference: grant creation fails (ENABLING_FAILED with CREATE_KMS_GRANT_FAILED) or succeeds.
  # stance: GRT-04: a failure shows as ENABLING_FAILED with CREATE_KMS_GRANT_FAILED.
  @GRT-04 @needs-aged-credentials
  Scenario: Start with session credentials older than 6 hours either works or fails on the grant
    Given session credentials older than 6 hours
    When I start encryption on "S" with key "K" using those credentials
    Then the encryption status of "S" becomes "ENABLED" or becomes "ENABLING_FAILED" with failure type "CREATE_KMS_GRANT_FAILED"

  # GRT-05: "Set this to true if you want to delete the Firehose stream even if Firehose is unable
  # to retire the grant for the CMK". A key that no longer exists is a customer-side cause. A
  # stream deleted at once anyway needed neither: the scenario is then not applicable.
  @GRT-05 @SSE-18 @needs-key-deletion
  Scenario: A stream whose grant cannot be retired can be force-deleted
    Given encryption is enabled on "S" with key "K"
    And key "K" is deleted
    When I delete the delivery stream "S"
    Then the delivery stream "S" is eventually gone, or "DELETING_FAILED" and then gone after I delete it with AllowForceDelete

  @GRT-05
  Scenario: Delete accepts AllowForceDelete
    Given encryption is enabled on "S" with key "K"
    When I delete the delivery stream "S" with AllowForceDelete
    Then the call succeeds
    And the delivery stream "S" is eventually gone

  @GRT-05 @needs-key-deletion
  Scenario: A stream whose grant cannot be retired is deleted at once with AllowForceDelete
    Given encryption is enabled on "S" with key "K"
    And key "K" is deleted
    When I delete the delivery stream "S" with AllowForceDelete
    Then the call succeeds
    And the delivery stream "S" is eventually gone

  @GRT-05
  Scenario: Deleting a stream retires its grant
    Given encryption is enabled on "S" with key "K"
    And key "K" has a grant
    When I delete the delivery stream "S"
    Then the call succeeds
    And the delivery stream "S" is eventually gone
    And key "K" eventually has no grants

  @GRT-03
  Scenario: Enabling the same key again, then stopping, leaves no grant behind
    Given encryption is enabled on "S" with key "K"
    And key "K" has a grant
    When I start encryption on "S" with key "K"
    Then the encryption status of "S" becomes "ENABLED"
    When I stop encryption on "S"
    Then the encryption status of "S" becomes "DISABLED"
    And key "K" eventually has no grants
