Feature: Starting and stopping server-side encryption, and the encryption status
  "If you send data to your delivery stream using PutRecord or PutRecordBatch ... you can turn on
  server-side encryption by using the StartDeliveryStreamEncryption operation. To stop
  server-side-encryption, use the StopDeliveryStreamEncryption operation. You can also enable SSE
  when you create the delivery stream." (SEED)
  The status machine is that of BC-FH StartDeliveryStreamEncryption / StopDeliveryStreamEncryption
  and DeliveryStreamEncryptionConfiguration.Status (features/state_machines.md, table 1).
  A status read right after Start or Stop may still show the status before it (eventual
  consistency): "is" and "is one of" read again until two reads agree.

  Background:
    Given a symmetric customer managed key "K"
    And a DirectPut delivery stream "S"

  @SSE-01 @API-07
  Scenario: Start returns at once with an empty response
    When I start encryption on "S" with key "K"
    Then the call succeeds with an empty response

  @SSE-07 @API-07
  Scenario: Stop returns at once with an empty response
    Given encryption is enabled on "S" with key "K"
    When I stop encryption on "S"
    Then the call succeeds with an empty response

  # stance: AMB-09: a DirectPut stream that never had SSE shows Status DISABLED. No document says
  # so; real AWS does (EV-SP769, and an AWS-validated LocalStack snapshot); moto shows nothing.
  @SSE-04
  Scenario: A DirectPut stream without SSE shows the status DISABLED
    Then the encryption status of "S" is "DISABLED"

  # SSE-02: "first sets the encryption status of the stream to ENABLING, and then to ENABLED".
  # On a real endpoint ENABLING may be too brief to see, so the first read may already be ENABLED.
  # SSE-15: "to turn on SSE for an existing Firehose stream that doesn't have SSE enabled".
  # SSE-04: every status read is one of the six values; an undocumented one counts against SSE-04.
  @SSE-02 @SSE-04 @SSE-15
  Scenario: Start moves the status through ENABLING to ENABLED
    When I start encryption on "S" with key "K"
    Then the encryption status of "S" is one of "ENABLING, ENABLED"
    And the encryption status of "S" becomes "ENABLED"

  # With a controllable clock the asynchronous work waits for time to pass, so ENABLING must show.
  @SSE-02 @SSE-01 @needs-clock
  Scenario: Start is asynchronous: the status is ENABLING until time passes
    When I start encryption on "S" with key "K"
    Then the encryption status of "S" is "ENABLING"
    When 1 second passes
    Then the encryption status of "S" is one of "ENABLING, ENABLED"
    And the encryption status of "S" becomes "ENABLED"

  @SSE-07 @SSE-04
  Scenario: Stop moves the status through DISABLING to DISABLED
    Given encryption is enabled on "S" with key "K"
    When I stop encryption on "S"
    Then the encryption status of "S" is one of "DISABLING, DISABLED"
    And the encryption status of "S" becomes "DISABLED"

  @SSE-07 @needs-clock
  Scenario: Stop is asynchronous: the status is DISABLING until time passes
    Given encryption is enabled on "S" with key "K"
    When I stop encryption on "S"
    Then the encryption status of "S" is "DISABLING"
    And the encryption status of "S" becomes "DISABLED"

  # stance: AMB-06: Stop on a stream that never had SSE is not documented: a no-op that leaves it
  # DISABLED, or a refusal with InvalidArgumentException or ResourceInUseException. Never a server
  # error, never a status outside the six.
  @SSE-07 @SSE-04
  Scenario: Stop on a stream that never had SSE is a no-op or a clean refusal
    When I stop encryption on "S"
    Then the call succeeds, or fails with one of "InvalidArgumentException, ResourceInUseException"
    And the encryption status of "S" becomes "DISABLED"

  # stance: AMB-05: a Start while the previous one is still ENABLING is refused as in use, or
  # accepted; then the stream settles as the last accepted call asks.
  @SSE-02 @SSE-10 @needs-clock
  Scenario: Start while ENABLING is refused as in use, or the stream settles on the last key asked
    Given a symmetric customer managed key "K2"
    When I start encryption on "S" with key "K"
    Then the encryption status of "S" is "ENABLING"
    When I start encryption on "S" with key "K2"
    Then the call fails with "ResourceInUseException" and "S" settles on key "K", or the call succeeds and "S" settles on key "K2"

  # stance: AMB-07: Start with the key already in effect: a no-op, or a re-run of ENABLING ->
  # ENABLED. Either way encryption ends ENABLED with that key, which keeps a grant (GRT-01:
  # "Firehose manages that grant").
  @SSE-10 @GRT-01
  Scenario: Start with the key already in effect leaves encryption on with it
    Given encryption is enabled on "S" with key "K"
    When I start encryption on "S" with key "K"
    Then the call succeeds
    And the encryption status of "S" becomes "ENABLED"
    And the encryption of "S" uses key "K"
    # checks: GRT-01
    And key "K" has a grant

  # SSE-05: "You can continue to read and write data ... while the encryption status is ENABLING,
  # but the data is not encrypted."
  # stance: AMB-23: data that "is not encrypted" is reported with Encrypted false (or left out).
  @SSE-05 @needs-clock
  Scenario: Writes continue while ENABLING, and they are not encrypted
    When I start encryption on "S" with key "K"
    Then the encryption status of "S" is "ENABLING"
    When I put 2 records to "S" with PutRecord
    And I put 2 records to "S" with PutRecordBatch
    Then every put to "S" succeeded
    And every put to "S" reports Encrypted false

  # SSE-08: writes continue while DISABLING; the Encrypted value then is not stated (AMB-23).
  @SSE-08 @needs-clock
  Scenario: Writes continue while DISABLING
    Given encryption is enabled on "S" with key "K"
    When I stop encryption on "S"
    Then the encryption status of "S" is "DISABLING"
    When I put 2 records to "S" with PutRecord
    And I put 2 records to "S" with PutRecordBatch
    Then every put to "S" succeeded

  # SSE-06: "It can take up to 5 seconds after the encryption status changes to ENABLED before
  # all records written to the Firehose stream are encrypted."
  @SSE-06 @PUT-01 @SRC-09
  Scenario Outline: Records written 5 seconds after ENABLED are encrypted (<operation>, <key>)
    Given encryption is enabled on "S" with <key>
    When 6 seconds pass
    And I put 3 records to "S" with <operation>
    Then every put to "S" reports Encrypted true

    Examples:
      | operation      | key            |
      | PutRecord      | key "K"        |
      | PutRecordBatch | key "K"        |
      | PutRecord      | an AWS owned key |
      | PutRecordBatch | an AWS owned key |

  # SSE-09: "It can take up to 5 seconds after the encryption status changes to DISABLED before
  # all records written ... are no longer subject to encryption."
  @SSE-09 @PUT-01
  Scenario Outline: Records written 5 seconds after DISABLED are not encrypted (<operation>)
    Given encryption is enabled on "S" with key "K"
    When I stop encryption on "S"
    Then the encryption status of "S" becomes "DISABLED"
    When 6 seconds pass
    And I put 3 records to "S" with <operation>
    Then every put to "S" reports Encrypted false

    Examples:
      | operation      |
      | PutRecord      |
      | PutRecordBatch |

  @SSE-10 @SSE-16
  Scenario: The customer managed key can be changed while encryption is enabled
    Given a symmetric customer managed key "K2"
    And encryption is enabled on "S" with key "K"
    When I start encryption on "S" with key "K2"
    Then the call succeeds
    And the encryption status of "S" becomes "ENABLED"
    And the encryption of "S" uses key "K2"

  @SSE-10 @SSE-16
  Scenario Outline: The key type can be changed while encryption is enabled (<from> to <to>)
    Given encryption is enabled on "S" with <from>
    When I start encryption on "S" with <to>
    Then the call succeeds
    And the encryption status of "S" becomes "ENABLED"
    And the encryption of "S" uses <to>

    Examples:
      | from             | to               |
      | key "K"          | an AWS owned key |
      | an AWS owned key | key "K"          |

  # SSE-11: "...and you get ENABLING_FAILED, this only means that the attempt to change the CMK
  # failed. In this case, encryption remains enabled with the old CMK." An asymmetric key makes the
  # change fail. Refusing it at once is also documented (AMB-01 (a)/(b)); then ENABLING_FAILED
  # never arises, and the scenario is not applicable.
  # stance: AMB-08: which key the configuration then shows is open: key K, or key A while key K
  # keeps its grant; puts are reported encrypted (the old key is in effect).
  @SSE-11
  Scenario: A failed key change leaves encryption on with the old key
    Given an asymmetric customer managed key "A" with key spec "RSA_2048" for "ENCRYPT_DECRYPT"
    And encryption is enabled on "S" with key "K"
    When I start encryption on "S" with key "A"
    Then the call fails with one of "InvalidArgumentException, InvalidKMSResourceException" or the encryption status of "S" becomes "ENABLING_FAILED"
    And the encryption of "S" is never "ENABLED" with key "A"
    When 6 seconds pass
    And I put 2 records to "S" with PutRecord
    Then every put to "S" reports Encrypted true
    And the encryption of "S" shows key "K", or key "A" while key "K" keeps its grant

  # SSE-12: "If the encryption status of your Firehose stream is ENABLING_FAILED, you can invoke
  # this operation again with a valid CMK." A target that refuses an unusable key at once never
  # shows ENABLING_FAILED (AMB-01 (a)/(b)): then the scenario is not applicable.
  @SSE-12 @SSE-13
  Scenario: From ENABLING_FAILED, Start with a valid key enables encryption
    Given encryption on "S" has failed to enable
    When I start encryption on "S" with key "K"
    Then the call succeeds
    And the encryption status of "S" becomes "ENABLED"
    # stance: SSE-13: a failure description describes the most recent attempt, so once a later
    # attempt succeeded none is left (no document says when FailureDescription goes away).
    # checks: SSE-13
    And the encryption of "S" has no failure description

  # SSE-13: ENABLING_FAILED / DISABLING_FAILED report the most recent attempt only.
  @SSE-13
  Scenario: The status reports the most recent attempt
    Given encryption on "S" has failed to enable
    And encryption is enabled on "S" with key "K"
    When I stop encryption on "S"
    Then the encryption status of "S" becomes "DISABLED"
    # stance: SSE-13: no failure description is left once a later attempt succeeded.
    And the encryption of "S" has no failure description

  @SSE-14 @SSE-16
  Scenario Outline: A stream created with an encryption input has SSE enabled once ACTIVE (<key>)
    When I create a DirectPut delivery stream "E" with encryption using <key>
    Then the call succeeds
    And the delivery stream "E" becomes "ACTIVE"
    And the encryption status of "E" is "ENABLED"
    And the encryption of "E" uses <key>

    Examples:
      | key              |
      | key "K"          |
      | an AWS owned key |

  @SSE-14
  Scenario: The encryption input of CreateDeliveryStream is optional
    When I create a DirectPut delivery stream "E" without an encryption input
    Then the call succeeds
    And the delivery stream "E" becomes "ACTIVE"

  # SSE-16: KeyARN is present exactly when KeyType is CUSTOMER_MANAGED_CMK.
  @SSE-16 @KEY-05
  Scenario: An AWS owned key shows no key ARN
    Given encryption is enabled on "S" with an AWS owned key
    Then the encryption of "S" uses an AWS owned key

  # SSE-17 / API-06 / AMB-18: the input is optional, and "The default setting is AWS_OWNED_CMK".
  @SSE-17 @API-06
  Scenario: Start without an encryption input enables an AWS owned key
    When I start encryption on "S" without an encryption input
    Then the call succeeds with an empty response
    And the encryption status of "S" becomes "ENABLED"
    And the encryption of "S" uses an AWS owned key

  # SSE-03 / SSE-18 / SSE-19 with AMB-01: an asymmetric key may be refused at once (a, b), or
  # accepted and then fail asynchronously (c). When Start is accepted, the status must end in
  # ENABLING_FAILED with a KMS-related failure description. Refused at once, ENABLING_FAILED never
  # arises and the scenario is not applicable; that it is never ENABLED is KEY-01's check.
  # stance: SSE-19 / AMB-12: the failure type is one of the KMS-related ones (not UNKNOWN_ERROR).
  @SSE-03 @SSE-18 @SSE-19
  Scenario Outline: An enable attempt that fails ends in ENABLING_FAILED with a failure description (<spec>)
    Given an asymmetric customer managed key "A" with key spec "<spec>" for "<usage>"
    When I start encryption on "S" with key "A"
    Then the call fails with one of "InvalidArgumentException, InvalidKMSResourceException" or the encryption status of "S" becomes "ENABLING_FAILED"
    And if the encryption status of "S" is ENABLING_FAILED, a KMS-related failure description explains it

    Examples:
      | spec          | usage               |
      | RSA_2048      | ENCRYPT_DECRYPT     |
      | ECC_NIST_P256 | SIGN_VERIFY         |
      | HMAC_256      | GENERATE_VERIFY_MAC |

  # SSE-18 / SSE-19 for creation: a failed creation shows FailureDescription (AMB-11: either place).
  # A Create refused at once, or one that ends ACTIVE, has no failed creation to describe: the
  # scenario is then not applicable (whether ACTIVE is allowed is KEY-01's check).
  # stance: SSE-19 / AMB-12: the failure type is one of the KMS-related ones.
  @SSE-18 @SSE-19
  Scenario: A creation that fails because of the key shows a failure description
    Given an asymmetric customer managed key "A" with key spec "RSA_2048" for "ENCRYPT_DECRYPT"
    When I create a DirectPut delivery stream "E" with encryption using key "A"
    Then the call fails with one of "InvalidArgumentException, InvalidKMSResourceException" or the delivery stream "E" becomes "CREATING_FAILED"
    And if the delivery stream "E" is CREATING_FAILED, a KMS-related failure description explains it
