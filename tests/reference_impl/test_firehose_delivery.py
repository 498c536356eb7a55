"""Buffering, delivery to S3, KMS failures after ingest, the 24-hour retention, and accounting."""

from __future__ import annotations

import random
import re
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from firehose_env import BUCKET, TRANSITION, FirehoseEnv, cmk, s3_destination

HOUR = 3600.0
MIB = 1024 * 1024


class Env(FirehoseEnv):
    """Streams write under the prefix ``p/``; the record ids and fates are what tests follow."""

    def create(
        self, name: str, *, bucket: str = BUCKET, size_mb: int = 1, interval: int = 60, **extra: Any
    ) -> str:
        destination = s3_destination(bucket, buffering=(size_mb, interval), Prefix="p/")
        return super().create(name, S3DestinationConfiguration=destination, **extra)

    def encrypted_stream(self, name: str, **extra: Any) -> str:
        key = self.key()
        self.create(name, DeliveryStreamEncryptionConfigurationInput=cmk(key), **extra)
        return key

    def put_ids(self, name: str, *items: bytes) -> list[str]:
        """PutRecordBatch; the record ids, in order."""
        response = self.put_batch(name, *items)
        return [entry["RecordId"] for entry in response["RequestResponses"]]

    def objects(self, bucket: str = BUCKET) -> dict[str, bytes]:
        try:
            return self.cloud.s3.objects(bucket)
        except Exception:  # the bucket does not exist
            return {}

    def delivered(self, bucket: str = BUCKET) -> bytes:
        return b"".join(self.objects(bucket).values())

    def fates(self, name: str) -> dict[str, Any]:
        return self.cloud.firehose.record_fates(name)

    def summary(self, name: str) -> dict[str, int]:
        return self.cloud.firehose.summary(name)


@pytest.fixture
def env() -> Env:
    return Env()


def check_accounting(env: Env, name: str, sent: dict[str, bytes], bucket: str = BUCKET) -> None:
    """Every accepted record is in exactly one state, and S3 holds exactly the delivered ones."""
    fates = env.fates(name)
    assert set(fates) == set(sent)
    counts = {"pending": 0, "delivered": 0, "discarded": 0}
    for fate in fates.values():
        counts[fate.state] += 1
        assert (fate.state == "discarded") == (fate.reason is not None)
        assert (fate.state == "delivered") == (fate.location is not None)
    assert env.summary(name) == counts
    objects = env.objects(bucket)
    by_object: dict[str, list[tuple[int, str]]] = {}
    for record_id, fate in fates.items():
        if fate.location is not None:
            by_object.setdefault(fate.location.key, []).append((fate.location.offset, record_id))
    assert set(by_object) <= set(objects)
    for key, placed in by_object.items():
        placed.sort()
        assert objects[key] == b"".join(sent[record_id] for _, record_id in placed)


# -- buffering and S3 ------------------------------------------------------------------------------


def test_interval_flush_writes_one_object_named_like_firehose(env: Env) -> None:
    env.create("s")
    sent = dict(zip(env.put_ids("s", b"a", b"b"), [b"a", b"b"], strict=True))
    env.cloud.advance(30)
    sent.update(zip(env.put_ids("s", b"c"), [b"c"], strict=True))
    env.cloud.advance(29)
    assert env.objects() == {}
    env.cloud.advance(1)  # IntervalInSeconds after the buffer's first record
    (key,) = env.objects()
    assert re.fullmatch(
        r"p/\d{4}/\d{2}/\d{2}/\d{2}/s-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}", key
    )
    assert env.delivered() == b"abc"
    check_accounting(env, "s", sent)


def test_size_flush_is_immediate(env: Env) -> None:
    env.create("s", size_mb=1, interval=900)
    big = b"x" * (MIB // 2)
    env.put_ids("s", big)
    assert env.objects() == {}
    env.put_ids("s", big)
    assert env.delivered() == big + big
    assert env.cloud.at_rest() == {}


def test_many_records_are_split_into_objects_of_at_most_the_buffer_size(env: Env) -> None:
    env.create("s", size_mb=1, interval=60)
    env.s3.delete_bucket(Bucket=BUCKET)
    chunk = b"y" * (MIB // 4)
    sent: dict[str, bytes] = {}
    for _ in range(3):
        ids = env.put_ids("s", chunk, chunk, chunk)
        sent.update(dict.fromkeys(ids, chunk))
    env.cloud.advance(120)
    env.s3.create_bucket(Bucket=BUCKET)
    env.cloud.advance(60)
    assert all(len(body) <= MIB for body in env.objects().values())
    assert len(env.delivered()) == 9 * len(chunk)
    check_accounting(env, "s", sent)


# -- KMS failures after ingest: retention (RET-01..03) and metrics (MET-01..07) --------------------


def test_key_disabled_after_ingest_then_fixed_within_24_hours(env: Env) -> None:
    key = env.encrypted_stream("s")
    ids = env.put_ids("s", b"one", b"two", b"three")
    env.kms.disable_key(KeyId=key)
    env.cloud.advance(23 * HOUR)
    assert env.delivered() == b""
    assert env.summary("s") == {"pending": 3, "delivered": 0, "discarded": 0}
    assert env.metric_sum("KMSKeyDisabled", "s") > 0  # MET-04, one per failed attempt
    assert env.metric_sum("KMSKeyAccessDenied", "s") == 0
    env.kms.enable_key(KeyId=key)
    env.cloud.advance(60)
    assert env.delivered() == b"onetwothree"  # RET-01
    check_accounting(env, "s", dict(zip(ids, [b"one", b"two", b"three"], strict=True)))


def test_key_broken_past_24_hours_discards_the_records(env: Env) -> None:
    key = env.encrypted_stream("s")
    ids = env.put_ids("s", b"one", b"two")
    env.kms.disable_key(KeyId=key)
    env.cloud.advance(25 * HOUR)
    env.kms.enable_key(KeyId=key)
    env.cloud.advance(HOUR)
    assert env.delivered() == b""  # RET-02
    fates = env.fates("s")
    assert {fates[i].reason for i in ids} == {"kms-failure-past-retention"}
    assert env.cloud.at_rest() == {}
    # Attempts run every delivery_retry_seconds (60 s) from the first flush until the discard.
    assert env.metric_sum("KMSKeyDisabled", "s") == pytest.approx(24 * 60, abs=2)


def test_retention_is_per_record_from_its_ingestion(env: Env) -> None:
    key = env.encrypted_stream("s")
    env.deny_firehose(key, "kms:Decrypt")  # puts still work (GenerateDataKey), reads don't
    old = env.put_ids("s", b"old1", b"old2")
    env.cloud.advance(12 * HOUR)
    young = env.put_ids("s", b"young1", b"young2")
    env.cloud.advance(13 * HOUR)
    env.deny_firehose(key, None)  # the Deny is lifted
    env.cloud.advance(120)
    assert env.delivered() == b"young1young2"  # RET-03
    fates = env.fates("s")
    assert {fates[i].state for i in old} == {"discarded"}
    assert {fates[i].state for i in young} == {"delivered"}
    assert env.metric_sum("KMSKeyAccessDenied", "s") > 0  # MET-03


def test_deleted_key_counts_key_not_found(env: Env) -> None:
    key = env.encrypted_stream("s")
    env.put_ids("s", b"lost")
    env.cloud.kms.delete_key_now(key)
    env.cloud.advance(2 * 60)
    assert env.metric_sum("KMSKeyNotFound", "s") >= 1  # MET-06
    env.cloud.advance(25 * HOUR)
    assert env.summary("s") == {"pending": 0, "delivered": 0, "discarded": 1}


def test_pending_deletion_counts_key_invalid_state(env: Env) -> None:
    key = env.encrypted_stream("s")
    env.put_ids("s", b"r")
    env.kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    env.cloud.advance(2 * 60)
    assert env.metric_sum("KMSKeyInvalidState", "s") >= 1  # MET-05
    env.kms.cancel_key_deletion(KeyId=key)
    env.kms.enable_key(KeyId=key)
    env.cloud.advance(60)
    assert env.delivered() == b"r"


def test_metric_dimensions_and_unit(env: Env) -> None:
    key = env.encrypted_stream("s")
    env.put_ids("s", b"r")
    env.kms.disable_key(KeyId=key)
    env.cloud.advance(60)
    metrics = env.cw.list_metrics(Namespace="AWS/Firehose")["Metrics"]
    assert metrics == [
        {
            "Namespace": "AWS/Firehose",
            "MetricName": "KMSKeyDisabled",
            "Dimensions": [{"Name": "DeliveryStreamName", "Value": "s"}],
        }
    ]
    stats = env.cw.get_metric_statistics(
        Namespace="AWS/Firehose",
        MetricName="KMSKeyDisabled",
        Dimensions=[{"Name": "DeliveryStreamName", "Value": "s"}],
        StartTime=env.cloud.clock.now() - 600,
        EndTime=env.cloud.clock.now() + 60,
        Period=300,
        Statistics=["Sum"],
    )
    assert {p["Unit"] for p in stats["Datapoints"]} == {"Count"}


# -- the destination is unreachable (RET-04) -------------------------------------------------------


def test_missing_bucket_is_retried_then_delivered(env: Env) -> None:
    env.create("s", bucket="later")
    env.put_ids("s", b"late")
    env.cloud.advance(23 * HOUR)
    assert env.summary("s")["pending"] == 1
    env.s3.create_bucket(Bucket="later")
    env.cloud.advance(60)
    assert env.delivered("later") == b"late"


def test_missing_bucket_past_24_hours_discards(env: Env) -> None:
    env.create("s", bucket="never")
    ids = env.put_ids("s", b"gone")
    env.cloud.advance(24 * HOUR + 120)
    assert env.fates("s")[ids[0]].reason == "destination-unreachable-past-retention"
    assert env.cloud.at_rest() == {}
    assert env.cw.list_metrics(Namespace="AWS/Firehose")["Metrics"] == []


# -- accounting under a random mix of events -------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_every_record_is_delivered_pending_or_discarded_exactly_once(seed: int) -> None:
    rng = random.Random(seed)
    env = Env()
    key = env.encrypted_stream("s", size_mb=1, interval=rng.choice([0, 60, 300]))
    sent: dict[str, bytes] = {}
    disabled = False
    for step in range(60):
        action = rng.random()
        if action < 0.5:
            items = [rng.randbytes(rng.randint(0, 64)) for _ in range(rng.randint(1, 5))]
            try:
                ids = env.put_ids("s", *items)
            except ClientError as err:
                assert disabled
                assert err.response["Error"]["Code"] == "InvalidKMSResourceException"
            else:
                sent.update(zip(ids, items, strict=True))
        elif action < 0.6:
            (env.kms.enable_key if disabled else env.kms.disable_key)(KeyId=key)
            disabled = not disabled
        else:
            env.cloud.advance(rng.choice([1, 30, 300, 3 * HOUR, 8 * HOUR]))
        if step % 10 == 0:
            check_accounting(env, "s", sent)
    check_accounting(env, "s", sent)
    if disabled:
        env.kms.enable_key(KeyId=key)
    env.cloud.advance(HOUR)
    check_accounting(env, "s", sent)
    assert env.summary("s")["pending"] == 0
    assert env.cloud.at_rest() == {}


def test_a_hundred_idle_and_busy_streams_over_24_hours_are_cheap() -> None:
    env = Env()
    for n in range(100):
        env.fh.create_delivery_stream(
            DeliveryStreamName=f"s{n}",
            S3DestinationConfiguration=s3_destination(),
        )
    env.cloud.advance(TRANSITION)
    began = time.perf_counter()
    for minute in range(24 * 60):
        if minute % 60 == 0:
            env.put_ids(f"s{minute // 60}", b"tick")
        env.cloud.advance(60)
    assert time.perf_counter() - began < 3
    assert env.cloud.firehose.delivery_counts() == {"pending": 0, "delivered": 24, "discarded": 0}
