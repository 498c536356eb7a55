"""PutRecord / PutRecordBatch: the Encrypted flag, refusals, KMS failures at ingest, at rest."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from client_errors import error
from firehose_env import ACCOUNT, LAG, TRANSITION, FirehoseEnv, cmk


class Env(FirehoseEnv):
    """Streams buffer up to 5 MiB or 300 s: puts stay buffered while a test looks at them."""

    buffering = (5, 300)


@pytest.fixture
def env() -> Env:
    e = Env()
    e.create("s")
    return e


# -- the Encrypted flag (PUT-01, SSE-05, SSE-06, SSE-09, AMB-23) -----------------------------------


@pytest.mark.parametrize("config", [None, "cmk"])
def test_encrypted_flag_follows_the_status_with_the_5_second_allowance(
    env: Env, config: str | None
) -> None:
    key_config = cmk(env.key()) if config == "cmk" else None
    assert env.put("s") is False
    assert env.put_batch("s", b"a", b"b")["Encrypted"] is False
    env.start("s", key_config)
    assert env.enc_status("s") == "ENABLING"
    assert env.put("s") is False  # SSE-05: not encrypted while ENABLING
    assert env.put_batch("s", b"a")["Encrypted"] is False
    env.cloud.advance(TRANSITION)
    assert env.enc_status("s") == "ENABLED"
    env.cloud.advance(LAG)
    assert env.put("s") is True  # SSE-06
    assert env.put_batch("s", b"a", b"b")["Encrypted"] is True
    env.fh.stop_delivery_stream_encryption(DeliveryStreamName="s")
    assert env.enc_status("s") == "DISABLING"
    assert env.put("s") is True  # AMB-23 (inference): still in effect while DISABLING
    env.cloud.advance(TRANSITION)
    assert env.enc_status("s") == "DISABLED"
    env.cloud.advance(LAG)
    assert env.put("s") is False  # SSE-09
    assert env.put_batch("s", b"a")["Encrypted"] is False
    flags = [f.encrypted for f in env.cloud.firehose.record_fates("s").values()]
    assert flags.count(True) == 4


def test_batch_response_has_one_unique_record_id_per_record_in_order(env: Env) -> None:
    response = env.put_batch("s", *(bytes([n]) for n in range(50)))
    assert response["FailedPutCount"] == 0
    ids = [entry["RecordId"] for entry in response["RequestResponses"]]
    assert len(ids) == 50 and len(set(ids)) == 50
    single = env.fh.put_record(DeliveryStreamName="s", Record={"Data": b"x"})["RecordId"]
    assert single not in ids
    assert list(env.cloud.firehose.record_fates("s")) == [*ids, single]


# -- refusals --------------------------------------------------------------------------------------


def test_put_to_a_missing_stream_is_not_found(env: Env) -> None:
    with pytest.raises(ClientError) as excinfo:
        env.put("ghost")
    assert error(excinfo) == (
        "ResourceNotFoundException",
        f"Firehose ghost under account {ACCOUNT} not found.",
    )


def test_put_while_not_active_is_refused(env: Env) -> None:
    env.create("new", active=False)
    with pytest.raises(ClientError) as excinfo:
        env.put("new")
    code, message = error(excinfo)
    assert code == "ResourceNotFoundException"  # PUT-04 (code chosen)
    assert "is not ACTIVE (status CREATING)." in message
    env.fh.delete_delivery_stream(DeliveryStreamName="s")
    with pytest.raises(ClientError) as excinfo:
        env.put_batch("s", b"x")
    assert "status DELETING" in error(excinfo)[1]


def test_batch_over_4_mib_is_invalid_argument(env: Env) -> None:
    with pytest.raises(ClientError) as excinfo:
        env.put_batch("s", *(b"x" * 1_000_000 for _ in range(5)))
    assert error(excinfo)[0] == "InvalidArgumentException"
    assert env.cloud.firehose.record_fates("s") == {}
    env.put_batch("s", *(b"x" * 1_000_000 for _ in range(4)))  # 4,000,000 bytes fit


def test_shape_limits_are_validation_errors(env: Env) -> None:
    with pytest.raises(ClientError) as excinfo:
        env.put_batch("s", *(b"x" for _ in range(501)))
    assert error(excinfo)[0] == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        env.put("s", b"x" * (1_024_000 + 1))
    assert error(excinfo)[0] == "ValidationException"


# -- KMS failures at ingest (PUT-02, RET-05, MET-03..07, AMB-16) -----------------------------------


def _deny_firehose(env: Env, key: str) -> None:
    env.deny_firehose(key)


def _revoke(env: Env, key: str) -> None:
    for grant in env.kms.list_grants(KeyId=key)["Grants"]:
        env.kms.revoke_grant(KeyId=key, GrantId=grant["GrantId"])


@pytest.mark.parametrize(
    ("breaker", "kms_code", "metric"),
    [
        (lambda env, key: env.kms.disable_key(KeyId=key), "DisabledException", "KMSKeyDisabled"),
        (
            lambda env, key: env.kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7),
            "KMSInvalidStateException",
            "KMSKeyInvalidState",
        ),
        (
            lambda env, key: env.cloud.kms.delete_key_now(key),
            "NotFoundException",
            "KMSKeyNotFound",
        ),
        (_revoke, "AccessDeniedException", "KMSKeyAccessDenied"),
        (_deny_firehose, "AccessDeniedException", "KMSKeyAccessDenied"),
    ],
)
def test_put_with_a_broken_key_is_invalid_kms_resource_and_counted(
    env: Env, breaker: Any, kms_code: str, metric: str
) -> None:
    key = env.key()
    env.start("s", cmk(key))
    env.cloud.advance(TRANSITION + LAG)
    assert env.put("s") is True
    breaker(env, key)
    for call in (lambda: env.put("s"), lambda: env.put_batch("s", b"a", b"b")):
        with pytest.raises(ClientError) as excinfo:
            call()
        code, message = error(excinfo)
        assert code == "InvalidKMSResourceException"  # PUT-02
        assert f"KMS {kms_code}" in message
    assert env.metric_sum(metric, "s") == 2  # AMB-16 (chosen): ingest failures count
    assert len(env.cloud.firehose.record_fates("s")) == 1  # refused records are not accepted
    assert env.enc_status("s") == "ENABLED"  # D10: the stream stays as it is


# -- data at rest (SRC-11, KEY-05, storage) --------------------------------------------------------


def _windows(data: bytes, size: int = 16) -> set[bytes]:
    return {data[i : i + size] for i in range(len(data) - size + 1)}


@pytest.mark.parametrize("mode", ["none", "aws-owned", "cmk"])
def test_no_plaintext_at_rest_under_any_key_type(env: Env, mode: str) -> None:
    if mode != "none":
        env.start("s", cmk(env.key()) if mode == "cmk" else None)
        env.cloud.advance(TRANSITION + LAG)
    records = [f"secret record {n:04d} {'x' * 40} end".encode() for n in range(20)]
    env.put_batch("s", *records[:10])
    for record in records[10:]:
        env.put("s", record)
    arn = env.cloud.firehose.arn("s")
    held = env.cloud.at_rest()[arn]
    # One wrapped data key per put call (11 calls), one ciphertext per record (20).
    assert len(held) == 20 + 11
    needles = set().union(*(_windows(r) for r in records))
    assert not any(_windows(blob) & needles for blob in held)


def test_one_data_key_per_call(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    key = env.key()
    env.start("s", cmk(key))
    env.cloud.advance(TRANSITION + LAG)
    calls: list[dict[str, str] | None] = []
    original = env.cloud.kms.generate_data_key

    def counting(key_id: str, **kwargs: Any) -> Any:
        calls.append(kwargs.get("encryption_context"))
        assert kwargs["caller"] == "firehose.amazonaws.com"
        return original(key_id, **kwargs)

    monkeypatch.setattr(env.cloud.kms, "generate_data_key", counting)
    env.put_batch("s", *(b"r" for _ in range(100)))
    env.put("s")
    assert calls == [{"aws:firehose:arn": env.cloud.firehose.arn("s")}] * 2


def test_at_rest_is_empty_once_delivered(env: Env) -> None:
    env.put_batch("s", b"a", b"b")
    assert env.cloud.at_rest()
    env.cloud.advance(300)
    assert env.cloud.at_rest() == {}
    assert env.cloud.firehose.summary("s") == {"pending": 0, "delivered": 2, "discarded": 0}


def test_aws_owned_key_uses_no_customer_key(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.start("s")
    env.cloud.advance(TRANSITION + LAG)

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the AWS owned key must not use the customer's KMS")

    monkeypatch.setattr(env.cloud.kms, "generate_data_key", forbidden)
    monkeypatch.setattr(env.cloud.kms, "decrypt", forbidden)
    assert env.put("s", b"payload") is True
    env.cloud.advance(300)
    assert env.cloud.firehose.summary("s")["delivered"] == 1
