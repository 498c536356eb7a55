"""Firehose delivery streams: create, describe, list, delete, and the stream status machine (3.2).

Everything goes through real boto3 clients bound to an in-process ReferenceCloud.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from client_errors import error
from firehose_env import ACCOUNT, BUCKET, ROLE, TRANSITION, FirehoseEnv, cmk, s3_destination

from reference_impl.cloud import ReferenceCloud
from reference_impl.firehose.settings import FirehoseSettings


@pytest.fixture
def env() -> FirehoseEnv:
    return FirehoseEnv()


# -- create and describe ---------------------------------------------------------------------------


def test_create_is_asynchronous_creating_then_active(env: FirehoseEnv) -> None:
    arn = env.create("s1", active=False)
    assert arn == f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/s1"
    assert env.status("s1") == "CREATING"  # D1
    env.cloud.advance(TRANSITION - 1)
    assert env.status("s1") == "CREATING"
    env.cloud.advance(1)
    assert env.status("s1") == "ACTIVE"  # D2


def test_describe_direct_put_has_every_required_member(env: FirehoseEnv) -> None:
    env.create("s1")
    d = env.describe("s1")
    for member in (
        "DeliveryStreamName",
        "DeliveryStreamARN",
        "DeliveryStreamStatus",
        "DeliveryStreamType",
        "VersionId",
        "Destinations",
        "HasMoreDestinations",
    ):
        assert member in d
    assert d["DeliveryStreamType"] == "DirectPut"
    assert d["HasMoreDestinations"] is False
    assert "FailureDescription" not in d
    # AMB-09 / EV-SP769: DirectPut without SSE shows Status DISABLED and no KeyType.
    assert d["DeliveryStreamEncryptionConfiguration"] == {"Status": "DISABLED"}
    (dest,) = d["Destinations"]
    assert dest["DestinationId"] == "destinationId-000000000001"
    for view in ("S3DestinationDescription", "ExtendedS3DestinationDescription"):
        s3 = dest[view]
        assert s3["BucketARN"] == f"arn:aws:s3:::{BUCKET}"
        assert s3["RoleARN"] == ROLE
        assert s3["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 300}
        assert s3["CompressionFormat"] == "UNCOMPRESSED"
        assert s3["EncryptionConfiguration"] == {"NoEncryptionConfig": "NoEncryption"}


def test_extended_s3_destination_keeps_its_settings(env: FirehoseEnv) -> None:
    env.create(
        "ext",
        ExtendedS3DestinationConfiguration=s3_destination(
            Prefix="logs/", ErrorOutputPrefix="errors/", buffering=(2, 60)
        ),
    )
    ext = env.describe("ext")["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert ext["Prefix"] == "logs/"
    assert ext["ErrorOutputPrefix"] == "errors/"
    assert ext["BufferingHints"] == {"SizeInMBs": 2, "IntervalInSeconds": 60}
    assert ext["S3BackupMode"] == "Disabled"


def test_describe_missing_stream_is_not_found(env: FirehoseEnv) -> None:
    with pytest.raises(ClientError) as excinfo:
        env.describe("nope")
    assert error(excinfo) == (
        "ResourceNotFoundException",
        f"Firehose nope under account {ACCOUNT} not found.",
    )


def test_duplicate_create_is_resource_in_use(env: FirehoseEnv) -> None:
    env.create("dup")
    with pytest.raises(ClientError) as excinfo:
        env.create("dup")
    assert error(excinfo) == (
        "ResourceInUseException",
        f"Firehose dup under account {ACCOUNT} already exists.",
    )


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"DeliveryStreamType": "MSKAsSource"}, "not supported by the reference"),
        ({"DeliveryStreamType": "DatabaseAsSource"}, "not supported by the reference"),
        ({"DeliveryStreamType": "KinesisStreamAsSource"}, "KinesisStreamSourceConfiguration"),
        (
            {
                "KinesisStreamSourceConfiguration": {
                    "KinesisStreamARN": f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/d",
                    "RoleARN": ROLE,
                }
            },
            "KinesisStreamAsSource",
        ),
        (
            {
                "SplunkDestinationConfiguration": {
                    "HECEndpoint": "https://splunk.example.com",
                    "HECEndpointType": "Raw",
                    "S3Configuration": s3_destination(),
                }
            },
            "not supported by the reference",
        ),
    ],
)
def test_unsupported_or_inconsistent_create_is_invalid_argument(
    env: FirehoseEnv, extra: dict[str, Any], needle: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        env.create("bad", **extra)
    code, message = error(excinfo)
    assert code == "InvalidArgumentException"
    assert needle in message
    assert env.fh.list_delivery_streams()["DeliveryStreamNames"] == []


def test_create_needs_exactly_one_destination(env: FirehoseEnv) -> None:
    s3 = s3_destination()
    with pytest.raises(ClientError) as excinfo:
        env.fh.create_delivery_stream(DeliveryStreamName="none")
    assert error(excinfo)[0] == "InvalidArgumentException"
    with pytest.raises(ClientError) as excinfo:
        env.create("both", S3DestinationConfiguration=s3, ExtendedS3DestinationConfiguration=s3)
    assert error(excinfo)[0] == "InvalidArgumentException"


def test_compression_other_than_uncompressed_is_refused(env: FirehoseEnv) -> None:
    with pytest.raises(ClientError) as excinfo:
        env.create(
            "gz",
            S3DestinationConfiguration=s3_destination(CompressionFormat="GZIP"),
        )
    assert error(excinfo)[0] == "InvalidArgumentException"


@pytest.mark.parametrize("name", ["bad name!", "x" * 65])
def test_bad_stream_name_is_a_validation_error(env: FirehoseEnv, name: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        env.create(name)
    assert error(excinfo)[0] == "ValidationException"  # AMB-21


def test_bad_buffering_hint_is_a_validation_error(env: FirehoseEnv) -> None:
    with pytest.raises(ClientError) as excinfo:
        env.create(
            "hint",
            S3DestinationConfiguration=s3_destination(BufferingHints={"SizeInMBs": 129}),
        )
    assert error(excinfo)[0] == "ValidationException"


def test_region_quota() -> None:
    env = FirehoseEnv(FirehoseSettings(streams_per_region=2))
    env.create("a", active=False)
    env.create("b", active=False)
    with pytest.raises(ClientError) as excinfo:
        env.create("c", active=False)
    assert error(excinfo)[0] == "LimitExceededException"  # API-11


# -- list ------------------------------------------------------------------------------------------


def test_list_is_alphabetical_and_pages(env: FirehoseEnv) -> None:
    for name in ("c", "a", "b"):
        env.create(name, active=False)
    first = env.fh.list_delivery_streams(Limit=2)
    assert first["DeliveryStreamNames"] == ["a", "b"]
    assert first["HasMoreDeliveryStreams"] is True
    rest = env.fh.list_delivery_streams(ExclusiveStartDeliveryStreamName="b")
    assert rest == {**rest, "DeliveryStreamNames": ["c"], "HasMoreDeliveryStreams": False}
    none = env.fh.list_delivery_streams(DeliveryStreamType="KinesisStreamAsSource")
    assert none["DeliveryStreamNames"] == []


# -- delete ----------------------------------------------------------------------------------------


def test_delete_goes_through_deleting_then_gone(env: FirehoseEnv) -> None:
    env.create("d")
    env.fh.delete_delivery_stream(DeliveryStreamName="d")
    assert env.status("d") == "DELETING"  # D5
    env.fh.delete_delivery_stream(DeliveryStreamName="d")  # allowed while DELETING
    env.cloud.advance(TRANSITION)
    with pytest.raises(ClientError) as excinfo:
        env.describe("d")
    assert error(excinfo)[0] == "ResourceNotFoundException"
    env.create("d")  # the name is free again
    assert env.status("d") == "ACTIVE"


def test_delete_while_creating_is_resource_in_use(env: FirehoseEnv) -> None:
    env.create("c", active=False)
    with pytest.raises(ClientError) as excinfo:
        env.fh.delete_delivery_stream(DeliveryStreamName="c")
    assert error(excinfo)[0] == "ResourceInUseException"  # D6, API-10
    assert env.status("c") == "CREATING"


def test_delete_missing_stream_is_not_found(env: FirehoseEnv) -> None:
    with pytest.raises(ClientError) as excinfo:
        env.fh.delete_delivery_stream(DeliveryStreamName="ghost")
    assert error(excinfo)[0] == "ResourceNotFoundException"


def test_delete_discards_buffered_records(env: FirehoseEnv) -> None:
    env.create("buf")
    env.fh.put_record_batch(DeliveryStreamName="buf", Records=[{"Data": b"a"}, {"Data": b"b"}])
    assert env.cloud.at_rest()
    env.fh.delete_delivery_stream(DeliveryStreamName="buf")
    assert env.cloud.at_rest() == {}  # "Deletes a Firehose stream and its data."
    fates = env.cloud.firehose.record_fates("buf")
    assert {f.state for f in fates.values()} == {"discarded"}
    assert {f.reason for f in fates.values()} == {"stream-deleted"}
    env.cloud.advance(3600)
    assert env.s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0


def test_delete_retires_the_grant(env: FirehoseEnv) -> None:
    key = env.key()
    env.create("g", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    assert len(env.grants(key)) == 1
    env.fh.delete_delivery_stream(DeliveryStreamName="g")
    env.cloud.advance(TRANSITION)
    assert env.grants(key) == []  # D7: retired at deletion


def test_deleting_failed_when_the_grant_cannot_be_retired_then_force_delete(
    env: FirehoseEnv,
) -> None:
    key = env.key()
    env.create("g", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    (grant,) = env.grants(key)
    env.kms.revoke_grant(KeyId=key, GrantId=grant["GrantId"])  # the grant is now invalid
    env.fh.delete_delivery_stream(DeliveryStreamName="g")
    env.cloud.advance(TRANSITION)
    d = env.describe("g")
    assert d["DeliveryStreamStatus"] == "DELETING_FAILED"  # D7
    assert d["FailureDescription"]["Type"] == "RETIRE_KMS_GRANT_FAILED"
    assert d["FailureDescription"]["Details"]
    env.fh.delete_delivery_stream(DeliveryStreamName="g", AllowForceDelete=True)  # D9, GRT-05
    assert env.status("g") == "DELETING"
    env.cloud.advance(TRANSITION)
    with pytest.raises(ClientError):
        env.describe("g")


def test_deleted_key_makes_delete_fail_and_force_delete_leaves_the_grant(env: FirehoseEnv) -> None:
    key = env.key()
    env.create("g", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    env.cloud.kms.delete_key_now(key)
    env.fh.delete_delivery_stream(DeliveryStreamName="g")
    env.cloud.advance(TRANSITION)
    assert env.status("g") == "DELETING_FAILED"
    env.fh.delete_delivery_stream(DeliveryStreamName="g", AllowForceDelete=True)
    env.cloud.advance(TRANSITION)
    assert env.fh.list_delivery_streams()["DeliveryStreamNames"] == []


def test_force_delete_of_an_active_stream(env: FirehoseEnv) -> None:
    key = env.key()
    env.create("g", DeliveryStreamEncryptionConfigurationInput=cmk(key))
    env.fh.delete_delivery_stream(DeliveryStreamName="g", AllowForceDelete=True)
    env.cloud.advance(TRANSITION)
    assert env.fh.list_delivery_streams()["DeliveryStreamNames"] == []
    assert env.grants(key) == []  # retirement still tried, and it worked


# -- CREATING_FAILED (D3, D4, API-09) --------------------------------------------------------------


def test_creating_failed_is_terminal_and_only_deletable(env: FirehoseEnv) -> None:
    key = env.key("RSA_2048")
    env.create("cf", active=False, DeliveryStreamEncryptionConfigurationInput=cmk(key))
    enc = env.describe("cf")["DeliveryStreamEncryptionConfiguration"]
    assert enc == {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key, "Status": "ENABLING"}
    env.cloud.advance(TRANSITION)
    d = env.describe("cf")
    assert d["DeliveryStreamStatus"] == "CREATING_FAILED"
    assert d["FailureDescription"]["Type"] == "INVALID_KMS_KEY"
    assert "RSA_2048" in d["FailureDescription"]["Details"]
    assert d["DeliveryStreamEncryptionConfiguration"]["Status"] == "ENABLING_FAILED"
    env.cloud.advance(3600)
    assert env.status("cf") == "CREATING_FAILED"
    with pytest.raises(ClientError) as excinfo:
        env.create("cf", active=False)
    assert error(excinfo)[0] == "ResourceInUseException"
    with pytest.raises(ClientError) as excinfo:
        env.fh.put_record(DeliveryStreamName="cf", Record={"Data": b"x"})
    assert error(excinfo)[0] == "ResourceNotFoundException"
    env.fh.delete_delivery_stream(DeliveryStreamName="cf")
    env.cloud.advance(TRANSITION)
    assert env.fh.list_delivery_streams()["DeliveryStreamNames"] == []
    assert env.grants(key) == []


def test_key_disabled_while_creating_fails_the_creation(env: FirehoseEnv) -> None:
    key = env.key()
    env.create("cf", active=False, DeliveryStreamEncryptionConfigurationInput=cmk(key))
    env.kms.disable_key(KeyId=key)
    env.cloud.advance(TRANSITION)
    d = env.describe("cf")
    assert d["DeliveryStreamStatus"] == "CREATING_FAILED"
    assert d["FailureDescription"]["Type"] == "DISABLED_KMS_KEY"
    assert env.grants(key) == []


# -- tags ------------------------------------------------------------------------------------------


def test_tags(env: FirehoseEnv) -> None:
    env.create("t", Tags=[{"Key": "team", "Value": "data"}])
    env.fh.tag_delivery_stream(DeliveryStreamName="t", Tags=[{"Key": "env", "Value": "test"}])
    tags = env.fh.list_tags_for_delivery_stream(DeliveryStreamName="t")
    assert tags["Tags"] == [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "data"}]
    assert tags["HasMoreTags"] is False
    env.fh.untag_delivery_stream(DeliveryStreamName="t", TagKeys=["team"])
    assert env.fh.list_tags_for_delivery_stream(DeliveryStreamName="t")["Tags"] == [
        {"Key": "env", "Value": "test"}
    ]


# -- API-08: five calls per second per operation ---------------------------------------------------


def test_more_than_five_control_calls_in_one_second_are_throttled() -> None:
    cloud = ReferenceCloud()  # API-08 is enforced by the protocol layer in front of Firehose
    fh = cloud.client("firehose")
    fh.create_delivery_stream(
        DeliveryStreamName="s",
        S3DestinationConfiguration=s3_destination(),
    )
    cloud.advance(TRANSITION)
    outcomes = []
    for _ in range(8):
        try:
            fh.describe_delivery_stream(DeliveryStreamName="s")
            outcomes.append("ok")
        except ClientError as err:
            outcomes.append(err.response["Error"]["Code"])
    assert outcomes == ["ok"] * 5 + ["ThrottlingException"] * 3
    for _ in range(5):
        fh.put_record(DeliveryStreamName="s", Record={"Data": b"x"})  # puts are not limited
    cloud.advance(1)
    fh.describe_delivery_stream(DeliveryStreamName="s")
