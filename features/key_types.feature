Feature: Symmetric CMKs only, and how keys are named
  "To encrypt your delivery stream, use symmetric CMKs. Kinesis Data Firehose doesn't support
  asymmetric CMKs." (SEED, Important)
  "Amazon Web Services services that are integrated with KMS use symmetric encryption KMS keys to
  protect your data. These services do not support asymmetric KMS keys or HMAC KMS keys." (BC-KMS)

  Background:
    Given a DirectPut delivery stream "S"

  # KEY-01 / KEY-02 with AMB-01 and AMB-22: an asymmetric or HMAC key may be refused at once with
  # InvalidArgumentException (a) or InvalidKMSResourceException (b), or accepted and then fail (c).
  # Whatever the path, encryption must never be ENABLED with that key. A KMS that cannot make a key
  # of some spec leaves the row an error ("could not set up"): KEY-10 judges KMS itself.
  # stance: AMB-01 / AMB-22: a refusal names InvalidArgumentException or InvalidKMSResourceException.
  @KEY-01 @KEY-02
  Scenario Outline: Start never enables encryption with an asymmetric or HMAC key (<spec>, <usage>)
    Given an asymmetric customer managed key "A" with key spec "<spec>" for "<usage>"
    When I start encryption on "S" with key "A"
    Then the call fails with one of "InvalidArgumentException, InvalidKMSResourceException" or the encryption status of "S" becomes "ENABLING_FAILED"
    And the encryption of "S" is never "ENABLED" with key "A"

    Examples: RSA
      | spec     | usage           |
      | RSA_2048 | ENCRYPT_DECRYPT |
      | RSA_2048 | SIGN_VERIFY     |
      | RSA_3072 | ENCRYPT_DECRYPT |
      | RSA_3072 | SIGN_VERIFY     |
      | RSA_4096 | ENCRYPT_DECRYPT |
      | RSA_4096 | SIGN_VERIFY     |

    Examples: ECC
      | spec                  | usage         |
      | ECC_NIST_P256         | SIGN_VERIFY   |
      | ECC_NIST_P384         | SIGN_VERIFY   |
      | ECC_NIST_P521         | SIGN_VERIFY   |
      | ECC_SECG_P256K1       | SIGN_VERIFY   |
      | ECC_NIST_EDWARDS25519 | SIGN_VERIFY   |
      | ECC_NIST_P256         | KEY_AGREEMENT |

    Examples: ML-DSA
      | spec      | usage       |
      | ML_DSA_44 | SIGN_VERIFY |
      | ML_DSA_65 | SIGN_VERIFY |
      | ML_DSA_87 | SIGN_VERIFY |

    Examples: HMAC
      | spec     | usage               |
      | HMAC_224 | GENERATE_VERIFY_MAC |
      | HMAC_256 | GENERATE_VERIFY_MAC |
      | HMAC_384 | GENERATE_VERIFY_MAC |
      | HMAC_512 | GENERATE_VERIFY_MAC |

    # KEY-10: the ML-KEM key specs and their one usage are in the snapshot's KMS model (not in
    # botocore 1.43.11); they are asymmetric key-encapsulation keys.
    Examples: ML-KEM
      | spec        | usage                   |
      | ML_KEM_512  | ENCAPSULATE_DECAPSULATE |
      | ML_KEM_768  | ENCAPSULATE_DECAPSULATE |
      | ML_KEM_1024 | ENCAPSULATE_DECAPSULATE |

  # The same for CreateDeliveryStream (AMB-01 (c) for Create: CREATING -> CREATING_FAILED). A
  # stream that ends ACTIVE without SSE breaks SSE-14, not KEY-01: only ACTIVE with SSE on the key
  # fails here.
  @KEY-01 @KEY-02
  Scenario Outline: Create never yields an active stream encrypted with an asymmetric or HMAC key (<spec>)
    Given an asymmetric customer managed key "A" with key spec "<spec>" for "<usage>"
    When I create a DirectPut delivery stream "E" with encryption using key "A"
    Then the call fails with one of "InvalidArgumentException, InvalidKMSResourceException" or the delivery stream "E" becomes "CREATING_FAILED"
    And the delivery stream "E" is never ACTIVE with encryption using key "A"

    Examples:
      | spec                  | usage                   |
      | RSA_2048              | ENCRYPT_DECRYPT         |
      | RSA_4096              | SIGN_VERIFY             |
      | ECC_NIST_P256         | SIGN_VERIFY             |
      | ECC_NIST_EDWARDS25519 | SIGN_VERIFY             |
      | ML_DSA_65             | SIGN_VERIFY             |
      | ML_KEM_768            | ENCAPSULATE_DECAPSULATE |
      | HMAC_256              | GENERATE_VERIFY_MAC     |
      | HMAC_512              | GENERATE_VERIFY_MAC     |

  @KEY-02 @KEY-10
  Scenario: A symmetric encryption key is SYMMETRIC_DEFAULT for ENCRYPT_DECRYPT, and Firehose takes it
    Given a symmetric customer managed key "K"
    Then key "K" is described with key spec "SYMMETRIC_DEFAULT", usage "ENCRYPT_DECRYPT" and state "Enabled"
    When I start encryption on "S" with key "K"
    Then the encryption status of "S" becomes "ENABLED"

  # KEY-10: KMS's own enums. Here KMS making the key is what is checked, so a refusal fails.
  @KEY-10
  Scenario Outline: KMS describes each key spec with its usage (<spec>)
    When I create a customer managed key "A" with key spec "<spec>" for "<usage>"
    Then the call succeeds
    And key "A" is described with key spec "<spec>", usage "<usage>" and state "Enabled"

    Examples:
      | spec                  | usage                   |
      | RSA_2048              | ENCRYPT_DECRYPT         |
      | ECC_NIST_P384         | SIGN_VERIFY             |
      | ECC_NIST_EDWARDS25519 | SIGN_VERIFY             |
      | ML_DSA_44             | SIGN_VERIFY             |
      | ML_KEM_1024           | ENCAPSULATE_DECAPSULATE |
      | HMAC_384              | GENERATE_VERIFY_MAC     |

  @KEY-10 @KEY-08
  Scenario: KMS reports the key states Disabled and PendingDeletion
    Given a symmetric customer managed key "K"
    When key "K" is disabled
    Then key "K" is described with state "Disabled"
    When key "K" is scheduled for deletion
    Then key "K" is described with state "PendingDeletion"

  # KEY-03 / AMB-21: a bad KeyType reaches the service (botocore does not check enums), and a
  # missing KeyType is sent by a client that skips client-side validation.
  # stance: AMB-21: the modelled InvalidArgumentException or a framework ValidationException or
  # SerializationException, with HTTP 400.
  @KEY-03
  Scenario Outline: KeyType is required and must be a known value (<call>, <input>)
    When I <call> with the raw encryption input <input>
    Then the call fails with one of "InvalidArgumentException, ValidationException, SerializationException"

    Examples:
      | call                                | input                       |
      | start encryption on "S"             | {"KeyType": "BOGUS"}        |
      | start encryption on "S"             | {}                          |
      | create a DirectPut stream "E"       | {"KeyType": "BOGUS"}        |
      | create a DirectPut stream "E"       | {}                          |

  # KEY-04 / AMB-19: "you must specify the Amazon Resource Name (ARN) of the CMK".
  # stance: AMB-19 / AMB-21: refused with InvalidArgumentException or ValidationException.
  @KEY-04
  Scenario Outline: A customer managed key type needs a key ARN (<call>)
    When I <call> with the raw encryption input {"KeyType": "CUSTOMER_MANAGED_CMK"}
    Then the call fails with one of "InvalidArgumentException, ValidationException"

    Examples:
      | call                          |
      | start encryption on "S"       |
      | create a DirectPut stream "E" |

  # KEY-05: "If you set KeyType to AWS_OWNED_CMK, Firehose uses a service-account CMK": records
  # are encrypted, EncCfg names no key ARN, and no customer key of the account gets a grant.
  @KEY-05 @SSE-16
  Scenario: An AWS owned key encrypts without any customer key
    Given a symmetric customer managed key "K"
    And encryption is enabled on "S" with an AWS owned key
    When 6 seconds pass
    And I put 2 records to "S" with PutRecordBatch
    Then every put to "S" reports Encrypted true
    And the encryption of "S" uses an AWS owned key
    And key "K" has no grants

  # KEY-06 / AMB-21: the ARN pattern is checked by the service, not by botocore (which checks
  # only the minimum length), so each bad ARN reaches it and must be refused with a 400.
  # stance: AMB-21: InvalidArgumentException or ValidationException.
  @KEY-06
  Scenario Outline: The key ARN must be a KMS key ARN of at most 512 characters (<bad>)
    Given a symmetric customer managed key "K"
    When I start encryption on "S" with a customer managed key ARN given as <bad>
    Then the call fails with one of "InvalidArgumentException, ValidationException"
    And encryption is not turned on for "S"

    Examples:
      | bad                          |
      | the bare key id of "K"       |
      | the alias name of "K"        |
      | a 513-character key ARN      |
      | the text "hello"             |
      | an S3 bucket ARN             |

  # KEY-06 / AMB-20: the snapshot's KeyARN shape, AWSKMSKeyARNForSSE (botocore 1.43.29 and
  # later), admits key ARNs only ("...:key/..."); the AWSKMSKeyARN it replaced admitted
  # "(key|alias)/". So AMB-20 is settled by the model: an alias ARN is outside the pattern and is
  # refused at the API like any other bad ARN (AMB-21: either code, HTTP 400).
  @KEY-06
  Scenario: An alias ARN is refused as the key ARN
    Given a symmetric customer managed key "K"
    When I start encryption on "S" with a customer managed key ARN given as the alias ARN of "K"
    Then the call fails with one of "InvalidArgumentException, ValidationException"
    And encryption is not turned on for "S"

  # KEY-07 with AMB-02: refused at once with InvalidKMSResourceException (a), or accepted and then
  # ENABLING_FAILED (b). Never ENABLED. Each key change waits until KMS itself shows it (KMS is
  # eventually consistent). Which principal Firehose calls KMS as is not documented (AMB-29), so
  # the key policy denies the key's use to every principal, not to one assumed to be Firehose's.
  # stance: AMB-02: a refusal at once names InvalidKMSResourceException.
  @KEY-07
  Scenario Outline: The key must be usable by Firehose (<condition>)
    Given a symmetric customer managed key "K"
    And <condition>
    When I start encryption on "S" with key "K"
    Then the call fails with "InvalidKMSResourceException" or the encryption status of "S" becomes "ENABLING_FAILED"
    And the encryption of "S" is never "ENABLED" with key "K"

    Examples:
      | condition                                                       |
      | key "K" is disabled                                             |
      | key "K" is scheduled for deletion                               |
      | the key policy of "K" denies every principal the use of the key |

    @needs-key-deletion
    Examples: A key that no longer exists
      | condition          |
      | key "K" is deleted |

  # KEY-08: "The KMS API follows an eventual consistency model" (BC-KMS DisableKey): a key change
  # is waited for until KMS shows it, within the target's KMS bound.
  @KEY-08
  Scenario Outline: KMS refuses cryptographic use of a key by its state (<state>, <operation>)
    Given a symmetric customer managed key "K"
    When key "K" <state>
    And I call KMS <operation> with key "K"
    Then the call fails with one of "<codes>"

    Examples:
      | state                      | operation       | codes                                        |
      | is disabled                | GenerateDataKey | DisabledException                            |
      | is disabled                | Encrypt         | DisabledException                            |
      | is disabled                | CreateGrant     | DisabledException                            |
      | is scheduled for deletion  | GenerateDataKey | DisabledException, KMSInvalidStateException  |
      | is scheduled for deletion  | Encrypt         | DisabledException, KMSInvalidStateException  |

  @KEY-08
  Scenario Outline: KMS still describes and lists grants of a key in every state (<state>)
    Given a symmetric customer managed key "K"
    When key "K" <state>
    And I call KMS DescribeKey with key "K"
    Then the call succeeds
    When I call KMS ListGrants with key "K"
    Then the call succeeds

    Examples:
      | state                     |
      | is disabled               |
      | is scheduled for deletion |

  @KEY-08
  Scenario: KMS answers NotFoundException for a key that does not exist
    When I call KMS GenerateDataKey with a key ARN that does not exist
    Then the call fails with "NotFoundException"

  # KEY-09: GenerateDataKey is "Valid only on symmetric encryption KMS keys"; a grant on an
  # asymmetric key cannot allow data-key operations (KMS answers ValidationException).
  @KEY-09
  Scenario Outline: Asymmetric keys cannot make data keys (<spec>)
    Given an asymmetric customer managed key "A" with key spec "<spec>" for "<usage>"
    When I call KMS GenerateDataKey with key "A"
    Then the call fails with "InvalidKeyUsageException"
    When I call KMS CreateGrant with key "A" allowing "GenerateDataKey"
    Then the call fails with one of "ValidationException, ValidationError"
    When I call KMS CreateGrant with key "A" allowing "DescribeKey"
    Then the call succeeds

    Examples:
      | spec          | usage               |
      | RSA_2048      | ENCRYPT_DECRYPT     |
      | ECC_NIST_P256 | SIGN_VERIFY         |
      | HMAC_256      | GENERATE_VERIFY_MAC |
