Feature: The four KMSKey* CloudWatch metrics
  "Amazon Kinesis Data Firehose provides the following four CloudWatch metrics that you can use to
  track the four AWS KMS exceptions: KMSKeyAccessDenied, KMSKeyDisabled, KMSKeyInvalidState,
  KMSKeyNotFound" (SEED). "The AWS/Firehose namespace includes the following metrics that are
  related to SSE." "To filter metrics by delivery stream, use the DeliveryStreamName dimension."
  (DG-MON). Scenarios read only what the implementation itself published, and wait for it within
  the target's metric bound (DG-MON: metrics are "pushed to CloudWatch every five minutes").

  Background:
    Given a symmetric customer managed key "K"
    And a DirectPut delivery stream "S"

  Rule: A KMS failure met while delivering is counted under its own metric

    # MET-01..07: each KMS failure met while delivering is counted under its own metric. A key
    # pending deletion may raise DisabledException or KMSInvalidStateException in KMS (AMB-13),
    # so either metric is accepted for it, and only the requirement of the one counted is
    # observed. A key policy Deny names every principal: which one Firehose uses is AMB-29.
    # stance: AMB-13: a key pending deletion is counted as KMSKeyInvalidState or KMSKeyDisabled.
    # stance: AMB-16: a count is the Sum over 5-minute periods; absent data counts as 0.
    @MET-01 @MET-02 @MET-07
    Scenario Outline: A KMS failure while delivering is counted (<metric>)
      Given encryption is enabled on "S" with key "K"
      And 6 seconds pass
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
        | failure                                                    | metric               |
        | the key policy of "K" denies every principal "kms:Decrypt" | "KMSKeyAccessDenied" |

      @MET-04 @MET-05
      Examples: Pending deletion
        | failure                           | metric                                   |
        | key "K" is scheduled for deletion | "KMSKeyInvalidState" or "KMSKeyDisabled" |

      @MET-06 @needs-key-deletion
      Examples: Not found
        | failure            | metric           |
        | key "K" is deleted | "KMSKeyNotFound" |

    # MET-05: a key whose imported material is deleted is PendingImport, and KMS answers its
    # cryptographic use with KMSInvalidStateException in that state (KMS-DG, key states); so a
    # stream encrypting with it meets that exception and nothing else. A target whose KMS cannot
    # import key material leaves this scenario not applicable, saying so.
    @MET-01 @MET-02 @MET-05 @MET-07
    Scenario: A key pending import is counted as KMSKeyInvalidState
      Given a customer managed key "M" with imported key material
      And encryption is enabled on "S" with key "M"
      And 6 seconds pass
      When I put 3 records to "S" with PutRecordBatch
      And the imported key material of "M" is deleted
      Then metric "KMSKeyInvalidState" of "S" eventually counts at least 1 in namespace "AWS/Firehose" with unit "Count"
      And ListMetrics lists "KMSKeyInvalidState" for "S" in namespace "AWS/Firehose" with dimension "DeliveryStreamName"

    # MET-03..06 count per stream: another stream's failures do not show under this one's
    # dimension.
    @MET-07 @MET-04
    Scenario: The metric is per delivery stream
      Given encryption is enabled on "S" with key "K"
      And 6 seconds pass
      And a DirectPut delivery stream "T"
      When I put 3 records to "S" with PutRecordBatch
      And key "K" is disabled
      Then metric "KMSKeyDisabled" of "S" eventually counts at least 1 in namespace "AWS/Firehose" with unit "Count"
      And metric "KMSKeyDisabled" of "T" counts nothing

    # MET-08: "pushed to CloudWatch every five minutes. Metrics are archived for two weeks"
    # (DG-MON).
    @MET-08 @needs-clock
    Scenario: A data point appears within five minutes of the failure and is kept two weeks
      Given encryption is enabled on "S" with key "K"
      And 6 seconds pass
      When I put 3 records to "S" with PutRecordBatch
      And key "K" is disabled
      And the buffering interval of "S" passes
      Then metric "KMSKeyDisabled" of "S" counts at least 1 within 5 minutes
      When 13 days pass
      Then metric "KMSKeyDisabled" of "S" still counts at least 1 over the last 14 days

  Rule: CloudWatch's own rules for a query

    # MET-09: CloudWatch's constraints, whatever Firehose does (no SSE needed).
    @MET-09
    Scenario Outline: CloudWatch rejects a query outside its constraints (<problem>)
      When I query metric "KMSKeyDisabled" of "S" with <problem>
      Then the call fails with one of "InvalidParameterValue, InvalidParameterCombination, ValidationError, ValidationException"

      Examples:
        | problem                          |
        | a period of 61 seconds           |
        | the statistic "Median"           |
        | the unit "Bananas"               |
        | a 1025-character dimension value |
