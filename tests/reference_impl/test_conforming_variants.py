"""Each conforming variant of the reference does what it says, and the plain reference does not.

A conforming variant that changed nothing would pass the self-test for free; so each one has a
probe here: the same calls against the plain reference and against the variant, and the two
answers they must give.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from firehose_env import LAG, OWNED, ROLE, TRANSITION, FirehoseEnv, cmk, s3_destination

from reference_impl import ReferenceCloud, VariantKind, variant_catalog
from reference_impl.firehose.settings import FirehoseSettings


class Env(FirehoseEnv):
    """FirehoseEnv on a cloud that runs ``variant`` (None: the plain reference)."""

    def __init__(self, variant: str | None, *, rate_limits: bool = False) -> None:
        self.cloud = ReferenceCloud(variant=variant, rate_limits=rate_limits)
        self.fh = self.cloud.client("firehose")
        self.kms = self.cloud.client("kms")
        self.s3 = self.cloud.client("s3")
        self.kinesis = self.cloud.client("kinesis")
        self.s3.create_bucket(Bucket="firehose-destination")

    def enabled(self, name: str, key: str | None) -> str:
        """A DirectPut stream with SSE on (and in effect) with ``key`` (None: AWS owned)."""
        self.create(name)
        self.start(name, cmk(key) if key else OWNED)
        self.cloud.advance(TRANSITION + LAG + 1)
        assert self.enc_status(name) == "ENABLED"
        return name

    def data_stream(self, name: str = "src") -> str:
        self.kinesis.create_stream(StreamName=name, ShardCount=1)
        self.cloud.advance(2)
        summary = self.kinesis.describe_stream_summary(StreamName=name)
        return summary["StreamDescriptionSummary"]["StreamARN"]

    def kinesis_sourced(self, name: str, **extra: Any) -> None:
        self.fh.create_delivery_stream(
            DeliveryStreamName=name,
            DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={
                "KinesisStreamARN": self.data_stream(),
                "RoleARN": ROLE,
            },
            S3DestinationConfiguration=s3_destination(),
            **extra,
        )
        self.cloud.advance(TRANSITION)


def outcome(call: Callable[..., Any], **params: Any) -> str:
    """ "ok", or the error code of the call."""
    try:
        call(**params)
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "ok"


# ---- the probes: each returns what it saw; the table below says what each side must see ---------
def refused_or_settled(env: Env) -> tuple[str, str]:
    """Start and Create with an RSA key: the call's answer, or the status it settles in."""
    env.create("s")
    rsa = env.key("RSA_2048", "ENCRYPT_DECRYPT")
    start = outcome(
        env.fh.start_delivery_stream_encryption,
        DeliveryStreamName="s",
        DeliveryStreamEncryptionConfigurationInput=cmk(rsa),
    )
    create = outcome(
        env.fh.create_delivery_stream,
        DeliveryStreamName="e",
        S3DestinationConfiguration=s3_destination(),
        DeliveryStreamEncryptionConfigurationInput=cmk(rsa),
    )
    env.cloud.advance(TRANSITION)
    if start == "ok":
        start = env.enc_status("s")
    if create == "ok":
        create = env.status("e")
    return start, create


def broken_while_enabling(env: Env) -> str:
    """A key disabled while ENABLING: where the status settles."""
    env.create("s")
    key = env.key()
    env.start("s", cmk(key))
    env.kms.disable_key(KeyId=key)
    env.cloud.advance(TRANSITION)
    return env.enc_status("s")


def failure_type(env: Env) -> str:
    env.create("s")
    env.start("s", cmk(env.key("RSA_2048", "ENCRYPT_DECRYPT")))
    env.cloud.advance(TRANSITION)
    return env.enc("s")["FailureDescription"]["Type"]


def put_after_disable(env: Env) -> tuple[str, str]:
    """A put right after DisableKey, and one 11 s later."""
    key = env.key()
    env.enabled("s", key)
    env.kms.disable_key(KeyId=key)
    first = outcome(env.fh.put_record, DeliveryStreamName="s", Record={"Data": b"x"})
    env.cloud.advance(11)
    return first, outcome(env.fh.put_record, DeliveryStreamName="s", Record={"Data": b"x"})


def pending_deletion_code(env: Env) -> str:
    key = env.key()
    env.kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    return outcome(env.kms.generate_data_key, KeyId=key, KeySpec="AES_256")


def metric_now_and_later(env: Env) -> tuple[float, float]:
    """KMSKeyDisabled of a put refused by a disabled key: at once, and five minutes later."""
    key = env.key()
    env.enabled("s", key)
    env.kms.disable_key(KeyId=key)
    env.cloud.advance(11)  # past any propagation delay of the key change
    assert outcome(env.fh.put_record, DeliveryStreamName="s", Record={"Data": b"x"}) != "ok"
    now = env.metric_sum("KMSKeyDisabled", "s")
    env.cloud.advance(300)
    return now, env.metric_sum("KMSKeyDisabled", "s")


def encrypted_while_disabling(env: Env) -> bool:
    env.enabled("s", env.key())
    env.stop("s")
    assert env.enc_status("s") in ("DISABLING", "ENABLED")
    return env.fh.put_record(DeliveryStreamName="s", Record={"Data": b"x"})["Encrypted"]


def flag_without_sse(env: Env) -> tuple[bool, bool]:
    env.create("s")
    single = env.fh.put_record(DeliveryStreamName="s", Record={"Data": b"x"})
    batch = env.put_batch("s", b"y")
    return "Encrypted" in single, "Encrypted" in batch


def first_pages(env: Env) -> tuple[int, int]:
    """Records on the first and the second GetRecords page from TRIM_HORIZON."""
    env.data_stream()
    env.kinesis.put_record(StreamName="src", Data=b"x", PartitionKey="p")
    env.cloud.advance(1)
    iterator = env.kinesis.get_shard_iterator(
        StreamName="src", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    first = env.kinesis.get_records(ShardIterator=iterator)
    assert first["Records"] or first["MillisBehindLatest"] > 0
    second = env.kinesis.get_records(ShardIterator=first["NextShardIterator"])
    return len(first["Records"]), len(second["Records"])


def data_stream_encryption_at_active(env: Env) -> tuple[str, str]:
    """EncryptionType of a put right at ACTIVE, and of one 5 s later."""
    env.data_stream()
    env.kinesis.start_stream_encryption(StreamName="src", EncryptionType="KMS", KeyId=env.key())
    while (
        env.kinesis.describe_stream_summary(StreamName="src")["StreamDescriptionSummary"][
            "StreamStatus"
        ]
        != "ACTIVE"
    ):
        env.cloud.advance(0.5)
    first = env.kinesis.put_record(StreamName="src", Data=b"x", PartitionKey="p")
    env.cloud.advance(5)
    later = env.kinesis.put_record(StreamName="src", Data=b"y", PartitionKey="p")
    return first["EncryptionType"], later["EncryptionType"]


def kinesis_source_created_with_sse(env: Env) -> tuple[str, bool]:
    made = outcome(env.kinesis_sourced, name="k", DeliveryStreamEncryptionConfigurationInput=OWNED)
    shown = made == "ok" and "DeliveryStreamEncryptionConfiguration" in env.describe("k")
    return made, shown


def start_on_kinesis_source(env: Env) -> str:
    env.kinesis_sourced("k")
    return outcome(env.fh.start_delivery_stream_encryption, DeliveryStreamName="k")


def reads_after_start_and_stop(env: Env) -> tuple[str, ...]:
    env.create("s")
    env.start("s", OWNED)
    reads = [env.enc_status("s"), env.enc_status("s")]
    env.cloud.advance(TRANSITION)
    env.stop("s")
    return (*reads, env.enc_status("s"), env.enc_status("s"))


def stop_without_sse(env: Env) -> tuple[str, str]:
    env.create("s")
    return outcome(env.fh.stop_delivery_stream_encryption, DeliveryStreamName="s"), env.enc_status(
        "s"
    )


def start_while_enabling(env: Env) -> tuple[str, str, str]:
    env.create("s")
    first, second = env.key(), env.key()
    env.start("s", cmk(first))
    answer = outcome(
        env.fh.start_delivery_stream_encryption,
        DeliveryStreamName="s",
        DeliveryStreamEncryptionConfigurationInput=cmk(second),
    )
    env.cloud.advance(TRANSITION)
    settled = env.enc("s")
    return answer, settled["Status"], "second" if settled["KeyARN"] == second else "first"


def key_shown_after_a_failed_change(env: Env) -> tuple[str, str, int]:
    key = env.key()
    env.enabled("s", key)
    rsa = env.key("RSA_2048", "ENCRYPT_DECRYPT")
    env.start("s", cmk(rsa))
    env.cloud.advance(TRANSITION)
    shown = env.enc("s")
    which = "attempted" if shown["KeyARN"] == rsa else "old"
    return shown["Status"], which, len(env.grants(key))


def failure_description_place(env: Env) -> str:
    env.create("s")
    env.start("s", cmk(env.key("RSA_2048", "ENCRYPT_DECRYPT")))
    env.cloud.advance(TRANSITION)
    described = env.describe("s")
    if "FailureDescription" in described["DeliveryStreamEncryptionConfiguration"]:
        return "encryption configuration"
    return "stream" if "FailureDescription" in described else "nowhere"


def configuration_while_creating(env: Env) -> tuple[bool, bool]:
    env.create("e", active=False, DeliveryStreamEncryptionConfigurationInput=OWNED)
    creating = "DeliveryStreamEncryptionConfiguration" in env.describe("e")
    env.cloud.advance(TRANSITION)
    return creating, "DeliveryStreamEncryptionConfiguration" in env.describe("e")


def encrypted_four_seconds_after_enabled(env: Env) -> tuple[bool, bool]:
    env.create("s")
    env.start("s", OWNED)
    env.cloud.advance(TRANSITION + 4)
    first = env.put("s")
    env.cloud.advance(1)
    return first, env.put("s")


def describes_served_at_once(env: Env) -> int:
    env.create("s")
    env.cloud.advance(5)  # past the calls of the set-up
    return sum(
        outcome(env.fh.describe_delivery_stream, DeliveryStreamName="s") == "ok" for _ in range(15)
    )


def old_grants_after_a_change(env: Env) -> tuple[int, int]:
    old, new = env.key(), env.key()
    env.enabled("s", old)
    env.start("s", cmk(new))
    env.cloud.advance(TRANSITION + LAG + 1)
    now = len(env.grants(old))
    env.cloud.advance(240)
    return now, len(env.grants(old))


# name: (probe, what the plain reference gives, what the variant gives, rate limits on)
PROBES: dict[str, tuple[Callable[[Env], Any], Any, Any, bool]] = {
    "asymmetric-key-refused-with-invalid-argument": (
        refused_or_settled,
        ("ENABLING_FAILED", "CREATING_FAILED"),
        ("InvalidArgumentException", "InvalidArgumentException"),
        False,
    ),
    "unusable-key-refused-at-the-call": (
        refused_or_settled,
        ("ENABLING_FAILED", "CREATING_FAILED"),
        ("InvalidKMSResourceException", "InvalidKMSResourceException"),
        False,
    ),
    "asymmetric-key-fails-as-a-grant-failure": (
        failure_type,
        "INVALID_KMS_KEY",
        "CREATE_KMS_GRANT_FAILED",
        False,
    ),
    "kms-changes-reach-firehose-late": (
        put_after_disable,
        ("InvalidKMSResourceException", "InvalidKMSResourceException"),
        ("ok", "InvalidKMSResourceException"),
        False,
    ),
    "pending-deletion-answers-disabled": (
        pending_deletion_code,
        "KMSInvalidStateException",
        "DisabledException",
        False,
    ),
    "metrics-pushed-every-five-minutes": (metric_now_and_later, (1.0, 1.0), (0.0, 1.0), False),
    "unencrypted-from-stop": (encrypted_while_disabling, True, False, False),
    "encrypted-flag-omitted-when-false": (flag_without_sse, (True, True), (False, False), False),
    "empty-first-getrecords-page": (first_pages, (1, 0), (0, 1), False),
    "kinesis-encryption-applies-five-seconds-after-active": (
        data_stream_encryption_at_active,
        ("KMS", "KMS"),
        ("NONE", "KMS"),
        False,
    ),
    "kinesis-source-encryption-input-ignored": (
        kinesis_source_created_with_sse,
        ("InvalidArgumentException", False),
        ("ok", False),
        False,
    ),
    "sse-on-kinesis-source-refused-as-in-use": (
        start_on_kinesis_source,
        "InvalidArgumentException",
        "ResourceInUseException",
        False,
    ),
    "stale-read-after-start-stop": (
        reads_after_start_and_stop,
        ("ENABLING", "ENABLING", "DISABLING", "DISABLING"),
        ("DISABLED", "ENABLING", "ENABLED", "DISABLING"),
        False,
    ),
    "stop-without-sse-refused": (
        stop_without_sse,
        ("ok", "DISABLED"),
        ("InvalidArgumentException", "DISABLED"),
        False,
    ),
    "start-accepted-while-in-transition": (
        start_while_enabling,
        ("ResourceInUseException", "ENABLED", "first"),
        ("ok", "ENABLED", "second"),
        False,
    ),
    "failed-change-shows-the-attempted-key": (
        key_shown_after_a_failed_change,
        ("ENABLING_FAILED", "old", 1),
        ("ENABLING_FAILED", "attempted", 1),
        False,
    ),
    "failure-description-on-the-stream": (
        failure_description_place,
        "encryption configuration",
        "stream",
        False,
    ),
    "encryption-configuration-absent-while-creating": (
        configuration_while_creating,
        (True, True),
        (False, True),
        False,
    ),
    "encryption-takes-the-full-five-seconds": (
        encrypted_four_seconds_after_enabled,
        (True, True),
        (False, True),
        False,
    ),
    "throttle-allows-a-short-burst": (describes_served_at_once, 5, 10, True),
    "grants-retired-minutes-later": (old_grants_after_a_change, (0, 0), (1, 0), False),
}
CONFORMING = [v.name for v in variant_catalog().values() if v.kind is VariantKind.CONFORMING]


def test_every_conforming_variant_has_a_probe() -> None:
    assert sorted(PROBES) == sorted(CONFORMING)


@pytest.mark.parametrize("name", CONFORMING)
def test_the_variant_does_what_it_says_and_the_reference_does_not(name: str) -> None:
    probe, plain, changed, rate_limits = PROBES[name]
    reference = Env(None, rate_limits=rate_limits)
    assert probe(reference) == plain, "the plain reference"
    env = Env(name, rate_limits=rate_limits)
    try:
        assert probe(env) == changed, name
    finally:
        env.cloud.close()


def test_ten_seconds_of_kms_propagation_is_no_more_than_the_delay_a_put_may_see() -> None:
    """The breaking change reaches puts within the bound the variant states (10 s)."""
    env = Env("kms-changes-reach-firehose-late")
    try:
        key = env.key()
        env.enabled("s", key)
        env.deny_firehose(key)
        env.cloud.advance(10)
        assert outcome(env.fh.put_record, DeliveryStreamName="s", Record={"Data": b"x"}) == (
            "InvalidKMSResourceException"
        )
    finally:
        env.cloud.close()


def test_a_key_that_breaks_while_enabling_leaves_the_variant_enabled() -> None:
    """unusable-key-refused-at-the-call: KMS work happens at the call, so ENABLING cannot fail."""
    assert broken_while_enabling(Env(None)) == "ENABLING_FAILED"
    env = Env("unusable-key-refused-at-the-call")
    try:
        assert broken_while_enabling(env) == "ENABLED"
    finally:
        env.cloud.close()


def test_the_five_second_variant_sets_the_documented_bound() -> None:
    with ReferenceCloud(variant="encryption-takes-the-full-five-seconds") as cloud:
        assert cloud.settings.encryption_lag_seconds == 5.0
    assert FirehoseSettings().encryption_lag_seconds < 5.0
