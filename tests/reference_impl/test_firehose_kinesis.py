"""Firehose with a Kinesis data stream as source (SRC-01, SRC-02, SRC-07, SRC-08, SRC-10)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from client_errors import error
from firehose_env import ACCOUNT, BUCKET, ROLE, TRANSITION, FirehoseEnv, s3_destination

NOT_PERMITTED = "This operation is not permitted on KinesisStreamAsSource delivery stream type."


class Env(FirehoseEnv):
    """A Kinesis data stream ``src`` to read from; ``create`` makes streams that read it."""

    def __init__(self) -> None:
        super().__init__()
        self.kinesis = self.cloud.client("kinesis")
        self.kinesis.create_stream(StreamName="src", ShardCount=1)
        self.cloud.advance(2)
        self.source_arn = self.kinesis.describe_stream_summary(StreamName="src")[
            "StreamDescriptionSummary"
        ]["StreamARN"]

    def create(self, name: str = "fromkds", bucket: str = BUCKET, **extra: Any) -> str:
        return super().create(
            name,
            DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={"KinesisStreamARN": self.source_arn, "RoleARN": ROLE},
            S3DestinationConfiguration=s3_destination(bucket, buffering=(1, 60)),
            **extra,
        )

    def put_kinesis(self, *items: bytes) -> None:
        self.kinesis.put_records(
            StreamName="src", Records=[{"Data": d, "PartitionKey": "pk"} for d in items]
        )

    def delivered(self, bucket: str = BUCKET) -> bytes:
        listing = self.s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        keys = sorted(o["Key"] for o in listing)
        return b"".join(self.s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys)


@pytest.fixture
def env() -> Env:
    return Env()


def test_describe_has_the_source_and_no_encryption_configuration(env: Env) -> None:
    env.create()
    d = env.fh.describe_delivery_stream(DeliveryStreamName="fromkds")["DeliveryStreamDescription"]
    assert d["DeliveryStreamType"] == "KinesisStreamAsSource"
    assert d["DeliveryStreamStatus"] == "ACTIVE"
    source = d["Source"]["KinesisStreamSourceDescription"]
    assert source["KinesisStreamARN"] == env.source_arn
    assert source["RoleARN"] == ROLE
    assert "DeliveryStartTimestamp" in source
    assert "DeliveryStreamEncryptionConfiguration" not in d  # EV-LS-KDS
    listed = env.fh.list_delivery_streams(DeliveryStreamType="KinesisStreamAsSource")
    assert listed["DeliveryStreamNames"] == ["fromkds"]


def test_puts_start_and_stop_are_refused(env: Env) -> None:
    env.create()
    calls = [
        lambda: env.fh.put_record(DeliveryStreamName="fromkds", Record={"Data": b"x"}),
        lambda: env.fh.put_record_batch(DeliveryStreamName="fromkds", Records=[{"Data": b"x"}]),
        lambda: env.fh.start_delivery_stream_encryption(DeliveryStreamName="fromkds"),
        lambda: env.fh.stop_delivery_stream_encryption(DeliveryStreamName="fromkds"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error(excinfo) == ("InvalidArgumentException", NOT_PERMITTED)  # SRC-08, SRC-10


def test_create_with_sse_is_refused(env: Env) -> None:
    with pytest.raises(ClientError) as excinfo:
        env.create(DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"})
    code, message = error(excinfo)
    assert code == "InvalidArgumentException"  # AMB-04 (a)
    assert "Kinesis stream as source" in message


def test_missing_source_stream_is_invalid_argument(env: Env) -> None:
    with pytest.raises(ClientError) as excinfo:
        env.fh.create_delivery_stream(
            DeliveryStreamName="x",
            DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={
                "KinesisStreamARN": f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/none",
                "RoleARN": ROLE,
            },
            S3DestinationConfiguration=s3_destination(),
        )
    assert error(excinfo)[0] == "InvalidArgumentException"


def test_records_are_delivered_and_never_at_rest_in_firehose(env: Env) -> None:
    key = env.kms.create_key()["KeyMetadata"]["Arn"]
    env.kinesis.start_stream_encryption(StreamName="src", EncryptionType="KMS", KeyId=key)
    env.cloud.advance(2)
    arn = env.create()
    env.put_kinesis(b"one,", b"two,", b"three")
    env.cloud.advance(5)
    held = env.cloud.at_rest()
    assert arn not in held  # SRC-01, SRC-02: buffered in memory only
    assert env.source_arn in held  # the data at rest is in the data stream
    assert env.cloud.firehose.summary("fromkds") == {"pending": 3, "delivered": 0, "discarded": 0}
    env.cloud.advance(60)
    assert env.delivered() == b"one,two,three"
    assert env.cloud.firehose.summary("fromkds")["delivered"] == 3
    assert arn not in env.cloud.at_rest()


def test_kinesis_kms_failure_is_retried_without_metrics(env: Env) -> None:
    key = env.kms.create_key()["KeyMetadata"]["Arn"]
    env.kinesis.start_stream_encryption(StreamName="src", EncryptionType="KMS", KeyId=key)
    env.cloud.advance(2)
    env.create()
    env.put_kinesis(b"a", b"b")
    env.kms.disable_key(KeyId=key)
    env.cloud.advance(3600)
    assert env.delivered() == b""
    poller = env.cloud.firehose.streams["fromkds"].poller
    assert poller is not None and poller.last_error is not None
    assert env.cw.list_metrics(Namespace="AWS/Firehose")["Metrics"] == []  # AMB-15
    env.kms.enable_key(KeyId=key)
    env.cloud.advance(61)
    assert env.delivered() == b"ab"


def test_destination_outage_keeps_data_beyond_24_hours(env: Env) -> None:
    env.kinesis.increase_stream_retention_period(StreamName="src", RetentionPeriodHours=72)
    env.create(bucket="later-bucket")
    env.put_kinesis(b"first")
    env.cloud.advance(60 + 1)  # read and flushed; delivery fails, Firehose stops reading
    env.put_kinesis(b"second")
    env.cloud.advance(30 * 3600)
    assert env.cloud.firehose.summary("fromkds") == {"pending": 1, "delivered": 0, "discarded": 0}
    env.s3.create_bucket(Bucket="later-bucket")
    env.cloud.advance(120)  # SRC-07: nothing was discarded after 24 h
    assert env.delivered("later-bucket") == b"firstsecond"
    assert env.cloud.firehose.summary("fromkds") == {"pending": 0, "delivered": 2, "discarded": 0}


def test_delete_stops_reading(env: Env) -> None:
    env.create()
    env.put_kinesis(b"a")
    env.cloud.advance(2)
    env.fh.delete_delivery_stream(DeliveryStreamName="fromkds")
    env.cloud.advance(TRANSITION)
    env.put_kinesis(b"b")
    env.cloud.advance(120)
    assert env.cloud.firehose.summary("fromkds") == {"pending": 0, "delivered": 0, "discarded": 1}
    assert env.cloud.clock.next_due() is None or all(
        "firehose" not in t.label for t in env.cloud.clock.scheduled()
    )
