Feature: The Encrypted flag, and puts when KMS refuses
  "To find out whether a record or a batch of records was encrypted, check the response elements
  PutRecordOutput$Encrypted and PutRecordBatchOutput$Encrypted" (BC-FH StartDeliveryStreamEncryption).
  "Firehose throws this exception when an attempt to put records ... fails. This happens when the
  KMS service throws one of the following exception types: AccessDeniedException,
  InvalidStateException, DisabledException, or NotFoundException." (BC-FH InvalidKMSResourceException)

  Background:
    Given a symmetric customer managed key "K"
    And a DirectPut delivery stream "S"

  # PUT-01 with AMB-23: without SSE the flag may be false or left out; with SSE it must be true.
  # stance: AMB-23: without SSE, Encrypted is false or left out.
  @PUT-01
  Scenario Outline: Without SSE the puts are not reported encrypted (<operation>)
    When I put 3 records to "S" with <operation>
    Then every put to "S" succeeded
    And every put to "S" reports Encrypted false

    Examples:
      | operation      |
      | PutRecord      |
      | PutRecordBatch |

  # PUT-02 across the four KMS failures the exception's documentation names (AccessDenied,
  # InvalidState, Disabled, NotFound). The failure is caused after encryption was enabled, so the
  # put is what meets it. KMS is eventually consistent ("The KMS API follows an eventual
  # consistency model", BC-KMS DisableKey; grants: "usually less than five minutes", BC-KMS
  # RevokeGrant): puts go on until one is refused or the target's KMS bound passes, and the
  # records accepted meanwhile count as put. A revoked grant stops Firehose (EV-MOJ: "The grant
  # for the CMK to this delivery stream might have been revoked").
  @PUT-02
  Scenario Outline: A put fails with InvalidKMSResourceException when KMS refuses (<failure>, <operation>)
    Given encryption is enabled on "S" with key "K"
    And 6 seconds pass
    When <failure>
    And I keep putting 2 records to "S" with <operation> until a put is refused
    Then the call fails with "InvalidKMSResourceException"

    Examples:
      | failure                                                         | operation      |
      | key "K" is disabled                                             | PutRecord      |
      | key "K" is disabled                                             | PutRecordBatch |
      | key "K" is scheduled for deletion                               | PutRecord      |
      | key "K" is scheduled for deletion                               | PutRecordBatch |
      | the key policy of "K" denies every principal the use of the key | PutRecord      |
      | the key policy of "K" denies every principal the use of the key | PutRecordBatch |
      | every grant on key "K" is revoked                               | PutRecord      |

  @PUT-02 @needs-key-deletion
  Scenario Outline: A put fails with InvalidKMSResourceException when the key no longer exists (<operation>)
    Given encryption is enabled on "S" with key "K"
    And 6 seconds pass
    When key "K" is deleted
    And I keep putting 2 records to "S" with <operation> until a put is refused
    Then the call fails with "InvalidKMSResourceException"

    Examples:
      | operation      |
      | PutRecord      |
      | PutRecordBatch |

  # PUT-03 (2026 notice): callers of puts on new SSE-CMK streams need kms:GenerateDataKey and
  # kms:Decrypt. The error code is open (AMB-25).
  # stance: AMB-25: AccessDeniedException or InvalidKMSResourceException.
  @PUT-03 @needs-iam
  Scenario: A caller without KMS permissions cannot put to a new SSE-CMK stream
    Given encryption is enabled on "S" with key "K"
    And a caller without KMS permissions on key "K"
    When that caller puts 1 record to "S" with PutRecord
    Then the call fails with one of "AccessDeniedException, InvalidKMSResourceException"

  # PUT-04: "Attempts to send data to a delivery stream that is not in the ACTIVE state cause an
  # exception." The code is not stated; any error answer satisfies it.
  @PUT-04 @needs-clock
  Scenario Outline: Puts to a stream that is still CREATING fail (<operation>)
    When I create a DirectPut delivery stream "E" without an encryption input
    Then the delivery stream "E" is "CREATING"
    When I put 1 record to "E" with <operation>
    Then the call fails

    Examples:
      | operation      |
      | PutRecord      |
      | PutRecordBatch |
