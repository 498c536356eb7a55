"""Firehose SSE: Start/Stop checks, the encryption status machine (3.1), grants and quotas."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from client_errors import error
from firehose_env import ACCOUNT, LAG, OWNED, TRANSITION, FirehoseEnv, cmk, s3_destination

from reference_impl.errors import AwsError
from reference_impl.firehose.key_checks import parse_key_request
from reference_impl.firehose.settings import FirehoseSettings


class Env(FirehoseEnv):
    """Streams buffer up to 1 MiB or 60 s."""

    buffering = (1, 60)

    def enable(self, name: str, config: dict[str, str] | None = None) -> None:
        self.start(name, config)
        self.cloud.advance(TRANSITION)
        assert self.enc(name)["Status"] == "ENABLED"


@pytest.fixture
def env() -> Env:
    e = Env()
    e.create("s")
    return e


# -- Start: the happy path, the status machine and the grant ---------------------------------------


def test_start_with_a_cmk_enabling_then_enabled_with_a_grant(env: Env) -> None:
    key = env.key()
    assert env.start("s", cmk(key)) == {}  # SSE-01
    # While ENABLING, EncCfg shows the requested key (SSE-02).
    assert env.enc("s") == {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key, "Status": "ENABLING"}
    assert env.grants(key) == []
    env.cloud.advance(TRANSITION - 1)
    assert env.enc("s")["Status"] == "ENABLING"
    env.cloud.advance(1)
    assert env.enc("s") == {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key, "Status": "ENABLED"}
    (grant,) = env.grants(key)  # GRT-01
    assert grant["GranteePrincipal"] == "firehose.amazonaws.com"
    assert grant["RetiringPrincipal"] == "firehose.amazonaws.com"
    assert {"Encrypt", "Decrypt", "GenerateDataKey", "RetireGrant"} <= set(grant["Operations"])


def test_start_without_input_enables_the_aws_owned_key(env: Env) -> None:
    key = env.key()
    assert env.start("s") == {}  # AMB-18, API-06
    assert env.enc("s") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}
    env.cloud.advance(TRANSITION)
    assert env.enc("s") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}  # SSE-16, SSE-17
    assert env.grants(key) == []  # KEY-05


def test_alias_arn_is_refused_and_nothing_changes(env: Env) -> None:
    """The snapshot's AWSKMSKeyARNForSSE pattern admits key ARNs only (``...:key/...``)."""
    key = env.key()
    env.enable("s", cmk(key))
    env.kms.create_alias(AliasName="alias/fh", TargetKeyId=env.key())
    alias_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/fh"
    before = env.describe("s")
    with pytest.raises(ClientError) as excinfo:
        env.start("s", cmk(alias_arn))
    code, text = error(excinfo)
    assert code == "ValidationException"
    assert "'deliveryStreamEncryptionConfigurationInput.keyARN'" in text
    with pytest.raises(ClientError) as excinfo:
        env.create("new", DeliveryStreamEncryptionConfigurationInput=cmk(alias_arn))
    assert error(excinfo)[0] == "ValidationException"
    env.cloud.advance(TRANSITION)
    assert env.describe("s") == before
    assert env.enc("s") == {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key, "Status": "ENABLED"}
    assert env.fh.list_delivery_streams()["DeliveryStreamNames"] == ["s"]
    assert len(env.grants(key)) == 1


def test_an_alias_named_by_the_python_interface_is_refused_too(env: Env) -> None:
    """No alias reaches Firehose's SSE state, even past the wire's pattern, whose ``arn:.*:kms:``
    admits an ARN that KMS reads as an alias ARN."""
    env.kms.create_alias(AliasName="alias/fh", TargetKeyId=env.key())
    for arn in (
        "alias/fh",
        f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/fh",
        f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/x:kms:us-east-1:{ACCOUNT}:key/abc",
    ):
        with pytest.raises(AwsError) as caught:
            parse_key_request({"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": arn})
        assert caught.value.code == "ValidationException"


# -- Start: every check and its error code ---------------------------------------------------------


def test_start_on_a_missing_stream_is_not_found(env: Env) -> None:
    with pytest.raises(ClientError) as excinfo:
        env.start("ghost", OWNED)
    assert error(excinfo) == (
        "ResourceNotFoundException",
        f"Firehose ghost under account {ACCOUNT} not found.",
    )
    with pytest.raises(ClientError) as excinfo:
        env.stop("ghost")
    assert error(excinfo)[0] == "ResourceNotFoundException"  # API-04


def test_start_and_stop_while_creating_are_resource_in_use(env: Env) -> None:
    env.create("new", active=False)
    for call in (lambda: env.start("new", OWNED), lambda: env.stop("new")):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error(excinfo)[0] == "ResourceInUseException"  # AMB-26


def test_start_and_stop_during_a_transition_are_resource_in_use(env: Env) -> None:
    env.start("s", OWNED)
    for call in (lambda: env.start("s", OWNED), lambda: env.stop("s")):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error(excinfo)[0] == "ResourceInUseException"  # AMB-05
    env.cloud.advance(TRANSITION)
    env.stop("s")
    assert env.enc("s")["Status"] == "DISABLING"
    for call in (lambda: env.start("s", OWNED), lambda: env.stop("s")):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error(excinfo)[0] == "ResourceInUseException"
    env.cloud.advance(TRANSITION)
    assert env.enc("s") == {"Status": "DISABLED"}


@pytest.mark.parametrize(
    ("config", "code"),
    [
        ({"KeyType": "CUSTOMER_MANAGED_CMK"}, "InvalidArgumentException"),  # KEY-04
        (
            {"KeyType": "AWS_OWNED_CMK", "KeyARN": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/x"},
            "InvalidArgumentException",  # AMB-19
        ),
        ({"KeyType": "BOGUS"}, "ValidationException"),  # KEY-03, AMB-21
        ({"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": "hello"}, "ValidationException"),  # KEY-06
        (
            {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": "arn:aws:s3:::bucket"},
            "ValidationException",
        ),
    ],
)
def test_bad_key_input_is_refused(env: Env, config: dict[str, str], code: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        env.start("s", config)
    assert error(excinfo)[0] == code
    assert env.enc("s") == {"Status": "DISABLED"}


def _disable(env: Env, key: str) -> None:
    env.kms.disable_key(KeyId=key)


def _schedule_deletion(env: Env, key: str) -> None:
    env.kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)


def _delete(env: Env, key: str) -> None:
    env.cloud.kms.delete_key_now(key)


def _deny(env: Env, key: str) -> None:
    env.deny_firehose(key)


@pytest.mark.parametrize(
    ("breaker", "kms_code"),
    [
        (_disable, "DisabledException"),
        (_schedule_deletion, "KMSInvalidStateException"),
        (_delete, "NotFoundException"),
        (_deny, "AccessDeniedException"),
    ],
)
def test_unusable_cmk_is_invalid_kms_resource_at_once(
    env: Env, breaker: Any, kms_code: str
) -> None:
    key = env.key()
    breaker(env, key)
    with pytest.raises(ClientError) as excinfo:
        env.start("s", cmk(key))
    code, message = error(excinfo)
    assert code == "InvalidKMSResourceException"  # KEY-07, AMB-02 (a)
    assert f"KMS {kms_code}" in message
    assert env.enc("s") == {"Status": "DISABLED"}
    assert env.cloud.firehose.streams["s"].window.used(env.cloud.clock.now()) == 0  # not counted


def test_nonexistent_key_arn_is_invalid_kms_resource(env: Env) -> None:
    missing = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
    with pytest.raises(ClientError) as excinfo:
        env.start("s", cmk(missing))
    assert error(excinfo)[0] == "InvalidKMSResourceException"


# -- keys of the wrong kind fail asynchronously (AMB-01 (c), AMB-22) -------------------------------


@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("RSA_2048", "ENCRYPT_DECRYPT"),
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("HMAC_256", "GENERATE_VERIFY_MAC"),
        ("ML_KEM_512", "ENCAPSULATE_DECAPSULATE"),
        ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE"),
        ("ML_KEM_1024", "ENCAPSULATE_DECAPSULATE"),
    ],
)
def test_asymmetric_or_hmac_key_ends_in_enabling_failed(env: Env, spec: str, usage: str) -> None:
    key = env.key(spec, usage)
    assert env.start("s", cmk(key)) == {}
    assert env.enc("s")["Status"] == "ENABLING"
    env.cloud.advance(TRANSITION)
    enc = env.enc("s")
    assert enc["Status"] == "ENABLING_FAILED"  # SSE-03, KEY-01, KEY-02
    assert enc["FailureDescription"]["Type"] == "INVALID_KMS_KEY"
    assert spec in enc["FailureDescription"]["Details"]
    assert "symmetric" in enc["FailureDescription"]["Details"]
    assert env.grants(key) == []
    assert env.put("s") is False  # nothing is in effect
    env.cloud.advance(3600)
    assert env.enc("s")["Status"] == "ENABLING_FAILED"


def test_key_disabled_while_enabling_fails_with_disabled_kms_key(env: Env) -> None:
    key = env.key()
    env.start("s", cmk(key))
    env.kms.disable_key(KeyId=key)
    env.cloud.advance(TRANSITION)
    enc = env.enc("s")
    assert enc["Status"] == "ENABLING_FAILED"
    assert enc["FailureDescription"]["Type"] == "DISABLED_KMS_KEY"
    assert env.grants(key) == []


def test_enabling_failed_then_start_with_a_valid_key_recovers(env: Env) -> None:
    bad, good = env.key("RSA_2048"), env.key()
    env.start("s", cmk(bad))
    env.cloud.advance(TRANSITION)
    assert env.enc("s")["Status"] == "ENABLING_FAILED"
    env.start("s", cmk(good))  # SSE-12
    assert env.enc("s") == {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": good, "Status": "ENABLING"}
    env.cloud.advance(TRANSITION)
    assert env.enc("s") == {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": good, "Status": "ENABLED"}


# -- key changes (SSE-10, SSE-11, AMB-07, AMB-08) --------------------------------------------------


def test_failed_key_change_keeps_the_old_key_in_effect(env: Env) -> None:
    good, bad = env.key(), env.key("RSA_2048")
    env.enable("s", cmk(good))
    env.cloud.advance(LAG)
    env.start("s", cmk(bad))
    assert env.enc("s")["KeyARN"] == bad  # the requested key while ENABLING
    env.cloud.advance(TRANSITION)
    enc = env.enc("s")
    assert enc["Status"] == "ENABLING_FAILED"  # SSE-11
    assert enc["KeyARN"] == good  # AMB-08 (chosen): the effective key
    assert enc["FailureDescription"]["Type"] == "INVALID_KMS_KEY"
    assert len(env.grants(good)) == 1  # not retired
    env.cloud.advance(LAG)
    assert env.put("s") is True  # encryption remains enabled with the old CMK
    stream = env.cloud.firehose.streams["s"]
    assert stream.store is not None and stream.store.held_under(env.cloud.kms.key_arn(good)) == 1
    # Stop from there works: T10.
    env.stop("s")
    env.cloud.advance(TRANSITION)
    assert env.enc("s") == {"Status": "DISABLED"}


def test_key_change_retires_the_old_grant_once_its_records_are_delivered(env: Env) -> None:
    old, new = env.key(), env.key()
    env.enable("s", cmk(old))
    env.cloud.advance(LAG)
    assert env.put("s", b"under-old") is True
    env.start("s", cmk(new))  # SSE-10
    env.cloud.advance(TRANSITION)
    assert env.enc("s") == {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": new, "Status": "ENABLED"}
    assert len(env.grants(new)) == 1
    assert len(env.grants(old)) == 1  # a record sealed under the old key is still buffered
    env.cloud.advance(60)  # the buffer interval: the record is delivered
    assert env.cloud.firehose.summary("s") == {"pending": 0, "delivered": 1, "discarded": 0}
    assert env.grants(old) == []  # GRT-02


def test_change_between_key_types(env: Env) -> None:
    key = env.key()
    env.enable("s", cmk(key))
    env.enable("s", OWNED)
    assert env.enc("s") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
    env.cloud.advance(LAG)
    assert env.grants(key) == []
    env.enable("s", cmk(key))
    assert env.enc("s")["KeyARN"] == key
    assert len(env.grants(key)) == 1


def test_start_with_the_same_key_reruns_and_keeps_one_grant(env: Env) -> None:
    key = env.key()
    env.enable("s", cmk(key))
    (grant,) = env.grants(key)
    env.start("s", cmk(key))  # AMB-07 (chosen)
    assert env.enc("s")["Status"] == "ENABLING"
    env.cloud.advance(TRANSITION)
    assert env.enc("s")["Status"] == "ENABLED"
    assert [g["GrantId"] for g in env.grants(key)] == [grant["GrantId"]]


# -- Stop (SSE-07, AMB-06, GRT-03) -----------------------------------------------------------------


def test_stop_disabling_then_disabled_and_the_grant_waits_for_delivery(env: Env) -> None:
    key = env.key()
    env.create("b", S3DestinationConfiguration=s3_destination(buffering=(1, 300)))
    env.enable("b", cmk(key))
    env.cloud.advance(LAG)
    env.fh.put_record_batch(DeliveryStreamName="b", Records=[{"Data": b"x"}, {"Data": b"y"}])
    assert env.stop("b") == {}
    assert env.enc("b") == {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key, "Status": "DISABLING"}
    env.cloud.advance(TRANSITION)
    assert env.enc("b") == {"Status": "DISABLED"}
    env.cloud.advance(LAG)
    assert len(env.grants(key)) == 1  # records sealed under it are not delivered yet
    env.cloud.advance(300)
    assert env.cloud.firehose.summary("b")["delivered"] == 2
    assert env.grants(key) == []  # GRT-03


def test_stop_without_encryption_is_an_accepted_no_op_that_counts(env: Env) -> None:
    assert env.stop("s") == {}  # AMB-06 (chosen)
    assert env.enc("s") == {"Status": "DISABLED"}
    assert env.cloud.firehose.streams["s"].window.used(env.cloud.clock.now()) == 1


def test_stop_after_a_failed_first_attempt_clears_the_failure(env: Env) -> None:
    env.start("s", cmk(env.key("HMAC_256", "GENERATE_VERIFY_MAC")))
    env.cloud.advance(TRANSITION)
    assert env.enc("s")["Status"] == "ENABLING_FAILED"
    env.stop("s")
    assert env.enc("s") == {"Status": "DISABLED"}


# -- the 25-call limit (API-01, AMB-17) ------------------------------------------------------------


def test_the_26th_start_or_stop_in_24_hours_is_refused_until_the_window_rolls(env: Env) -> None:
    for n in range(25):
        if n % 2 == 0:
            env.start("s", OWNED)
        else:
            env.stop("s")
        env.cloud.advance(TRANSITION)
    status = env.enc("s")["Status"]
    for call in (lambda: env.start("s", OWNED), lambda: env.stop("s")):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error(excinfo)[0] == "LimitExceededException"
    assert env.enc("s")["Status"] == status  # unchanged


def test_the_window_is_rolling(env: Env) -> None:
    for _ in range(25):
        env.stop("s")  # accepted no-ops (AMB-06), one a second
        env.cloud.advance(1)
    with pytest.raises(ClientError) as excinfo:
        env.stop("s")
    assert error(excinfo)[0] == "LimitExceededException"
    # The first call was 25 s ago; 24 h after it, exactly one call is free again.
    env.cloud.advance(24 * 3600 - 25 + 0.5)
    env.stop("s")
    with pytest.raises(ClientError) as excinfo:
        env.stop("s")
    assert error(excinfo)[0] == "LimitExceededException"
    env.cloud.advance(1)
    env.stop("s")


def test_refused_calls_do_not_count(env: Env) -> None:
    for _ in range(30):
        with pytest.raises(ClientError):
            env.start("s", {"KeyType": "CUSTOMER_MANAGED_CMK"})
    env.start("s", OWNED)  # still allowed
    assert env.cloud.firehose.streams["s"].window.used(env.cloud.clock.now()) == 1


# -- streams per CMK (API-02) ----------------------------------------------------------------------


def test_a_cmk_encrypts_at_most_streams_per_cmk_streams() -> None:
    env = Env(FirehoseSettings(streams_per_cmk=3))
    key = env.key()
    for name in ("a", "b"):
        env.create(name)
        env.start(name, cmk(key))
    env.create("c", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    env.create("d")
    with pytest.raises(ClientError) as excinfo:
        env.start("d", cmk(key))
    assert error(excinfo)[0] == "LimitExceededException"
    with pytest.raises(ClientError) as excinfo:
        env.create("e", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    assert error(excinfo)[0] == "LimitExceededException"
    # A stream already using the key may start it again; another key is unaffected.
    env.cloud.advance(TRANSITION)
    env.start("a", cmk(key))
    env.start("d", cmk(env.key()))
    # Once one stream stops using the key, the slot is free.
    env.cloud.advance(TRANSITION)
    env.stop("b")
    env.cloud.advance(TRANSITION)
    env.create("e", DeliveryStreamEncryptionConfigurationInput=cmk(key))


def test_the_501st_stream_on_one_cmk_is_refused_at_the_real_default() -> None:
    began = time.perf_counter()
    env = Env()
    key = env.key()
    for n in range(500):
        env.fh.create_delivery_stream(
            DeliveryStreamName=f"s{n}",
            S3DestinationConfiguration=s3_destination(),
            DeliveryStreamEncryptionConfigurationInput=cmk(key),
        )
    with pytest.raises(ClientError) as excinfo:
        env.fh.create_delivery_stream(
            DeliveryStreamName="s500",
            S3DestinationConfiguration=s3_destination(),
            DeliveryStreamEncryptionConfigurationInput=cmk(key),
        )
    assert error(excinfo)[0] == "LimitExceededException"
    assert time.perf_counter() - began < 10


# -- Create with SSE (SSE-14, AMB-04, AMB-10) ------------------------------------------------------


def test_create_with_a_cmk_is_enabling_while_creating_then_enabled(env: Env) -> None:
    key = env.key()
    env.create("e", active=False, DeliveryStreamEncryptionConfigurationInput=cmk(key))
    assert env.enc("e") == {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key, "Status": "ENABLING"}
    env.cloud.advance(TRANSITION)
    assert env.enc("e") == {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key, "Status": "ENABLED"}
    assert len(env.grants(key)) == 1
    assert env.put("e") is True  # encrypted from the first record
    assert env.cloud.firehose.streams["e"].window.used(env.cloud.clock.now()) == 0


@pytest.mark.parametrize(
    ("config", "code"),
    [
        ({"KeyType": "CUSTOMER_MANAGED_CMK"}, "InvalidArgumentException"),
        (
            {"KeyType": "AWS_OWNED_CMK", "KeyARN": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/x"},
            "InvalidArgumentException",
        ),
        ({"KeyType": "BOGUS"}, "ValidationException"),
    ],
)
def test_create_with_bad_key_input_is_refused(env: Env, config: dict[str, str], code: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        env.create("e", DeliveryStreamEncryptionConfigurationInput=config)
    assert error(excinfo)[0] == code
    assert env.fh.list_delivery_streams()["DeliveryStreamNames"] == ["s"]


def test_create_with_a_disabled_key_is_invalid_kms_resource(env: Env) -> None:
    key = env.key()
    env.kms.disable_key(KeyId=key)
    with pytest.raises(ClientError) as excinfo:
        env.create("e", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    assert error(excinfo)[0] == "InvalidKMSResourceException"


def test_create_with_the_aws_owned_key(env: Env) -> None:
    env.create("e", DeliveryStreamEncryptionConfigurationInput=OWNED)
    assert env.enc("e") == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
    assert env.put("e") is True


def test_start_again_after_the_grant_was_revoked_creates_a_new_grant(env: Env) -> None:
    key = env.key()
    env.enable("s", cmk(key))
    env.cloud.advance(LAG)
    (grant,) = env.grants(key)
    env.kms.revoke_grant(KeyId=key, GrantId=grant["GrantId"])
    with pytest.raises(ClientError) as excinfo:
        env.put("s")
    assert error(excinfo)[0] == "InvalidKMSResourceException"
    env.enable("s", cmk(key))  # the customer's way back: Start with the key again
    (fresh,) = env.grants(key)
    assert fresh["GrantId"] != grant["GrantId"]
    assert env.put("s") is True
