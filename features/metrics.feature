Feature: The four KMSKey* CloudWatch metrics
  "Amazon Kinesis Data Firehose provides the following four CloudWatch metrics that you can use to
  track the four AWS KMS exceptions: KMSKeyAccessDenied, KMSKeyDisabled, KMSKeyInvalidState,
  KMSKeyNotFound" (SEED). "The AWS/Firehose namespace includes the following metrics that are
  related to SSE." "To filter metrics by delivery stream, use the DeliveryStreamName dimension."
  (DG-MON). Scenarios read only what the implementation itself published (AMB-16: Sum over
  5-minute periods; absent data counts as 0).

  Background:
    Given a symmetric customer managed key "K"
    And a DirectPut delivery stream "S"
    And encryption is enabled on "S" with key "K"
    And 6 seconds pass

  # MET-01..07: each KMS failure met while delivering is counted under its own metric (section
  # 1.9 crosswalk). A pending-deletion key may raise DisabledException or KMSInvalidStateException
  # in KMS (AMB-13), so either metric is accepted for it.
  @MET-01 @MET-02 @MET-07
  Scenario Outline: A KMS failure while delivering is counted (<metric>)
    When I put 3 records to "S" with PutRecordBatch
    And <failure>
    Then metric <metric> of "S" eventually counts at least 1 in namespace "AWS/Firehose" with unit "Count"
    And ListMetrics lists <metric> for "S" in namespace "AWS/Firehose" with dimension "DeliveryStreamName"

    @MET-04
    Examples: Disabled
      | failure             | metric             |
      | key "K" is disabled | "KMSKeyDisabled"   |

    @MET-03
    Examples: Access denied
      | failure                                             | metric               |
      | the key policy of "K" denies Firehose "kms:Decrypt" | "KMSKeyAccessDenied" |

    @MET-05
    Examples: Invalid state
      | failure                           | metric                                   |
      | key "K" is scheduled for deletion | "KMSKeyInvalidState" or "KMSKeyDisabled" |

    @MET-06 @needs-key-deletion
    Examples: Not found
      | failure            | metric           |
      | key "K" is deleted | "KMSKeyNotFound" |

  # MET-03..06 count per stream: another stream's failures do not show under this one's dimension.
  @MET-07 @MET-04
  Scenario: The metric is per delivery stream
    Given a DirectPut delivery stream "T"
    When I put 3 records to "S" with PutRecordBatch
    And key "K" is disabled
    Then metric "KMSKeyDisabled" of "S" eventually counts at least 1 in namespace "AWS/Firehose" with unit "Count"
    And metric "KMSKeyDisabled" of "T" counts nothing

  # MET-08: "pushed to CloudWatch every five minutes. Metrics are archived for two weeks" (DG-MON).
  @MET-08 @needs-clock
  Scenario: A data point appears within five minutes of the failure and is kept two weeks
    When I put 3 records to "S" with PutRecordBatch
    And key "K" is disabled
    And the buffering interval of "S" passes
    Then metric "KMSKeyDisabled" of "S" counts at least 1 within 5 minutes
    When 13 days pass
    Then metric "KMSKeyDisabled" of "S" still counts at least 1 over the last 14 days

  # MET-09: CloudWatch's own rules for the query.
  @MET-09
  Scenario Outline: CloudWatch rejects a query outside its constraints (<problem>)
    When I query metric "KMSKeyDisabled" of "S" with <problem>
    Then the call fails with one of "InvalidParameterValue, InvalidParameterCombination, ValidationError, ValidationException"

    Examples:
      | problem                     |
      | a period of 61 seconds      |
      | the statistic "Median"      |
      | the unit "Bananas"          |
      | a 1025-character dimension value |
