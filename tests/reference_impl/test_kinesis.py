"""Kinesis Data Streams of the reference implementation (SRC-03..07), through boto3 and Python."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from client_errors import error, error_of

from reference_impl.cloud import ReferenceCloud
from reference_impl.errors import AwsError
from reference_impl.wire.http import Request

ROLE = "arn:aws:iam::123456789012:role/firehose-source"
ROOT = "arn:aws:iam::123456789012:root"


@pytest.fixture
def kinesis(cloud: ReferenceCloud):
    return cloud.client("kinesis")


def active_stream(cloud: ReferenceCloud, kinesis, name: str = "src", shards: int = 1) -> str:
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    cloud.advance(1)
    return cloud.kinesis.stream_arn(name)


def summary(kinesis, name: str = "src") -> dict:
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


def encrypt(cloud: ReferenceCloud, kinesis, key_id: str, name: str = "src") -> None:
    kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key_id)
    cloud.advance(1)


def read_shard(kinesis, name: str = "src", shard: str = "shardId-000000000000") -> list[dict]:
    iterator = kinesis.get_shard_iterator(
        StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return kinesis.get_records(ShardIterator=iterator)["Records"]


def new_key(kms, **kwargs) -> str:
    return kms.create_key(**kwargs)["KeyMetadata"]["Arn"]


# -- lifecycle -------------------------------------------------------------------------------


def test_create_describe_list_delete(cloud: ReferenceCloud, kinesis) -> None:
    kinesis.create_stream(StreamName="src", ShardCount=3)
    assert summary(kinesis)["StreamStatus"] == "CREATING"
    cloud.advance(1)
    s = summary(kinesis)
    assert s["StreamStatus"] == "ACTIVE"
    assert s["StreamARN"] == "arn:aws:kinesis:us-east-1:123456789012:stream/src"
    assert s["RetentionPeriodHours"] == 24
    assert s["EncryptionType"] == "NONE"
    assert "KeyId" not in s
    assert s["OpenShardCount"] == 3
    assert s["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert s["StreamCreationTimestamp"] == cloud.now() - timedelta(seconds=1)
    by_arn = kinesis.describe_stream(StreamARN=s["StreamARN"])["StreamDescription"]
    assert [shard["ShardId"] for shard in by_arn["Shards"]] == [
        "shardId-000000000000",
        "shardId-000000000001",
        "shardId-000000000002",
    ]
    assert by_arn["Shards"][0]["HashKeyRange"]["StartingHashKey"] == "0"
    assert by_arn["Shards"][-1]["HashKeyRange"]["EndingHashKey"] == str(2**128 - 1)
    assert by_arn["HasMoreShards"] is False
    listed = kinesis.list_streams()
    assert listed["StreamNames"] == ["src"]
    assert listed["StreamSummaries"][0]["StreamStatus"] == "ACTIVE"
    assert len(kinesis.list_shards(StreamName="src")["Shards"]) == 3
    kinesis.delete_stream(StreamName="src")
    assert summary(kinesis)["StreamStatus"] == "DELETING"
    cloud.advance(1)
    assert error_of(kinesis.describe_stream_summary, StreamName="src") == (
        "ResourceNotFoundException",
        400,
    )


def test_on_demand_stream(cloud: ReferenceCloud, kinesis) -> None:
    kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    s = summary(kinesis, "od")
    assert s["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert s["OpenShardCount"] == 4


def test_lifecycle_errors(cloud: ReferenceCloud, kinesis) -> None:
    assert error_of(
        kinesis.create_stream,
        StreamName="x",
        ShardCount=1,
        StreamModeDetails={"StreamMode": "ON_DEMAND"},
    ) == ("InvalidArgumentException", 400)
    assert error_of(
        kinesis.create_stream, StreamName="x", StreamModeDetails={"StreamMode": "PROVISIONED"}
    ) == ("InvalidArgumentException", 400)
    assert error_of(kinesis.create_stream, StreamName="x", ShardCount=501) == (
        "LimitExceededException",
        400,
    )
    kinesis.create_stream(StreamName="src", ShardCount=1)
    assert error_of(kinesis.create_stream, StreamName="src", ShardCount=1) == (
        "ResourceInUseException",
        400,
    )
    assert error_of(kinesis.delete_stream, StreamName="src") == ("ResourceInUseException", 400)
    assert error_of(kinesis.delete_stream, StreamName="nope") == ("ResourceNotFoundException", 400)
    assert error_of(kinesis.describe_stream_summary) == ("InvalidArgumentException", 400)
    assert error_of(
        kinesis.describe_stream_summary,
        StreamName="other",
        StreamARN=cloud.kinesis.stream_arn("src"),
    ) == ("InvalidArgumentException", 400)
    assert error_of(
        kinesis.describe_stream_summary,
        StreamARN="arn:aws:kinesis:us-east-1:210987654321:stream/src",
    ) == ("ResourceNotFoundException", 400)


def test_list_streams_and_shards_pagination(cloud: ReferenceCloud, kinesis) -> None:
    for name in ("a", "b", "c"):
        kinesis.create_stream(StreamName=name, ShardCount=3)
    first = kinesis.list_streams(Limit=2)
    assert (first["StreamNames"], first["HasMoreStreams"]) == (["a", "b"], True)
    rest = kinesis.list_streams(NextToken=first["NextToken"])
    assert (rest["StreamNames"], rest["HasMoreStreams"]) == (["c"], False)
    assert kinesis.list_streams(ExclusiveStartStreamName="a")["StreamNames"] == ["b", "c"]
    page = kinesis.list_shards(StreamName="a", MaxResults=2)
    assert len(page["Shards"]) == 2
    more = kinesis.list_shards(NextToken=page["NextToken"])
    assert [s["ShardId"] for s in more["Shards"]] == ["shardId-000000000002"]
    assert error_of(kinesis.list_shards, StreamName="a", NextToken=page["NextToken"]) == (
        "InvalidArgumentException",
        400,
    )
    cloud.advance(301)
    assert error_of(kinesis.list_shards, NextToken=page["NextToken"]) == (
        "ExpiredNextTokenException",
        400,
    )
    after = kinesis.list_shards(
        StreamName="a", ShardFilter={"Type": "AFTER_SHARD_ID", "ShardId": "shardId-000000000000"}
    )
    assert len(after["Shards"]) == 2


# -- records ---------------------------------------------------------------------------------


def test_put_and_get_records_unencrypted(cloud: ReferenceCloud, kinesis) -> None:
    active_stream(cloud, kinesis)
    put = kinesis.put_record(StreamName="src", Data=b"one", PartitionKey="p")
    assert put["EncryptionType"] == "NONE"
    assert put["ShardId"] == "shardId-000000000000"
    batch = kinesis.put_records(
        StreamName="src",
        Records=[{"Data": b"two", "PartitionKey": "p"}, {"Data": b"three", "PartitionKey": "q"}],
    )
    assert (batch["FailedRecordCount"], batch["EncryptionType"]) == (0, "NONE")
    numbers = [put["SequenceNumber"]] + [r["SequenceNumber"] for r in batch["Records"]]
    assert numbers == sorted(numbers, key=int) and len(set(numbers)) == 3
    records = read_shard(kinesis)
    assert [r["Data"] for r in records] == [b"one", b"two", b"three"]
    assert {r["EncryptionType"] for r in records} == {"NONE"}
    assert records[0]["ApproximateArrivalTimestamp"] == cloud.now()


def test_records_are_spread_by_partition_key_hash(cloud: ReferenceCloud, kinesis) -> None:
    active_stream(cloud, kinesis, shards=4)
    shards = {
        kinesis.put_record(StreamName="src", Data=b"x", PartitionKey=f"key-{i}")["ShardId"]
        for i in range(40)
    }
    assert len(shards) == 4
    low = kinesis.put_record(StreamName="src", Data=b"x", PartitionKey="k", ExplicitHashKey="0")
    assert low["ShardId"] == "shardId-000000000000"
    assert error_of(
        kinesis.put_record, StreamName="src", Data=b"x", PartitionKey="k",
        ExplicitHashKey=str(2**128),
    ) == ("InvalidArgumentException", 400)  # fmt: skip


def stored(cloud: ReferenceCloud, name: str = "src") -> int:
    """How many records the stream holds (white box: no read of the stream is involved)."""
    return len(cloud.kinesis.streams[name].records_in_order())


@pytest.mark.parametrize("stream_mode", ["PROVISIONED", "ON_DEMAND"])
def test_put_without_a_partition_key_is_invalid_argument(
    cloud: ReferenceCloud, kinesis, stream_mode: str
) -> None:
    """PartitionKey is optional in the model, but "If the stream uses the USER_PARTITION_KEY
    record distribution strategy (the default), a partition key is required"."""
    if stream_mode == "PROVISIONED":
        active_stream(cloud, kinesis)
    else:
        kinesis.create_stream(StreamName="src", StreamModeDetails={"StreamMode": "ON_DEMAND"})
        cloud.advance(1)
    with pytest.raises(ClientError) as caught:
        kinesis.put_record(StreamName="src", Data=b"x")
    assert error(caught)[0] == "InvalidArgumentException"
    assert "PartitionKey is required" in error(caught)[1]
    batch = [{"Data": b"x", "PartitionKey": "p"}, {"Data": b"y"}]
    assert error_of(kinesis.put_records, StreamName="src", Records=batch) == (
        "InvalidArgumentException",
        400,
    )
    assert error_of(
        kinesis.put_record, StreamName="src", Data=b"x", ExplicitHashKey="0"
    ) == ("InvalidArgumentException", 400)  # fmt: skip
    assert stored(cloud) == 0  # the batch failed as a whole


def test_auto_distribution_spreads_records_and_ignores_keys(cloud: ReferenceCloud, kinesis) -> None:
    kinesis.create_stream(
        StreamName="src",
        StreamModeDetails={"StreamMode": "ON_DEMAND"},
        RecordDistributionStrategy="AUTO",
    )
    cloud.advance(1)
    assert summary(kinesis)["RecordDistributionStrategy"] == "AUTO"
    shards = [kinesis.put_record(StreamName="src", Data=b"x")["ShardId"] for _ in range(4)]
    assert sorted(shards) == [f"shardId-00000000000{i}" for i in range(4)]  # evenly, no key
    # "any value you provide is ignored, along with any ExplicitHashKey you provide"
    placed = kinesis.put_records(
        StreamName="src",
        Records=[{"Data": b"k", "PartitionKey": "same", "ExplicitHashKey": "0"}] * 4,
    )
    assert len({r["ShardId"] for r in placed["Records"]}) == 4
    first = read_shard(kinesis)
    assert "PartitionKey" not in first[0]  # not returned when the producer gave none
    assert first[1]["PartitionKey"] == "same"  # returned as given, though not used


def test_record_distribution_strategy_rules(cloud: ReferenceCloud, kinesis) -> None:
    assert error_of(
        kinesis.create_stream, StreamName="p", ShardCount=1, RecordDistributionStrategy="AUTO"
    ) == ("InvalidArgumentException", 400)  # fmt: skip
    assert "p" not in cloud.kinesis.streams
    kinesis.create_stream(
        StreamName="p", ShardCount=1, RecordDistributionStrategy="USER_PARTITION_KEY"
    )
    kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    cloud.advance(1)
    # "This field is only present for streams that use the on-demand capacity mode."
    assert "RecordDistributionStrategy" not in summary(kinesis, "p")
    assert summary(kinesis, "od")["RecordDistributionStrategy"] == "USER_PARTITION_KEY"
    od_arn = cloud.kinesis.stream_arn("od")
    kinesis.update_stream_record_distribution_strategy(
        StreamARN=od_arn, RecordDistributionStrategy="AUTO"
    )
    assert summary(kinesis, "od")["RecordDistributionStrategy"] == "AUTO"
    assert summary(kinesis, "od")["StreamStatus"] == "ACTIVE"  # "takes effect immediately"
    kinesis.put_record(StreamName="od", Data=b"no key")
    kinesis.update_stream_record_distribution_strategy(
        StreamARN=od_arn, RecordDistributionStrategy="USER_PARTITION_KEY"
    )
    assert error_of(kinesis.put_record, StreamName="od", Data=b"x") == (
        "InvalidArgumentException",
        400,
    )
    assert error_of(
        kinesis.update_stream_record_distribution_strategy,
        StreamARN=cloud.kinesis.stream_arn("p"),
        RecordDistributionStrategy="AUTO",
    ) == ("InvalidArgumentException", 400)


# -- DryRun --------------------------------------------------------------------------------


def test_dry_run_put_stores_nothing(cloud: ReferenceCloud, kinesis) -> None:
    active_stream(cloud, kinesis)
    for call, kwargs in (
        (kinesis.put_record, {"Data": b"x", "PartitionKey": "p"}),
        (kinesis.put_records, {"Records": [{"Data": b"x", "PartitionKey": "p"}]}),
    ):
        with pytest.raises(ClientError) as caught:
            call(StreamName="src", DryRun=True, **kwargs)
        assert error(caught)[0] == "DryRunOperationException"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert stored(cloud) == 0
    assert cloud.kinesis.streams["src"].last_counter == 0  # no sequence number used up
    # A request that would fail answers its own error, not DryRunOperationException.
    assert error_of(kinesis.put_record, StreamName="src", Data=b"x", DryRun=True) == (
        "InvalidArgumentException",
        400,
    )
    assert error_of(
        kinesis.put_record, StreamName="ghost", Data=b"x", PartitionKey="p", DryRun=True
    ) == ("ResourceNotFoundException", 400)  # fmt: skip
    # DryRun false is an ordinary call.
    kinesis.put_record(StreamName="src", Data=b"x", PartitionKey="p", DryRun=False)
    assert stored(cloud) == 1


def test_dry_run_put_checks_the_kms_key(cloud: ReferenceCloud, kinesis, kms) -> None:
    active_stream(cloud, kinesis)
    key = new_key(kms)
    encrypt(cloud, kinesis, key)
    assert error_of(
        kinesis.put_record, StreamName="src", Data=b"x", PartitionKey="p", DryRun=True
    ) == ("DryRunOperationException", 400)  # fmt: skip
    kms.disable_key(KeyId=key)
    assert error_of(
        kinesis.put_record, StreamName="src", Data=b"x", PartitionKey="p", DryRun=True
    ) == ("KMSDisabledException", 400)  # fmt: skip
    assert stored(cloud) == 0


def test_dry_run_reads_nothing(cloud: ReferenceCloud, kinesis, kms) -> None:
    active_stream(cloud, kinesis)
    key = new_key(kms)
    encrypt(cloud, kinesis, key)
    kinesis.put_record(StreamName="src", Data=b"secret", PartitionKey="p")
    shard = "shardId-000000000000"
    assert error_of(
        kinesis.get_shard_iterator, StreamName="src", ShardId=shard,
        ShardIteratorType="TRIM_HORIZON", DryRun=True,
    ) == ("DryRunOperationException", 400)  # fmt: skip
    assert error_of(
        kinesis.get_shard_iterator, StreamName="src", ShardId="shardId-000000000009",
        ShardIteratorType="TRIM_HORIZON", DryRun=True,
    ) == ("ResourceNotFoundException", 400)  # fmt: skip
    iterator = kinesis.get_shard_iterator(
        StreamName="src", ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    decrypts = []
    real_decrypt = cloud.kms.decrypt
    cloud.kms.decrypt = lambda *a, **k: decrypts.append(a) or real_decrypt(*a, **k)
    assert error_of(kinesis.get_records, ShardIterator=iterator, DryRun=True) == (
        "DryRunOperationException",
        400,
    )
    assert decrypts == []  # nothing was decrypted
    kms.disable_key(KeyId=key)
    assert error_of(kinesis.get_records, ShardIterator=iterator, DryRun=True) == (
        "KMSDisabledException",
        400,
    )
    kms.enable_key(KeyId=key)
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]] == [
        b"secret"
    ]
    assert len(decrypts) == 1


def test_shard_iterator_types(cloud: ReferenceCloud, kinesis) -> None:
    active_stream(cloud, kinesis)
    first = kinesis.put_record(StreamName="src", Data=b"a", PartitionKey="p")["SequenceNumber"]
    cloud.advance(10)
    middle = cloud.now()
    kinesis.put_record(StreamName="src", Data=b"b", PartitionKey="p")
    shard = "shardId-000000000000"

    def data(kind: str, **extra) -> list[bytes]:
        iterator = kinesis.get_shard_iterator(
            StreamName="src", ShardId=shard, ShardIteratorType=kind, **extra
        )["ShardIterator"]
        return [r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]]

    assert data("TRIM_HORIZON") == [b"a", b"b"]
    assert data("LATEST") == []
    assert data("AT_SEQUENCE_NUMBER", StartingSequenceNumber=first) == [b"a", b"b"]
    assert data("AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=first) == [b"b"]
    assert data("AT_TIMESTAMP", Timestamp=middle) == [b"b"]
    latest = kinesis.get_shard_iterator(
        StreamName="src", ShardId=shard, ShardIteratorType="LATEST"
    )["ShardIterator"]
    kinesis.put_record(StreamName="src", Data=b"c", PartitionKey="p")
    got = kinesis.get_records(ShardIterator=latest)
    assert [r["Data"] for r in got["Records"]] == [b"c"]
    assert kinesis.get_records(ShardIterator=got["NextShardIterator"])["Records"] == []


def test_get_records_limit_and_millis_behind(cloud: ReferenceCloud, kinesis) -> None:
    active_stream(cloud, kinesis)
    for i in range(3):
        kinesis.put_record(StreamName="src", Data=bytes([i]), PartitionKey="p")
        cloud.advance(2)
    iterator = kinesis.get_shard_iterator(
        StreamName="src", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    first = kinesis.get_records(ShardIterator=iterator, Limit=1)
    assert len(first["Records"]) == 1
    assert first["MillisBehindLatest"] == 4000
    rest = kinesis.get_records(ShardIterator=first["NextShardIterator"])
    assert len(rest["Records"]) == 2
    assert rest["MillisBehindLatest"] == 0


def test_iterator_errors(cloud: ReferenceCloud, kinesis) -> None:
    active_stream(cloud, kinesis)
    number = kinesis.put_record(StreamName="src", Data=b"a", PartitionKey="p")["SequenceNumber"]
    shard = "shardId-000000000000"
    iterator = kinesis.get_shard_iterator(
        StreamName="src", ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    cloud.advance(301)
    assert error_of(kinesis.get_records, ShardIterator=iterator) == (
        "ExpiredIteratorException",
        400,
    )
    assert error_of(kinesis.get_records, ShardIterator="not-an-iterator") == (
        "InvalidArgumentException",
        400,
    )
    assert error_of(
        kinesis.get_shard_iterator, StreamName="src", ShardId="shardId-000000000009",
        ShardIteratorType="LATEST",
    ) == ("ResourceNotFoundException", 400)  # fmt: skip
    for bad in ("123", number[:-1] + "7"):
        assert error_of(
            kinesis.get_shard_iterator, StreamName="src", ShardId=shard,
            ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=bad,
        ) == ("InvalidArgumentException", 400)  # fmt: skip
    assert error_of(
        kinesis.get_shard_iterator, StreamName="src", ShardId=shard,
        ShardIteratorType="AFTER_SEQUENCE_NUMBER",
    ) == ("InvalidArgumentException", 400)  # fmt: skip
    assert error_of(
        kinesis.get_shard_iterator, StreamName="src", ShardId=shard,
        ShardIteratorType="AT_TIMESTAMP",
    ) == ("InvalidArgumentException", 400)  # fmt: skip
    fresh = kinesis.get_shard_iterator(
        StreamName="src", ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    kinesis.delete_stream(StreamName="src")
    cloud.advance(1)
    kinesis.create_stream(StreamName="src", ShardCount=1)
    assert error_of(kinesis.get_records, ShardIterator=fresh) == ("ResourceNotFoundException", 400)


def test_record_size_limit(cloud: ReferenceCloud, kinesis) -> None:
    active_stream(cloud, kinesis)
    assert error_of(
        kinesis.put_record, StreamName="src", Data=b"x" * (1024 * 1024), PartitionKey="p"
    ) == ("InvalidArgumentException", 400)


# -- retention (SRC-07) ----------------------------------------------------------------------


def test_retention_trims_records_from_reads_and_at_rest(cloud: ReferenceCloud, kinesis) -> None:
    arn = active_stream(cloud, kinesis)
    kinesis.put_record(StreamName="src", Data=b"old", PartitionKey="p")
    cloud.advance(hours=12)
    kinesis.put_record(StreamName="src", Data=b"new", PartitionKey="p")
    cloud.advance(hours=12)
    assert [r["Data"] for r in read_shard(kinesis)] == [b"new"]
    assert cloud.at_rest()[arn] == [b"new"]
    cloud.advance(hours=12)
    assert read_shard(kinesis) == []
    assert cloud.kinesis.read_for_consumer(arn, "fh", caller=ROLE) == []
    assert cloud.at_rest()[arn] == []


def test_retention_period_changes(cloud: ReferenceCloud, kinesis) -> None:
    arn = active_stream(cloud, kinesis)
    kinesis.put_record(StreamName="src", Data=b"kept", PartitionKey="p")
    kinesis.increase_stream_retention_period(StreamName="src", RetentionPeriodHours=48)
    assert summary(kinesis)["RetentionPeriodHours"] == 48
    cloud.advance(hours=30)
    assert [r["Data"] for r in read_shard(kinesis)] == [b"kept"]
    kinesis.decrease_stream_retention_period(StreamName="src", RetentionPeriodHours=24)
    assert read_shard(kinesis) == []
    assert cloud.at_rest()[arn] == []
    kinesis.increase_stream_retention_period(StreamName="src", RetentionPeriodHours=48)
    assert read_shard(kinesis) == []  # expired data does not come back
    for call, hours in (
        (kinesis.increase_stream_retention_period, 24),
        (kinesis.decrease_stream_retention_period, 72),
        (kinesis.decrease_stream_retention_period, 12),
        (kinesis.increase_stream_retention_period, 8761),
    ):
        assert error_of(call, StreamName="src", RetentionPeriodHours=hours) == (
            "InvalidArgumentException",
            400,
        )


# -- server-side encryption (SRC-03, SRC-04, SRC-05) ------------------------------------------


def test_start_encryption_goes_updating_then_active(cloud: ReferenceCloud, kinesis, kms) -> None:
    active_stream(cloud, kinesis)
    key = new_key(kms)
    kinesis.start_stream_encryption(StreamName="src", EncryptionType="KMS", KeyId=key)
    s = summary(kinesis)
    assert (s["StreamStatus"], s["EncryptionType"], s["KeyId"]) == ("UPDATING", "KMS", key)
    assert error_of(
        kinesis.start_stream_encryption, StreamName="src", EncryptionType="KMS", KeyId=key
    ) == ("ResourceInUseException", 400)
    cloud.advance(1)
    assert summary(kinesis)["StreamStatus"] == "ACTIVE"


def test_only_records_after_encryption_are_encrypted(cloud: ReferenceCloud, kinesis, kms) -> None:
    """SRC-05, and SRC-03 at rest: ciphertext for encrypted records, plaintext for the others."""
    arn = active_stream(cloud, kinesis)
    assert (
        kinesis.put_record(StreamName="src", Data=b"plain-before", PartitionKey="p")[
            "EncryptionType"
        ]
        == "NONE"
    )
    kinesis.start_stream_encryption(StreamName="src", EncryptionType="KMS", KeyId=new_key(kms))
    during = kinesis.put_record(StreamName="src", Data=b"plain-during", PartitionKey="p")
    assert during["EncryptionType"] == "NONE"  # not before the stream is ACTIVE again
    cloud.advance(1)
    after = kinesis.put_record(StreamName="src", Data=b"secret-after", PartitionKey="p")
    assert after["EncryptionType"] == "KMS"
    batch = kinesis.put_records(
        StreamName="src", Records=[{"Data": b"secret-batch", "PartitionKey": "p"}]
    )
    assert batch["EncryptionType"] == "KMS"
    records = read_shard(kinesis)
    assert [(r["Data"], r["EncryptionType"]) for r in records] == [
        (b"plain-before", "NONE"),
        (b"plain-during", "NONE"),
        (b"secret-after", "KMS"),
        (b"secret-batch", "KMS"),
    ]
    held = cloud.at_rest()[arn]
    assert held[:2] == [b"plain-before", b"plain-during"]
    assert len(held) == 4
    for blob in held[2:]:
        assert b"secret" not in blob
        assert len(blob) > len(b"secret-after") + 28  # wrapped key + nonce + tag


@pytest.mark.parametrize("form", ["key id", "key ARN", "alias name", "alias ARN", "aws/kinesis"])
def test_every_key_identifier_form(cloud: ReferenceCloud, kinesis, kms, form: str) -> None:
    active_stream(cloud, kinesis)
    meta = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/stream-key", TargetKeyId=meta["KeyId"])
    key_id = {
        "key id": meta["KeyId"],
        "key ARN": meta["Arn"],
        "alias name": "alias/stream-key",
        "alias ARN": "arn:aws:kms:us-east-1:123456789012:alias/stream-key",
        "aws/kinesis": "alias/aws/kinesis",
    }[form]
    encrypt(cloud, kinesis, key_id)
    assert summary(kinesis)["KeyId"] == key_id
    put = kinesis.put_record(StreamName="src", Data=b"secret", PartitionKey="p")
    assert put["EncryptionType"] == "KMS"
    assert [(r["Data"], r["EncryptionType"]) for r in read_shard(kinesis)] == [(b"secret", "KMS")]
    records = cloud.kinesis.read_for_consumer(cloud.kinesis.stream_arn("src"), "fh", caller=ROLE)
    assert [r.data for r in records] == [b"secret"]


def test_start_encryption_validates_the_key(cloud: ReferenceCloud, kinesis, kms) -> None:
    active_stream(cloud, kinesis)
    disabled = new_key(kms)
    kms.disable_key(KeyId=disabled)
    pending = new_key(kms)
    kms.schedule_key_deletion(KeyId=pending, PendingWindowInDays=7)
    asymmetric = new_key(kms, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
    hmac = new_key(kms, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    locked = new_key(kms, Policy=deny_policy(ROOT, ["kms:GenerateDataKey"]))
    cases = {
        "alias/does-not-exist": "KMSNotFoundException",
        "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000": (
            "KMSNotFoundException"
        ),
        "not a key": "KMSNotFoundException",
        disabled: "KMSDisabledException",
        pending: "KMSInvalidStateException",
        asymmetric: "KMSInvalidStateException",
        hmac: "KMSInvalidStateException",
        locked: "KMSAccessDeniedException",
    }
    for key_id, code in cases.items():
        got = error_of(
            kinesis.start_stream_encryption, StreamName="src", EncryptionType="KMS", KeyId=key_id
        )
        assert got == (code, 400), key_id
        s = summary(kinesis)
        assert (s["StreamStatus"], s["EncryptionType"]) == ("ACTIVE", "NONE")
    assert error_of(
        kinesis.start_stream_encryption, StreamName="src", EncryptionType="NONE",
        KeyId=new_key(kms),
    ) == ("InvalidArgumentException", 400)  # fmt: skip
    assert error_of(
        kinesis.start_stream_encryption, StreamName="nope", EncryptionType="KMS", KeyId="k"
    ) == ("ResourceNotFoundException", 400)


def deny_policy(principal: str, actions: list[str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "root",
                    "Effect": "Allow",
                    "Principal": {"AWS": ROOT},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "deny",
                    "Effect": "Deny",
                    "Principal": {"AWS": principal},
                    "Action": actions,
                    "Resource": "*",
                },
            ],
        }
    )


def test_twenty_five_key_applications_per_rolling_day(cloud: ReferenceCloud, kinesis, kms) -> None:
    active_stream(cloud, kinesis)
    key = new_key(kms)
    for _ in range(25):
        encrypt(cloud, kinesis, key)
    assert error_of(
        kinesis.start_stream_encryption, StreamName="src", EncryptionType="KMS", KeyId=key
    ) == ("LimitExceededException", 400)
    assert summary(kinesis)["StreamStatus"] == "ACTIVE"
    cloud.advance(hours=24)
    encrypt(cloud, kinesis, key)


def test_stop_encryption(cloud: ReferenceCloud, kinesis, kms) -> None:
    active_stream(cloud, kinesis)
    key = new_key(kms)
    assert error_of(
        kinesis.stop_stream_encryption, StreamName="src", EncryptionType="KMS", KeyId=key
    ) == ("InvalidArgumentException", 400)
    encrypt(cloud, kinesis, key)
    kinesis.stop_stream_encryption(StreamName="src", EncryptionType="KMS", KeyId=key)
    s = summary(kinesis)
    assert (s["StreamStatus"], s["EncryptionType"]) == ("UPDATING", "NONE")
    during = kinesis.put_record(StreamName="src", Data=b"d", PartitionKey="p")
    assert during["EncryptionType"] == "KMS"  # still encrypted until ACTIVE
    cloud.advance(1)
    assert summary(kinesis)["StreamStatus"] == "ACTIVE"
    after = kinesis.put_record(StreamName="src", Data=b"a", PartitionKey="p")
    assert after["EncryptionType"] == "NONE"
    assert [r["EncryptionType"] for r in read_shard(kinesis)] == ["KMS", "NONE"]
    assert error_of(
        kinesis.stop_stream_encryption, StreamName="src", EncryptionType="NONE", KeyId=key
    ) == ("InvalidArgumentException", 400)


# -- KMS failures at write and read (SRC-06) -------------------------------------------------


def test_disabled_key_fails_writes_and_reads(cloud: ReferenceCloud, kinesis, kms) -> None:
    arn = active_stream(cloud, kinesis)
    key = new_key(kms)
    encrypt(cloud, kinesis, key)
    kinesis.put_record(StreamName="src", Data=b"secret", PartitionKey="p")
    kms.disable_key(KeyId=key)
    assert error_of(kinesis.put_record, StreamName="src", Data=b"x", PartitionKey="p") == (
        "KMSDisabledException",
        400,
    )
    assert error_of(
        kinesis.put_records, StreamName="src", Records=[{"Data": b"x", "PartitionKey": "p"}]
    ) == ("KMSDisabledException", 400)
    iterator = kinesis.get_shard_iterator(
        StreamName="src", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    assert error_of(kinesis.get_records, ShardIterator=iterator) == ("KMSDisabledException", 400)
    with pytest.raises(AwsError) as caught:
        cloud.kinesis.read_for_consumer(arn, "fh", caller=ROLE)
    assert caught.value.code == "KMSDisabledException"
    kms.enable_key(KeyId=key)  # the checkpoint did not move: the record is still there to read
    assert [r.data for r in cloud.kinesis.read_for_consumer(arn, "fh", caller=ROLE)] == [b"secret"]


def test_pending_deletion_key_fails_reads_with_invalid_state(
    cloud: ReferenceCloud, kinesis, kms
) -> None:
    arn = active_stream(cloud, kinesis)
    key = new_key(kms)
    encrypt(cloud, kinesis, key)
    kinesis.put_record(StreamName="src", Data=b"secret", PartitionKey="p")
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    with pytest.raises(AwsError) as caught:
        cloud.kinesis.read_for_consumer(arn, "fh", caller=ROLE)
    assert caught.value.code == "KMSInvalidStateException"


def test_consumer_without_decrypt_permission(cloud: ReferenceCloud, kinesis, kms) -> None:
    """SRC-06: consumers need kms:Decrypt; the producer (the account) still reads and writes."""
    arn = active_stream(cloud, kinesis)
    encrypt(cloud, kinesis, new_key(kms, Policy=deny_policy(ROLE, ["kms:Decrypt"])))
    kinesis.put_record(StreamName="src", Data=b"secret", PartitionKey="p")
    with pytest.raises(AwsError) as caught:
        cloud.kinesis.read_for_consumer(arn, "fh", caller=ROLE)
    assert caught.value.code == "KMSAccessDeniedException"
    assert [r["Data"] for r in read_shard(kinesis)] == [b"secret"]
    assert [r.data for r in cloud.kinesis.read_for_consumer(arn, "other", caller=ROOT)] == [
        b"secret"
    ]


# -- the Python interface Firehose's Kinesis-source reader uses -----------------------------


def test_read_for_consumer_checkpoints_per_consumer(cloud: ReferenceCloud, kinesis) -> None:
    arn = active_stream(cloud, kinesis, shards=4)
    for i in range(6):
        kinesis.put_record(StreamName="src", Data=f"r{i}".encode(), PartitionKey=f"k{i}")
        cloud.advance(1)
    first = cloud.kinesis.read_for_consumer(arn, "a", caller=ROLE, limit=4)
    assert [r.data for r in first] == [b"r0", b"r1", b"r2", b"r3"]  # arrival order
    assert first[0].partition_key == "k0"
    assert first[1].arrival - first[0].arrival == 1.0
    assert [r.data for r in cloud.kinesis.read_for_consumer(arn, "a", caller=ROLE)] == [
        b"r4",
        b"r5",
    ]
    assert cloud.kinesis.read_for_consumer(arn, "a", caller=ROLE) == []
    assert len(cloud.kinesis.read_for_consumer(arn, "b", caller=ROLE)) == 6


def test_describe_by_arn(cloud: ReferenceCloud, kinesis, kms) -> None:
    arn = active_stream(cloud, kinesis)
    assert cloud.kinesis.stream_arn("src") == arn
    key = new_key(kms)
    encrypt(cloud, kinesis, key)
    stream = cloud.kinesis.describe_by_arn(arn)
    assert (stream.name, stream.arn, stream.status) == ("src", arn, "ACTIVE")
    assert (stream.encryption_type, stream.key_id) == ("KMS", key)
    for missing in (cloud.kinesis.stream_arn("nope"), "arn:aws:s3:::bucket"):
        with pytest.raises(AwsError) as caught:
            cloud.kinesis.describe_by_arn(missing)
        assert caught.value.code == "ResourceNotFoundException"
        with pytest.raises(AwsError):
            cloud.kinesis.read_for_consumer(missing, "fh", caller=ROLE)


# -- malformed requests answer 4xx -----------------------------------------------------------


def raw(cloud: ReferenceCloud, operation: str, body: object) -> tuple[int, str]:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = cloud.app.handle(
        Request(
            "POST",
            "/",
            "",
            {
                "x-amz-target": f"Kinesis_20131202.{operation}",
                "content-type": "application/x-amz-json-1.1",
            },
            payload,
        )
    )
    return response.status, json.loads(response.body)["__type"]


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("CreateStream", {"StreamName": "s", "ShardCount": "two"}),
        ("CreateStream", {"StreamName": "s", "StreamModeDetails": {"StreamMode": "FAST"}}),
        ("CreateStream", {"ShardCount": 1}),
        ("CreateStream", b"{not json"),
        ("PutRecord", {"StreamName": "s", "Data": "not base64!", "PartitionKey": "p"}),
        ("PutRecord", {"StreamName": "s", "Data": "eA==", "PartitionKey": ""}),
        ("GetShardIterator", {"StreamName": "s", "ShardId": "x", "ShardIteratorType": "OLDEST"}),
        ("GetRecords", {"ShardIterator": "x", "Limit": 10001}),
        ("StartStreamEncryption", {"StreamName": "s", "EncryptionType": "AES", "KeyId": "k"}),
        ("IncreaseStreamRetentionPeriod", {"StreamName": "s", "RetentionPeriodHours": True}),
        ("ListStreams", []),
        ("SplitShard", {"StreamName": "s"}),
    ],
)
def test_bad_input_answers_4xx(cloud: ReferenceCloud, operation: str, body: object) -> None:
    status, code = raw(cloud, operation, body)
    assert 400 <= status < 500, code
