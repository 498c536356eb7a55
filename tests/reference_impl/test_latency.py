"""The latency profile: each asynchronous step takes the time its profile gives it.

``none`` is the reference as it always was; ``aws`` takes durations of the order AWS documents
(reference_impl/latency.py, with the source of each); every duration can be set on its own.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from reference_impl import latency as latencies
from reference_impl.cloud import ReferenceCloud
from reference_impl.firehose.settings import FirehoseSettings
from reference_impl.latency import AWS_PROFILE, Latency

ROLE = "arn:aws:iam::123456789012:role/firehose-delivery"
BUCKET = "latency-destination"


# ---- the profiles and their names ----------------------------------------------------------------
def test_none_is_the_reference_as_it_was() -> None:
    plain, none = ReferenceCloud(), ReferenceCloud(latency=Latency())
    for cloud in (plain, none):
        settings = cloud.settings
        assert (settings.creating, settings.enabling, settings.disabling, settings.deleting) == (
            10.0,
            10.0,
            10.0,
            10.0,
        )
        assert settings.grant_retirement_seconds == 0.0
        assert settings.delivery_seconds == 0.0
        assert settings.metric_interval_seconds == 0.0
        kinesis = cloud.kinesis
        assert (kinesis.create_seconds, kinesis.transition_seconds, kinesis.delete_seconds) == (
            1.0,
            1.0,
            1.0,
        )
    assert plain.latency == Latency() == none.latency
    custom = ReferenceCloud(settings=FirehoseSettings(transition_seconds=3.0))
    assert custom.latency.firehose_deleting == 3.0 and custom.latency.profile == "none"


def test_every_aws_duration_has_a_source_in_the_module() -> None:
    doc = latencies.__doc__ or ""
    for name in latencies.NAMES:
        assert name in doc, name
    assert AWS_PROFILE.seconds() == {
        "firehose.creating": 40.0,
        "firehose.enabling": 30.0,
        "firehose.disabling": 30.0,
        "firehose.deleting": 180.0,
        "firehose.grant_retirement": 300.0,
        "firehose.delivery": 10.0,
        "firehose.metrics": 300.0,
        "kinesis.creating": 30.0,
        "kinesis.updating": 5.0,
        "kinesis.deleting": 30.0,
    }
    words = " ".join(doc.split())
    assert "several minutes" in words and "usually less than five minutes" in words


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("firehose.creating", "firehose_creating"),
        ("creating", "firehose_creating"),
        ("grant-retirement", "firehose_grant_retirement"),
        ("Firehose.Grant_Retirement", "firehose_grant_retirement"),
        ("kinesis.updating", "kinesis_updating"),
    ],
)
def test_names_unqualified_are_firehose_and_dash_is_underscore(name: str, field: str) -> None:
    assert latencies.field_name(name) == field


@pytest.mark.parametrize("name", ["updating", "kinesis.enabling", "s3.creating", ""])
def test_unknown_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="unknown latency"):
        latencies.field_name(name)


@pytest.mark.parametrize("text", ["creating", "creating=", "creating=-1", "creating=nan", "x=1"])
def test_bad_assignments_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        latencies.parse_assignment(text)


def test_resolve_applies_profile_then_transitions_then_file_then_assignments(
    tmp_path: Path,
) -> None:
    file = tmp_path / "latency.toml"
    file.write_text(
        'profile = "aws"\n[firehose]\ncreating = 60\ndeleting = 90\n[kinesis]\nupdating = 2\n'
    )
    resolved = latencies.resolve(file=file, assignments=["deleting=7", "firehose.metrics=60"])
    assert resolved.profile == "custom"
    assert resolved.seconds() == {
        **AWS_PROFILE.seconds(),
        "firehose.creating": 60.0,
        "firehose.deleting": 7.0,
        "firehose.metrics": 60.0,
        "kinesis.updating": 2.0,
    }
    # An explicit profile wins over the file's; transition seconds come before the file.
    none = latencies.resolve("none", transition_seconds=1.0, file=file)
    assert (none.firehose_enabling, none.firehose_creating, none.firehose_deleting) == (
        1.0,
        60.0,
        90.0,
    )
    assert none.firehose_grant_retirement == 0.0
    assert latencies.resolve("aws") == AWS_PROFILE
    assert latencies.resolve("aws", transition_seconds=5.0).firehose_deleting == 5.0


@pytest.mark.parametrize(
    "text",
    ['profile = "fast"\n', "[firehose]\nbogus = 1\n", "creating = -2\n", "creating = 'x'\n", "=="],
)
def test_bad_files_are_refused(tmp_path: Path, text: str) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(text)
    with pytest.raises(ValueError):
        latencies.read_file(file)
    with pytest.raises(ValueError, match="cannot read"):
        latencies.read_file(tmp_path / "missing.toml")


def test_the_table_lists_both_profiles() -> None:
    lines = latencies.table().splitlines()
    assert lines[0].split() == ["name", "none", "aws"]
    assert ["firehose.deleting", "10s", "180s"] in [line.split() for line in lines]


# ---- the aws profile, step by step ---------------------------------------------------------------
class World:
    def __init__(self, latency: Latency = AWS_PROFILE) -> None:
        self.cloud = ReferenceCloud(latency=latency, rate_limits=False)
        self.fh = self.cloud.client("firehose")
        self.kms = self.cloud.client("kms")
        self.s3 = self.cloud.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)

    def create(self, name: str, **extra: Any) -> None:
        self.fh.create_delivery_stream(
            DeliveryStreamName=name,
            DeliveryStreamType="DirectPut",
            S3DestinationConfiguration={
                "RoleARN": ROLE,
                "BucketARN": f"arn:aws:s3:::{BUCKET}",
                "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
            },
            **extra,
        )

    def describe(self, name: str) -> dict[str, Any]:
        return self.fh.describe_delivery_stream(DeliveryStreamName=name)[
            "DeliveryStreamDescription"
        ]

    def status(self, name: str) -> str:
        return self.describe(name)["DeliveryStreamStatus"]

    def enc_status(self, name: str) -> str:
        return self.describe(name)["DeliveryStreamEncryptionConfiguration"]["Status"]

    def objects(self) -> list[str]:
        return [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]

    def after(self, seconds: float) -> None:
        self.cloud.advance(seconds)


@pytest.fixture
def world() -> World:
    return World()


def test_creating_enabling_disabling_and_deleting_take_their_times(world: World) -> None:
    world.create("s")
    world.after(39)
    assert world.status("s") == "CREATING"
    world.after(1)
    assert world.status("s") == "ACTIVE"
    world.fh.start_delivery_stream_encryption(DeliveryStreamName="s")
    world.after(29)
    assert world.enc_status("s") == "ENABLING"
    world.after(1)
    assert world.enc_status("s") == "ENABLED"
    world.fh.stop_delivery_stream_encryption(DeliveryStreamName="s")
    world.after(29)
    assert world.enc_status("s") == "DISABLING"
    world.after(1)
    assert world.enc_status("s") == "DISABLED"
    world.fh.delete_delivery_stream(DeliveryStreamName="s")
    world.after(179)
    assert world.status("s") == "DELETING"
    world.after(1)
    assert world.fh.list_delivery_streams()["DeliveryStreamNames"] == []


def test_each_transition_can_be_set_on_its_own() -> None:
    latency = AWS_PROFILE.with_values({"creating": 5, "enabling": 2, "deleting": 1})
    world = World(latency)
    world.create("s")
    world.after(5)
    assert world.status("s") == "ACTIVE"
    world.fh.start_delivery_stream_encryption(DeliveryStreamName="s")
    world.after(2)
    assert world.enc_status("s") == "ENABLED"
    world.fh.delete_delivery_stream(DeliveryStreamName="s")
    world.after(1)
    assert world.fh.list_delivery_streams()["DeliveryStreamNames"] == []


def test_delivery_comes_its_time_after_the_buffer_interval(world: World) -> None:
    world.create("s")
    world.after(40)
    world.fh.put_record(DeliveryStreamName="s", Record={"Data": b"late"})
    world.after(60)  # the buffer's interval (the stream's own, in every profile)
    assert world.objects() == []
    assert world.cloud.firehose.summary("s")["pending"] == 1
    world.after(9.9)
    assert world.objects() == []
    world.after(0.1)
    (key,) = world.objects()
    assert world.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"late"


def test_deleting_before_the_delivery_discards_and_cancels_it(world: World) -> None:
    world.create("s")
    world.after(40)
    world.fh.put_record(DeliveryStreamName="s", Record={"Data": b"gone"})
    world.after(65)  # flushed, not yet written
    world.fh.delete_delivery_stream(DeliveryStreamName="s")
    world.after(600)
    assert world.objects() == []
    assert world.cloud.firehose.summary("s") == {"pending": 0, "delivered": 0, "discarded": 1}


def test_a_grant_no_longer_needed_is_retired_its_time_later(world: World) -> None:
    key = world.kms.create_key()["KeyMetadata"]["Arn"]
    world.create(
        "s",
        DeliveryStreamEncryptionConfigurationInput={
            "KeyType": "CUSTOMER_MANAGED_CMK",
            "KeyARN": key,
        },
    )
    world.after(40)
    assert len(world.kms.list_grants(KeyId=key)["Grants"]) == 1
    world.fh.stop_delivery_stream_encryption(DeliveryStreamName="s")
    world.after(30)  # DISABLING -> DISABLED; the key stays in effect for the lag (SSE-09)
    assert world.enc_status("s") == "DISABLED"
    lag = world.cloud.settings.encryption_lag_seconds
    world.after(lag + 299)
    assert len(world.kms.list_grants(KeyId=key)["Grants"]) == 1
    world.after(1)
    assert world.kms.list_grants(KeyId=key)["Grants"] == []


def test_re_enabling_the_key_before_the_retirement_keeps_the_grant(world: World) -> None:
    key = world.kms.create_key()["KeyMetadata"]["Arn"]
    config = {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key}
    world.create("s", DeliveryStreamEncryptionConfigurationInput=config)
    world.after(40)
    world.fh.stop_delivery_stream_encryption(DeliveryStreamName="s")
    world.after(100)  # DISABLED, the retirement pending
    world.fh.start_delivery_stream_encryption(
        DeliveryStreamName="s", DeliveryStreamEncryptionConfigurationInput=config
    )
    world.after(30 + 600)
    assert world.enc_status("s") == "ENABLED"
    assert len(world.kms.list_grants(KeyId=key)["Grants"]) == 1


def test_metrics_are_published_at_the_next_interval_with_the_time_they_were_met(
    world: World,
) -> None:
    key = world.kms.create_key()["KeyMetadata"]["Arn"]
    world.create(
        "s",
        DeliveryStreamEncryptionConfigurationInput={
            "KeyType": "CUSTOMER_MANAGED_CMK",
            "KeyARN": key,
        },
    )
    world.after(40)  # t = 40
    world.fh.put_record(DeliveryStreamName="s", Record={"Data": b"r"})
    world.kms.disable_key(KeyId=key)
    world.after(70)  # t = 110: flushed at 100, the delivery attempt fails at 110
    cw = world.cloud.client("cloudwatch")
    start = world.cloud.clock.now() - 110

    def datapoints() -> list[dict[str, Any]]:
        return cw.get_metric_statistics(
            Namespace="AWS/Firehose",
            MetricName="KMSKeyDisabled",
            Dimensions=[{"Name": "DeliveryStreamName", "Value": "s"}],
            StartTime=start,
            EndTime=start + 3600,
            Period=60,
            Statistics=["Sum"],
        )["Datapoints"]

    world.after(189)  # t = 299: three attempts failed (110, 170, 230, 290: four), none shown
    assert datapoints() == []
    assert cw.list_metrics(Namespace="AWS/Firehose")["Metrics"] == []
    world.after(1)  # t = 300: DG-MON's five-minute push
    points = sorted(datapoints(), key=lambda p: p["Timestamp"])
    assert sum(p["Sum"] for p in points) == 4
    assert [p["Timestamp"].timestamp() - start for p in points] == [60, 120, 180, 240]


def test_kinesis_creating_updating_and_deleting_take_their_times(world: World) -> None:
    kinesis = world.cloud.client("kinesis")
    kinesis.create_stream(StreamName="k", ShardCount=1)

    def status() -> str:
        return kinesis.describe_stream_summary(StreamName="k")["StreamDescriptionSummary"][
            "StreamStatus"
        ]

    world.after(29)
    assert status() == "CREATING"
    world.after(1)
    assert status() == "ACTIVE"
    kinesis.start_stream_encryption(StreamName="k", EncryptionType="KMS", KeyId="alias/aws/kinesis")
    world.after(4)
    assert status() == "UPDATING"
    world.after(1)
    assert status() == "ACTIVE"
    kinesis.delete_stream(StreamName="k")
    world.after(29)
    assert status() == "DELETING"
    world.after(1)
    assert kinesis.list_streams()["StreamNames"] == []


def test_the_profile_applies_to_every_account(world: World) -> None:
    other = world.cloud.account("111111111111")
    assert other.kinesis.create_seconds == 30.0
    assert other.firehose.settings.creating == 40.0


def test_a_latency_is_immutable_and_reports_itself() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        AWS_PROFILE.firehose_creating = 1.0  # type: ignore[misc]
    assert AWS_PROFILE.describe() == {"profile": "aws", "seconds": AWS_PROFILE.seconds()}
    assert AWS_PROFILE.longest_firehose_transition == 180.0
