"""One account per access key: what one account does never shows in, or counts against, another.

reference_impl/accounts.py: a 12-digit access key id acts in that account, any other (and an
unsigned request) in the default one; each account has its own streams, quota, rate limiter,
keys, Kinesis streams, metrics and buckets; bucket names are one namespace, as in S3.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.config import Config
from client_errors import code

from reference_impl.accounts import access_key_id, account_for
from reference_impl.cloud import CLIENT_CONFIG, ReferenceCloud
from reference_impl.firehose.settings import FirehoseSettings

A = "111111111111"
B = "222222222222"
DEFAULT = "123456789012"


def destination(account: str, bucket: str) -> dict[str, str]:
    return {
        "RoleARN": f"arn:aws:iam::{account}:role/firehose-delivery",
        "BucketARN": f"arn:aws:s3:::{bucket}",
    }


def create_stream(fh: Any, name: str, account: str, bucket: str = "unused") -> str:
    return fh.create_delivery_stream(
        DeliveryStreamName=name,
        DeliveryStreamType="DirectPut",
        S3DestinationConfiguration=destination(account, bucket),
    )["DeliveryStreamARN"]


@pytest.fixture
def cloud() -> ReferenceCloud:
    return ReferenceCloud(rate_limits=False)


# ---- the mapping ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "account"),
    [
        ("111111111111", "111111111111"),
        ("000000000000", "000000000000"),
        ("testing", DEFAULT),
        ("AKIAIOSFODNN7EXAMPLE", DEFAULT),
        ("11111111111", DEFAULT),  # 11 digits
        ("1111111111111", DEFAULT),  # 13 digits
        (None, DEFAULT),
    ],
)
def test_a_12_digit_access_key_is_its_account_any_other_the_default(
    key: str | None, account: str
) -> None:
    assert account_for(key, DEFAULT) == account


@pytest.mark.parametrize(
    ("headers", "query", "key"),
    [
        (
            {
                "authorization": "AWS4-HMAC-SHA256 Credential=111111111111/20261101/us-east-1/"
                "firehose/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"
            },
            "",
            "111111111111",
        ),
        (
            {"authorization": "AWS4-ECDSA-P256-SHA256 Credential=AKID/20261101/s3/aws4_request"},
            "",
            "AKID",
        ),
        ({"authorization": "AWS 222222222222:c2lnbmF0dXJl"}, "", "222222222222"),
        (
            {},
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=222222222222%2F20261101%2F"
            "us-east-1%2Fs3%2Faws4_request&X-Amz-Signature=abc",
            "222222222222",
        ),
        ({}, "AWSAccessKeyId=333333333333&Signature=abc&Expires=1", "333333333333"),
        ({}, "list-type=2", None),
        ({"authorization": "Bearer token"}, "", None),
    ],
)
def test_the_access_key_is_read_where_sigv4_or_sigv2_carries_it(
    headers: dict[str, str], query: str, key: str | None
) -> None:
    assert access_key_id(headers, query) == key


def test_sts_names_the_account_of_the_access_key(cloud: ReferenceCloud) -> None:
    """GetCallerIdentity is how the harness learns an endpoint's account; other actions fail."""
    assert cloud.client("sts", aws_access_key_id=A).get_caller_identity()["Account"] == A
    caller = cloud.client("sts").get_caller_identity()
    assert (caller["Account"], caller["Arn"]) == (DEFAULT, f"arn:aws:iam::{DEFAULT}:root")
    with pytest.raises(Exception) as refused:
        cloud.client("sts").get_session_token()
    assert code(refused) == "InvalidAction"


def test_a_signed_client_acts_in_the_account_of_its_access_key(cloud: ReferenceCloud) -> None:
    signed = cloud.client("firehose", aws_access_key_id=A)
    arn = create_stream(signed, "by-key", A)
    assert arn == f"arn:aws:firehose:us-east-1:{A}:deliverystream/by-key"
    assert cloud.account(A).firehose.streams.keys() == {"by-key"}
    assert cloud.firehose.streams == {}  # the default account saw nothing
    # "testing" (any other key) and an unsigned request act in the default account.
    create_stream(cloud.client("firehose"), "by-testing", DEFAULT)
    unsigned = cloud.client(
        "firehose", config=CLIENT_CONFIG.merge(Config(signature_version=UNSIGNED))
    )
    assert unsigned.list_delivery_streams()["DeliveryStreamNames"] == ["by-testing"]
    assert cloud.account_ids() == [DEFAULT, A]


def test_a_client_bound_to_an_account_acts_there_even_unsigned(cloud: ReferenceCloud) -> None:
    config = CLIENT_CONFIG.merge(Config(signature_version=UNSIGNED))
    fh = cloud.client("firehose", account_id=B, config=config)
    create_stream(fh, "bound", B)
    assert cloud.account(B).firehose.streams.keys() == {"bound"}
    assert cloud.client("firehose").list_delivery_streams()["DeliveryStreamNames"] == []


def test_an_account_id_must_be_12_digits(cloud: ReferenceCloud) -> None:
    for bad in ("12345", "abcdefghijkl", "1234567890123"):
        with pytest.raises(ValueError, match="12 digits"):
            cloud.client("kms", account_id=bad)
        with pytest.raises(ValueError, match="12 digits"):
            cloud.account(bad)
    with pytest.raises(ValueError, match="12 digits"):
        ReferenceCloud(account_id="default")


# ---- what is per account -------------------------------------------------------------------------
def test_firehose_streams_are_per_account_and_a_name_may_repeat(cloud: ReferenceCloud) -> None:
    fa, fb = cloud.client("firehose", account_id=A), cloud.client("firehose", account_id=B)
    arn_a = create_stream(fa, "same-name", A)
    arn_b = create_stream(fb, "same-name", B)
    assert (arn_a.split(":")[4], arn_b.split(":")[4]) == (A, B)
    cloud.advance(10)
    assert fa.list_delivery_streams()["DeliveryStreamNames"] == ["same-name"]
    fa.delete_delivery_stream(DeliveryStreamName="same-name")
    cloud.advance(10)
    assert fa.list_delivery_streams()["DeliveryStreamNames"] == []
    description = fb.describe_delivery_stream(DeliveryStreamName="same-name")
    assert description["DeliveryStreamDescription"]["DeliveryStreamARN"] == arn_b
    with pytest.raises(fa.exceptions.ResourceNotFoundException, match=A):
        fa.describe_delivery_stream(DeliveryStreamName="same-name")


def test_the_stream_quota_is_per_account() -> None:
    cloud = ReferenceCloud(rate_limits=False, settings=FirehoseSettings(streams_per_region=2))
    fa, fb = cloud.client("firehose", account_id=A), cloud.client("firehose", account_id=B)
    for name in ("a1", "a2"):
        create_stream(fa, name, A)
    with pytest.raises(fa.exceptions.LimitExceededException):
        create_stream(fa, "a3", A)
    for name in ("b1", "b2"):  # B's quota is whole
        create_stream(fb, name, B)
    with pytest.raises(fb.exceptions.LimitExceededException):
        create_stream(fb, "b3", B)


def test_the_control_plane_rate_limit_is_per_account() -> None:
    cloud = ReferenceCloud()  # rate limits on: five calls per second per operation (API-08)
    fa, fb = cloud.client("firehose", account_id=A), cloud.client("firehose", account_id=B)
    for _ in range(5):
        fa.list_delivery_streams()
    with pytest.raises(fa.exceptions.ClientError) as refused:
        fa.list_delivery_streams()
    assert code(refused) == "ThrottlingException"
    for _ in range(5):  # the same instant: B has its own five
        fb.list_delivery_streams()
    with pytest.raises(fb.exceptions.ClientError) as refused:
        fb.list_delivery_streams()
    assert code(refused) == "ThrottlingException"
    cloud.advance(1.0)
    fa.list_delivery_streams()


def test_kms_keys_are_per_account(cloud: ReferenceCloud) -> None:
    ka, kb = cloud.client("kms", account_id=A), cloud.client("kms", account_id=B)
    key = ka.create_key()["KeyMetadata"]
    assert key["Arn"].split(":")[4] == A
    assert key["AWSAccountId"] == A
    ka.create_alias(AliasName="alias/shared-name", TargetKeyId=key["KeyId"])
    assert kb.list_keys()["Keys"] == []
    with pytest.raises(kb.exceptions.NotFoundException):
        kb.describe_key(KeyId=key["Arn"])
    with pytest.raises(kb.exceptions.NotFoundException):
        kb.describe_key(KeyId="alias/shared-name")
    kb.create_alias(
        AliasName="alias/shared-name", TargetKeyId=kb.create_key()["KeyMetadata"]["KeyId"]
    )


def test_sse_with_a_cmk_works_in_another_account_and_its_grant_names_it(
    cloud: ReferenceCloud,
) -> None:
    s3 = cloud.client("s3", account_id=B)
    s3.create_bucket(Bucket="b-destination")
    kms, fh = cloud.client("kms", account_id=B), cloud.client("firehose", account_id=B)
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    fh.create_delivery_stream(
        DeliveryStreamName="sse",
        DeliveryStreamType="DirectPut",
        S3DestinationConfiguration=destination(B, "b-destination"),
        DeliveryStreamEncryptionConfigurationInput={
            "KeyType": "CUSTOMER_MANAGED_CMK",
            "KeyARN": key_arn,
        },
    )
    cloud.advance(10)
    grants = kms.list_grants(KeyId=key_arn)["Grants"]
    assert [g["IssuingAccount"] for g in grants] == [f"arn:aws:iam::{B}:root"]
    answer = fh.put_record_batch(DeliveryStreamName="sse", Records=[{"Data": b"secret-b" * 8}])
    assert answer["Encrypted"] is True
    held = cloud.at_rest()
    stream_arn = f"arn:aws:firehose:us-east-1:{B}:deliverystream/sse"
    assert list(held) == [stream_arn] == list(cloud.at_rest(B))
    assert cloud.at_rest(A) == {}
    assert all(b"secret-b" not in blob for blob in held[stream_arn])
    cloud.advance(300)
    (key,) = [o["Key"] for o in s3.list_objects_v2(Bucket="b-destination")["Contents"]]
    assert s3.get_object(Bucket="b-destination", Key=key)["Body"].read() == b"secret-b" * 8


def test_a_cmk_of_another_account_is_not_found(cloud: ReferenceCloud) -> None:
    key_arn = cloud.client("kms", account_id=A).create_key()["KeyMetadata"]["Arn"]
    fh = cloud.client("firehose", account_id=B)
    create_stream(fh, "s", B)
    cloud.advance(10)
    with pytest.raises(fh.exceptions.InvalidKMSResourceException):
        fh.start_delivery_stream_encryption(
            DeliveryStreamName="s",
            DeliveryStreamEncryptionConfigurationInput={
                "KeyType": "CUSTOMER_MANAGED_CMK",
                "KeyARN": key_arn,
            },
        )


def test_kinesis_streams_and_metrics_are_per_account(cloud: ReferenceCloud) -> None:
    kin_a, kin_b = cloud.client("kinesis", account_id=A), cloud.client("kinesis", account_id=B)
    kin_a.create_stream(StreamName="source", ShardCount=1)
    assert kin_b.list_streams()["StreamNames"] == []
    assert kin_a.list_streams()["StreamNames"] == ["source"]
    summary = kin_a.describe_stream_summary(StreamName="source")["StreamDescriptionSummary"]
    assert summary["StreamARN"].split(":")[4] == A
    cw_a, cw_b = cloud.client("cloudwatch", account_id=A), cloud.client("cloudwatch", account_id=B)
    cw_a.put_metric_data(Namespace="Mine", MetricData=[{"MetricName": "M", "Value": 1.0}])
    assert [m["MetricName"] for m in cw_a.list_metrics(Namespace="Mine")["Metrics"]] == ["M"]
    assert cw_b.list_metrics(Namespace="Mine")["Metrics"] == []


def test_buckets_are_per_account_and_their_names_one_namespace(cloud: ReferenceCloud) -> None:
    sa, sb = cloud.client("s3", account_id=A), cloud.client("s3", account_id=B)
    sa.create_bucket(Bucket="held-by-a")
    sa.create_bucket(Bucket="held-by-a")  # us-east-1: creating your own again is 200 OK
    assert [b["Name"] for b in sb.list_buckets()["Buckets"]] == []
    with pytest.raises(sb.exceptions.BucketAlreadyExists):
        sb.create_bucket(Bucket="held-by-a")
    with pytest.raises(sb.exceptions.ClientError) as denied:
        sb.put_object(Bucket="held-by-a", Key="k", Body=b"x")
    assert code(denied) == "AccessDenied"
    with pytest.raises(sb.exceptions.ClientError) as missing:
        sb.put_object(Bucket="held-by-nobody", Key="k", Body=b"x")
    assert code(missing) == "NoSuchBucket"
    sa.delete_bucket(Bucket="held-by-a")
    sb.create_bucket(Bucket="held-by-a")  # the name is free again


def test_firehose_cannot_deliver_to_another_accounts_bucket(cloud: ReferenceCloud) -> None:
    cloud.client("s3", account_id=A).create_bucket(Bucket="a-only")
    fh = cloud.client("firehose", account_id=B)
    create_stream(fh, "to-a", B, bucket="a-only")
    cloud.advance(10)
    fh.put_record(DeliveryStreamName="to-a", Record={"Data": b"x"})
    cloud.advance(400)
    assert cloud.account(B).firehose.summary("to-a") == {
        "pending": 1,
        "delivered": 0,
        "discarded": 0,
    }
    assert cloud.account(A).s3.objects("a-only") == {}


# ---- reset ---------------------------------------------------------------------------------------
def test_reset_of_one_account_forgets_it_alone_and_cancels_its_timers(
    cloud: ReferenceCloud,
) -> None:
    fa, fb = cloud.client("firehose", account_id=A), cloud.client("firehose", account_id=B)
    create_stream(fa, "a", A)
    create_stream(fb, "b", B)
    cloud.client("s3", account_id=A).create_bucket(Bucket="a-bucket")
    cloud.advance(5)  # both CREATING
    cloud.reset(A)
    assert not any(A in t.label or t.label.endswith(" a") for t in cloud.clock.scheduled())
    cloud.advance(5)
    assert fa.list_delivery_streams()["DeliveryStreamNames"] == []
    assert (
        fb.describe_delivery_stream(DeliveryStreamName="b")["DeliveryStreamDescription"][
            "DeliveryStreamStatus"
        ]
        == "ACTIVE"
    )
    cloud.client("s3", account_id=B).create_bucket(Bucket="a-bucket")  # A's name was freed
    now = cloud.clock.now()
    cloud.reset()
    assert cloud.clock.now() < now  # back to the start instant
    assert cloud.account_ids() == [DEFAULT]
    assert fb.list_delivery_streams()["DeliveryStreamNames"] == []


def test_resetting_the_default_account_alone_keeps_it_usable(cloud: ReferenceCloud) -> None:
    fh = cloud.client("firehose")
    create_stream(fh, "d", DEFAULT)
    cloud.reset(DEFAULT)
    assert cloud.firehose.streams == {}
    create_stream(fh, "d", DEFAULT)
    assert list(cloud.firehose.streams) == ["d"]
