Feature: KMS failures with a customer managed key: a 24-hour wait, then discard
  "When the CMK is of type CUSTOMER_MANAGED_CMK, if the Amazon Kinesis Data Firehose service is
  unable to decrypt records because of a KMSNotFoundException, a KMSInvalidStateException, a
  KMSDisabledException, or a KMSAccessDeniedException, the service waits up to 24 hours (the
  retention period) for you to resolve the problem. If the problem persists beyond the retention
  period, the service skips those records that have passed the retention period and couldn't be
  decrypted, and then discards the data." (SEED)
  The 24 hours are measured from each record's ingestion (AMB-14; BC-FH PutRecord: "stored for 24
  hours from the time they are added"). These scenarios need a controllable clock. A key policy
  Deny names every principal: which one Firehose calls KMS as is not documented (AMB-29).

  Background:
    Given a symmetric customer managed key "K"
    And a DirectPut delivery stream "S"
    And encryption is enabled on "S" with key "K"
    And 6 seconds pass

  # RET-01 across the failures that can be fixed (a deleted key cannot come back).
  # stance: AMB-14: the 24 hours run from each record's ingestion.
  @RET-01 @RET-05 @needs-clock
  Scenario Outline: Records wait while the key cannot be used, and arrive once it is fixed (<failure>)
    When I put 3 records to "S" with PutRecordBatch
    And <failure>
    And 23 hours pass
    Then the destination of "S" holds none of the records put to "S"
    When <fix>
    Then the destination of "S" eventually holds every record put to "S"

    Examples:
      | failure                                                    | fix                                               |
      | key "K" is disabled                                        | key "K" is enabled                                |
      | key "K" is scheduled for deletion                          | key "K" deletion is cancelled and the key enabled |
      | the key policy of "K" denies every principal "kms:Decrypt" | the key policy of "K" is restored                 |

  @RET-02 @needs-clock
  Scenario Outline: Records past the retention period are discarded, even once the key is fixed (<failure>)
    When I put 3 records to "S" with PutRecordBatch
    And <failure>
    And 25 hours pass
    And <fix>
    And 1 hour passes
    Then the destination of "S" holds none of the records put to "S"

    Examples:
      | failure                                                    | fix                               |
      | key "K" is disabled                                        | key "K" is enabled                |
      | the key policy of "K" denies every principal "kms:Decrypt" | the key policy of "K" is restored |

  # RET-03: per record ("skips those records that have passed the retention period"). Records of
  # different ages must wait side by side, and a broken key refuses new puts (PUT-02), so the
  # older batch first waits on an unreachable destination (RET-04 holds it); then the key breaks,
  # so that from then on neither batch can be decrypted. When the key is fixed, the older batch
  # is past the 24 hours and the younger one is not.
  # stance: AMB-14: the 24 hours run from each record's ingestion.
  @RET-03 @RET-02 @needs-clock
  Scenario: Only the records past the retention period are discarded
    Given the destination bucket of "S" is deleted
    When I put 2 records to "S" with PutRecordBatch as batch "old"
    And 12 hours pass
    And I put 2 records to "S" with PutRecordBatch as batch "young"
    And key "K" is disabled
    And the destination bucket of "S" is created again
    And 13 hours pass
    And key "K" is enabled
    Then the destination of "S" eventually holds every record of batch "young"
    And the destination of "S" holds none of the records of batch "old"

  # RET-04: "If the destination is unreachable for more than 24 hours, the data is no longer
  # available." (BC-FH PutRecord)
  @RET-04 @needs-clock
  Scenario: Direct PUT records are kept 24 hours when the destination is unreachable, then lost
    Given the destination bucket of "S" is deleted
    When I put 2 records to "S" with PutRecordBatch as batch "old"
    And 12 hours pass
    And I put 2 records to "S" with PutRecordBatch as batch "young"
    And 13 hours pass
    And the destination bucket of "S" is created again
    Then the destination of "S" eventually holds every record of batch "young"
    And the destination of "S" holds none of the records of batch "old"

  # RET-05: puts after the key broke are refused (PUT-02); those accepted before are held (RET-01).
  # KMS is eventually consistent, so puts go on until one is refused; every record the stream
  # accepted, before the key broke or while the change was reaching Firehose, is then held.
  @RET-05 @needs-clock
  Scenario: Records accepted before the key broke are held; puts after it are refused
    When I put 2 records to "S" with PutRecordBatch as batch "before"
    And key "K" is disabled
    And I keep putting 2 records to "S" with PutRecordBatch until a put is refused
    Then the call fails with "InvalidKMSResourceException"
    When 2 hours pass
    And key "K" is enabled
    Then the destination of "S" eventually holds every record put to "S"
