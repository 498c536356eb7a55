"""Domain actions over any Target: make keys, buckets and streams, read back what happened.

Written once against boto3, so steps stay thin and every target is driven the same way.
Everything created is entered in the target's ledger, so teardown removes it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from enum import StrEnum
from functools import partial
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from firehose_conformance.outcome import Outcome
from firehose_conformance.targets.base import KeyRef, StreamRef, Target

DIRECT_PUT = "DirectPut"
KINESIS_SOURCE = "KinesisStreamAsSource"
AWS_OWNED = {"KeyType": "AWS_OWNED_CMK"}
DEFAULT_BUFFER_SECONDS = 60
T = TypeVar("T")


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def make_records(count: int) -> list[bytes]:
    """Unique, recognisable payloads: any 16-byte run of one is unlikely anywhere else."""
    return [f"fsc-record {uuid.uuid4().hex} {uuid.uuid4().hex}\n".encode() for _ in range(count)]


# ---- KMS -----------------------------------------------------------------------------------------
def create_key(target: Target, spec: str = "SYMMETRIC_DEFAULT", usage: str | None = None) -> KeyRef:
    tags = {"firehose-conformance": target.run_id, **target.resource_tags()}
    params: dict[str, Any] = {
        "KeySpec": spec,
        "Description": "firehose-conformance test key",
        "Tags": [{"TagKey": k, "TagValue": v} for k, v in tags.items()],
    }
    if usage:
        params["KeyUsage"] = usage
    meta = target.kms.create_key(**params)["KeyMetadata"]
    key = KeyRef(meta["KeyId"], meta["Arn"])
    target.ledger.add(f"KMS key {key.arn}", lambda: _schedule_deletion_quietly(target, key))
    return key


def _schedule_deletion_quietly(target: Target, key: KeyRef) -> None:
    try:
        target.kms.schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=7)
    except ClientError as error:  # already pending deletion, or already gone: nothing to undo
        if error.response["Error"]["Code"] not in ("KMSInvalidStateException", "NotFoundException"):
            raise


def create_alias(target: Target, key: KeyRef) -> str:
    name = f"alias/{target.unique_name('alias')}"
    target.kms.create_alias(AliasName=name, TargetKeyId=key.key_id)
    target.ledger.add(f"KMS alias {name}", lambda: target.kms.delete_alias(AliasName=name))
    return name


def alias_arn(target: Target, alias_name: str) -> str:
    return f"arn:aws:kms:{target.region}:{target.account_id}:{alias_name}"


def default_key_policy(target: Target) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{target.account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


def deny_firehose(target: Target, key: KeyRef, action: str) -> None:
    """Add explicit Deny statements for Firehose (and its delivery role) to the key policy."""
    policy = default_key_policy(target)
    for i, principal in enumerate(target.firehose_key_policy_principals()):
        policy["Statement"].append(
            {
                "Sid": f"DenyFirehose{i}",
                "Effect": "Deny",
                "Principal": principal,
                "Action": action,
                "Resource": "*",
            }
        )
    target.kms.put_key_policy(KeyId=key.key_id, PolicyName="default", Policy=json.dumps(policy))


def restore_key_policy(target: Target, key: KeyRef) -> None:
    target.kms.put_key_policy(
        KeyId=key.key_id, PolicyName="default", Policy=json.dumps(default_key_policy(target))
    )


class KeyIdForm(StrEnum):
    """The ways a request can name a KMS key (KMS and Kinesis accept all four, SRC-04)."""

    KEY_ID = "key id"
    KEY_ARN = "key ARN"
    ALIAS_NAME = "alias name"
    ALIAS_ARN = "alias ARN"


def key_identifier(target: Target, key: KeyRef, form: KeyIdForm) -> str:
    """``key`` named in ``form``; an alias form makes a new alias for it."""
    if form == KeyIdForm.KEY_ID:
        return key.key_id
    if form == KeyIdForm.KEY_ARN:
        return key.arn
    alias = create_alias(target, key)
    return alias if form == KeyIdForm.ALIAS_NAME else alias_arn(target, alias)


def grants(target: Target, key: KeyRef) -> list[dict[str, Any]]:
    return target.kms.list_grants(KeyId=key.key_id).get("Grants", [])


def revoke_all_grants(target: Target, key: KeyRef) -> None:
    for grant in grants(target, key):
        target.kms.revoke_grant(KeyId=key.key_id, GrantId=grant["GrantId"])


def key_metadata(target: Target, key: KeyRef) -> dict[str, Any]:
    return target.kms.describe_key(KeyId=key.key_id)["KeyMetadata"]


# ---- S3 ------------------------------------------------------------------------------------------
def create_bucket(target: Target, name: str | None = None) -> str:
    bucket = name or target.unique_name("bucket")
    params: dict[str, Any] = {"Bucket": bucket}
    if target.region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": target.region}
    target.s3.create_bucket(**params)
    if name is None:
        target.ledger.add(f"S3 bucket {bucket}", lambda: delete_bucket(target, bucket))
    tags = target.resource_tags()
    if tags:  # CreateBucket takes no tags on every implementation: tag it right after
        target.s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": _tag_list(tags)})
    return bucket


def delete_bucket(target: Target, bucket: str) -> None:
    try:
        for key in list_object_keys(target, bucket):
            target.s3.delete_object(Bucket=bucket, Key=key)
        target.s3.delete_bucket(Bucket=bucket)
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("NoSuchBucket", "404"):
            raise


def list_object_keys(target: Target, bucket: str) -> list[str]:
    keys: list[str] = []
    params: dict[str, Any] = {"Bucket": bucket}
    while True:
        page = target.s3.list_objects_v2(**params)
        keys.extend(item["Key"] for item in page.get("Contents", []))
        if not page.get("IsTruncated"):
            return keys
        params["ContinuationToken"] = page["NextContinuationToken"]


def destination_bytes(target: Target, bucket: str) -> bytes:
    """Everything delivered to the bucket, concatenated (a missing bucket holds nothing)."""
    try:
        keys = list_object_keys(target, bucket)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("NoSuchBucket", "404"):
            return b""
        raise
    return b"".join(target.s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys)


# ---- Firehose ------------------------------------------------------------------------------------
def encryption_input(key: KeyRef | None) -> dict[str, str]:
    """The encryption input for a customer managed key, or for an AWS owned key (None)."""
    if key is None:
        return dict(AWS_OWNED)
    return customer_key_input(key.arn)


def customer_key_input(key_arn: str) -> dict[str, str]:
    """The encryption input for a customer managed key given by whatever text ``key_arn`` is."""
    return {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key_arn}


def stream_arn(target: Target, name: str) -> str:
    return f"arn:aws:firehose:{target.region}:{target.account_id}:deliverystream/{name}"


def create_delivery_stream(
    target: Target,
    name: str,
    *,
    bucket: str,
    kinesis_stream_arn: str | None = None,
    encryption: dict[str, Any] | None = None,
    buffer_seconds: int = DEFAULT_BUFFER_SECONDS,
    validate: bool = True,
) -> Outcome:
    params: dict[str, Any] = {
        "DeliveryStreamName": name,
        "DeliveryStreamType": KINESIS_SOURCE if kinesis_stream_arn else DIRECT_PUT,
        "ExtendedS3DestinationConfiguration": {
            "RoleARN": target.delivery_role_arn(),
            "BucketARN": f"arn:aws:s3:::{bucket}",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": buffer_seconds},
        },
    }
    if kinesis_stream_arn:
        params["KinesisStreamSourceConfiguration"] = {
            "KinesisStreamARN": kinesis_stream_arn,
            "RoleARN": target.delivery_role_arn(),
        }
    if encryption is not None:
        params["DeliveryStreamEncryptionConfigurationInput"] = encryption
    tags = target.resource_tags()
    if tags:
        params["Tags"] = _tag_list(tags)
    outcome = target.call("firehose", "create_delivery_stream", validate=validate, **params)
    if outcome.ok:
        target.ledger.add(f"delivery stream {name}", lambda: delete_stream_quietly(target, name))
    return outcome


def delete_stream(target: Target, name: str, *, force: bool = False) -> Outcome:
    """Delete the delivery stream; ``force`` sets AllowForceDelete."""
    params: dict[str, Any] = {"DeliveryStreamName": name}
    if force:
        params["AllowForceDelete"] = True
    return target.call("firehose", "delete_delivery_stream", **params)


def delete_stream_quietly(target: Target, name: str) -> None:
    try:
        target.firehose.delete_delivery_stream(DeliveryStreamName=name, AllowForceDelete=True)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise


def describe(target: Target, name: str) -> dict[str, Any]:
    return target.firehose.describe_delivery_stream(DeliveryStreamName=name)[
        "DeliveryStreamDescription"
    ]


def describe_or_none(target: Target, name: str) -> dict[str, Any] | None:
    """The description, or None once the stream is gone."""
    try:
        return describe(target, name)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ResourceNotFoundException":
            return None
        raise


def stream_status(target: Target, name: str) -> str | None:
    found = describe_or_none(target, name)
    return None if found is None else found["DeliveryStreamStatus"]


def encryption_config(target: Target, name: str) -> dict[str, Any] | None:
    return describe(target, name).get("DeliveryStreamEncryptionConfiguration")


NO_CONFIG = "(no DeliveryStreamEncryptionConfiguration)"


def encryption_status(target: Target, name: str) -> str:
    """EncCfg.Status, or a parenthesised description of what Describe showed instead (moto
    leaves the configuration out, or gives one without a Status: EV-MOTO), so that a reason
    says what the target answered rather than "None"."""
    config = encryption_config(target, name)
    if config is None:
        return NO_CONFIG
    status = config.get("Status")
    return status if isinstance(status, str) else f"(no Status in {config})"


def await_transition(
    target: Target, read: Callable[[], T], until: Callable[[T], bool], what: str
) -> T:
    """Read until ``until`` holds, for at most the target's transition time."""
    return target.poll(read, until, timeout=target.profile.transition_timeout, what=what)


def wait_stream_status(target: Target, name: str, wanted: str) -> None:
    read = partial(stream_status, target, name)
    what = f"delivery stream {name} status {wanted}"
    await_transition(target, read, lambda status: status == wanted, what)


def wait_encryption_status(target: Target, name: str, wanted: str) -> None:
    read = partial(encryption_status, target, name)
    what = f"encryption status {wanted} of {name}"
    await_transition(target, read, lambda status: status == wanted, what)


def settled_stream_status(target: Target, name: str) -> str | None:
    """The delivery stream status once creation has ended (no longer CREATING)."""
    read = partial(stream_status, target, name)
    what = f"the end of creating {name}"
    return await_transition(target, read, lambda status: status != "CREATING", what)


def settled_encryption_status(target: Target, name: str) -> str | None:
    """The encryption status once an enable attempt has ended (no longer ENABLING)."""
    read = partial(encryption_status, target, name)
    what = f"the end of the enable attempt on {name}"
    return await_transition(target, read, lambda status: status != "ENABLING", what)


def attempt_delivery_stream(
    target: Target,
    *,
    kinesis_stream_arn: str | None = None,
    encryption: dict[str, Any] | None = None,
    buffer_seconds: int = DEFAULT_BUFFER_SECONDS,
    validate: bool = True,
) -> tuple[StreamRef, Outcome]:
    """Ask for a delivery stream with its own bucket, without waiting: where it would be, and
    what the call answered."""
    name = target.unique_name("fh")
    bucket = create_bucket(target)
    outcome = create_delivery_stream(
        target,
        name,
        bucket=bucket,
        kinesis_stream_arn=kinesis_stream_arn,
        encryption=encryption,
        buffer_seconds=buffer_seconds,
        validate=validate,
    )
    return StreamRef(name, stream_arn(target, name), bucket), outcome


def new_delivery_stream(
    target: Target,
    *,
    kinesis_stream_arn: str | None = None,
    encryption: dict[str, Any] | None = None,
    buffer_seconds: int = DEFAULT_BUFFER_SECONDS,
) -> StreamRef:
    """Create a delivery stream with its own bucket and wait until it is ACTIVE."""
    stream, outcome = attempt_delivery_stream(
        target,
        kinesis_stream_arn=kinesis_stream_arn,
        encryption=encryption,
        buffer_seconds=buffer_seconds,
    )
    if not outcome.ok:
        raise AssertionError(
            f"could not create delivery stream {stream.name}: {outcome.describe()}"
        )
    wait_stream_status(target, stream.name, "ACTIVE")
    return stream


def start_encryption(
    target: Target,
    name: str,
    encryption: dict[str, Any] | None,
    *,
    validate: bool = True,
    client: Any = None,
) -> Outcome:
    """Start SSE; ``client`` calls with other credentials than the target's own."""
    params: dict[str, Any] = {"DeliveryStreamName": name}
    if encryption is not None:
        params["DeliveryStreamEncryptionConfigurationInput"] = encryption
    return target.call(
        "firehose", "start_delivery_stream_encryption", validate=validate, client=client, **params
    )


def enable_encryption(target: Target, name: str, encryption: dict[str, Any] | None) -> None:
    """Start SSE and wait until it is ENABLED (a precondition: a refusal fails the step)."""
    outcome = start_encryption(target, name, encryption)
    assert outcome.ok, outcome.describe()
    wait_encryption_status(target, name, "ENABLED")


def stop_encryption(target: Target, name: str) -> Outcome:
    return target.call("firehose", "stop_delivery_stream_encryption", DeliveryStreamName=name)


class PutOperation(StrEnum):
    """The two Firehose operations that put records."""

    PUT_RECORD = "PutRecord"
    PUT_RECORD_BATCH = "PutRecordBatch"


def put(
    target: Target, name: str, records: list[bytes], operation: PutOperation, client: Any = None
) -> Outcome:
    """Put ``records`` with ``operation``; ``client`` calls with other credentials."""
    if operation == PutOperation.PUT_RECORD:
        if len(records) != 1:
            raise ValueError("PutRecord carries one record")
        return target.call(
            "firehose",
            "put_record",
            client=client,
            DeliveryStreamName=name,
            Record={"Data": records[0]},
        )
    if operation == PutOperation.PUT_RECORD_BATCH:
        outcome = target.call(
            "firehose",
            "put_record_batch",
            client=client,
            DeliveryStreamName=name,
            Records=[{"Data": r} for r in records],
        )
        failed = (outcome.response or {}).get("FailedPutCount", 0)
        if outcome.ok and failed:
            raise AssertionError(f"PutRecordBatch reported {failed} failed records: {outcome}")
        return outcome
    raise ValueError(f"unknown put operation {operation!r}")


# ---- Kinesis Data Streams ------------------------------------------------------------------------
def create_data_stream(target: Target, retention_hours: int = 24) -> str:
    name = target.unique_name("kds")
    tags = target.resource_tags()
    target.kinesis.create_stream(StreamName=name, ShardCount=1, **({"Tags": tags} if tags else {}))
    target.ledger.add(
        f"Kinesis stream {name}",
        lambda: target.kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True),
    )
    wait_data_stream_active(target, name)
    if tags:  # again once ACTIVE: not every implementation honours Tags on CreateStream
        target.kinesis.add_tags_to_stream(StreamName=name, Tags=tags)
    if retention_hours > 24:
        target.kinesis.increase_stream_retention_period(
            StreamName=name, RetentionPeriodHours=retention_hours
        )
        wait_data_stream_active(target, name)
    return name


def put_to_data_stream(target: Target, name: str, record: bytes) -> Outcome:
    return target.call("kinesis", "put_record", StreamName=name, Data=record, PartitionKey="fsc")


def start_data_stream_encryption(
    target: Target, name: str, key_id: str, encryption_type: str = "KMS", *, validate: bool = True
) -> Outcome:
    return target.call(
        "kinesis",
        "start_stream_encryption",
        validate=validate,
        StreamName=name,
        EncryptionType=encryption_type,
        KeyId=key_id,
    )


def encrypt_data_stream(target: Target, name: str, key_id: str) -> None:
    """Turn on the data stream's SSE and wait until it is ACTIVE again (a refusal raises)."""
    target.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key_id)
    wait_data_stream_active(target, name)


def data_stream_summary(target: Target, name: str) -> dict[str, Any]:
    return target.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


def wait_data_stream_active(target: Target, name: str) -> dict[str, Any]:
    read = partial(data_stream_summary, target, name)
    what = f"Kinesis stream {name} ACTIVE"
    return await_transition(target, read, lambda summary: summary["StreamStatus"] == "ACTIVE", what)


def read_data_stream(target: Target, name: str) -> list[dict[str, Any]]:
    """Every record in the data stream, oldest first, as GetRecords returns them."""
    records: list[dict[str, Any]] = []
    shards = target.kinesis.list_shards(StreamName=name)["Shards"]
    for shard in shards:
        iterator = target.kinesis.get_shard_iterator(
            StreamName=name, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        for _ in range(100):
            page = target.kinesis.get_records(ShardIterator=iterator, Limit=1000)
            records.extend(page["Records"])
            iterator = page.get("NextShardIterator")
            if not page["Records"] or not iterator or page.get("MillisBehindLatest", 0) == 0:
                break
    return sorted(records, key=lambda r: int(r["SequenceNumber"]))
