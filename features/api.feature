Feature: The API's own rules: limits, errors and argument validation
  Error codes are those modelled in BC-FH for each operation, plus the framework errors
  ValidationException and SerializationException that AWS front-ends answer for shape violations
  (AMB-21).
  A scenario tagged alone observes a limit of the whole account (the five calls per second of
  DG-LIM, API-08; the quotas of API-02 and API-11): in a run with workers (run -n N) it runs while
  no other scenario is in flight, so that no other's calls use up the limit it checks.

  Background:
    Given a symmetric customer managed key "K"

  # API-01: "a combined limit of 25 calls per Firehose stream per 24 hours. For example, you reach
  # the limit if you call StartDeliveryStreamEncryption 13 times and StopDeliveryStreamEncryption
  # 12 times".
  # stance: AMB-17: the 26th call is refused with LimitExceededException (modelled) or a
  # throttling error, and changes nothing.
  @API-01
  Scenario: The 26th Start or Stop within 24 hours is refused
    Given a DirectPut delivery stream "S"
    When I start and stop encryption on "S" alternately 25 times, waiting for each to settle
    Then every one of those calls succeeded
    When I start encryption on "S" with key "K"
    Then the call fails with one of "LimitExceededException, ThrottlingException"
    And the encryption status of "S" stays "ENABLED"

  @API-01 @needs-clock
  Scenario: The limit is per 24 hours: a day later Start is accepted again
    Given a DirectPut delivery stream "S"
    When I start and stop encryption on "S" alternately 25 times, waiting for each to settle
    And 24 hours pass
    And I stop encryption on "S"
    Then the call succeeds

  # API-02: "You can use a CMK of type CUSTOMER_MANAGED_CMK to encrypt up to 500 Firehose streams.
  # If a CreateDeliveryStream or StartDeliveryStreamEncryption operation exceeds this limit,
  # Firehose throws a LimitExceededException."
  @API-02 @scale @alone
  Scenario: A customer managed key encrypts at most 500 delivery streams
    # checks: API-02 (up to 500 streams on one key are allowed)
    Given 500 DirectPut delivery streams created with encryption using key "K"
    When I create a DirectPut delivery stream "E" with encryption using key "K"
    Then the call fails with "LimitExceededException"
    Given a DirectPut delivery stream "S"
    When I start encryption on "S" with key "K"
    Then the call fails with "LimitExceededException"

  # API-03 / API-04: the codes of each operation's modelled errors.
  @API-03 @API-04
  Scenario Outline: Operations on a stream that does not exist answer ResourceNotFoundException (<operation>)
    When I call Firehose <operation> on a delivery stream that does not exist
    Then the call fails with "ResourceNotFoundException"

    Examples:
      | operation                      |
      | StartDeliveryStreamEncryption  |
      | StopDeliveryStreamEncryption   |
      | DescribeDeliveryStream         |
      | DeleteDeliveryStream           |
      | PutRecord                      |
      | PutRecordBatch                 |

  @API-03
  Scenario: Creating a stream whose name is taken answers ResourceInUseException
    Given a DirectPut delivery stream "S"
    When I create a DirectPut delivery stream with the same name as "S"
    Then the call fails with "ResourceInUseException"

  # API-05 / AMB-21: name constraints are checked by the service (botocore checks only min length).
  # stance: AMB-21: ValidationException or InvalidArgumentException, with HTTP 400.
  @API-05 @API-03
  Scenario Outline: Delivery stream names are 1 to 64 characters of [a-zA-Z0-9_.-] (<operation>, <name>)
    When I call Firehose <operation> with the delivery stream name <name>
    Then the call fails with one of "ValidationException, InvalidArgumentException"

    Examples:
      | operation                     | name                  |
      | StartDeliveryStreamEncryption | "bad name!"           |
      | StartDeliveryStreamEncryption | of 65 characters      |
      | StartDeliveryStreamEncryption | ""                    |
      | StopDeliveryStreamEncryption  | "bad name!"           |
      | StopDeliveryStreamEncryption  | of 65 characters      |
      | CreateDeliveryStream          | "bad name!"           |
      | CreateDeliveryStream          | of 65 characters      |
      | DescribeDeliveryStream        | "bad/name"            |
      | DeleteDeliveryStream          | of 65 characters      |

  # API-08 (DG-LIM): "The following operations can provide up to five invocations per second
  # (this is a hard limit)": a capacity. Five calls within one second are all served.
  @API-08 @alone
  Scenario: Five Describe calls within one second are all served
    Given a DirectPut delivery stream "S"
    When I describe "S" 5 times within one second without retrying
    Then none of those calls was throttled

  # API-08: beyond the capacity a call may be throttled (AMB-17: the code is not stated), and is
  # then served after the back-off AWS SDKs use; nothing else goes wrong.
  @API-08 @alone
  Scenario: Calls beyond five per second are served or throttled, and served after back-off
    Given a DirectPut delivery stream "S"
    When I describe "S" 20 times at once without retrying
    Then every one of those calls was served or throttled with one of "ThrottlingException, LimitExceededException"
    And every throttled one is served after back-off

  # API-13, a stance: "up to five invocations per second (this is a hard limit)" reads as a limit
  # that is enforced, so calls beyond it should be throttled. The document states the capacity,
  # not that excess calls must be refused.
  # stance: API-13 / AMB-17: beyond five calls in a second, the others are throttled with
  # ThrottlingException or LimitExceededException.
  @API-13 @alone
  Scenario: More than five Describe calls in one second are throttled
    Given a DirectPut delivery stream "S"
    When I describe "S" 20 times at once without retrying
    Then at most 5 of those calls succeeded within any one second
    And every other one failed with one of "ThrottlingException, LimitExceededException"

  # API-09: "If the status of a Firehose stream is CREATING_FAILED, this status doesn't change,
  # and you can't invoke CreateDeliveryStream again on it. However, you can invoke the
  # DeleteDeliveryStream operation to delete it." A target that refuses the key at once never
  # shows CREATING_FAILED (AMB-01 (a)/(b)): then the scenario is not applicable.
  # stance: API-09: Create again on the name is refused with ResourceInUseException (inference:
  # the modelled error for a name in use).
  @API-09 @needs-clock
  Scenario: CREATING_FAILED is terminal; only Delete works
    Given a delivery stream "E" whose creation failed
    When 2 hours pass
    Then the delivery stream "E" is "CREATING_FAILED"
    When I create a DirectPut delivery stream with the same name as "E"
    Then the call fails with "ResourceInUseException"
    When I delete the delivery stream "E"
    Then the call succeeds
    And the delivery stream "E" is eventually gone

  # API-10: "You can't delete a Firehose stream that is in the CREATING state."
  # stance: API-10: refused with ResourceInUseException, the only modelled error that fits.
  @API-10 @needs-clock
  Scenario: A stream cannot be deleted while CREATING
    When I create a DirectPut delivery stream "E" without an encryption input
    Then the delivery stream "E" is "CREATING"
    When I delete the delivery stream "E"
    Then the call fails with "ResourceInUseException"
    And the delivery stream "E" becomes "ACTIVE"

  @API-10
  Scenario: An ACTIVE stream can be deleted
    Given a DirectPut delivery stream "S"
    When I delete the delivery stream "S"
    Then the call succeeds
    And the delivery stream "S" is eventually gone

  # API-11: "By default, you can create up to 5,000 Firehose streams per ... Region."
  @API-11 @scale @alone
  Scenario: The default quota is 5,000 delivery streams per Region
    # checks: API-11 (up to 5,000 streams are allowed)
    Given 5000 DirectPut delivery streams
    When I create a DirectPut delivery stream "E" without an encryption input
    Then the call fails with "LimitExceededException"

  @API-12 @needs-cloudtrail
  Scenario: CloudTrail records Start and Stop calls
    Given a DirectPut delivery stream "S"
    When I start encryption on "S" with key "K"
    And I stop encryption on "S"
    Then CloudTrail eventually shows StartDeliveryStreamEncryption and StopDeliveryStreamEncryption for "S"
