"""The world the Firehose tests share: one ReferenceCloud with a destination bucket, its boto3
clients, and shorthands for the calls every test file makes. A test file subclasses
``FirehoseEnv`` for the streams and checks only it needs."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any, ClassVar

from reference_impl.cloud import ReferenceCloud
from reference_impl.firehose.settings import FirehoseSettings

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/firehose-delivery"
BUCKET = "firehose-destination"
TRANSITION = 10.0  # FirehoseSettings.transition_seconds: CREATING, ENABLING, ... settle after it
LAG = 5.0  # the documented bound (SSE-06, SSE-09); the reference takes less
OWNED = {"KeyType": "AWS_OWNED_CMK"}
DENY_SID = "DenyFirehose"


def cmk(arn: str) -> dict[str, str]:
    return {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": arn}


def s3_destination(
    bucket: str = BUCKET, *, buffering: tuple[int, int] | None = None, **settings: Any
) -> dict[str, Any]:
    """An S3DestinationConfiguration; ``buffering`` is (SizeInMBs, IntervalInSeconds)."""
    destination: dict[str, Any] = {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}"}
    if buffering is not None:
        size_mb, interval = buffering
        destination["BufferingHints"] = {"SizeInMBs": size_mb, "IntervalInSeconds": interval}
    return {**destination, **settings}


class FirehoseEnv:
    """Firehose's five-calls-per-second limit (API-08) is off: the tests call back to back."""

    #: The BufferingHints of the destination ``create`` adds; None leaves the service's defaults.
    buffering: ClassVar[tuple[int, int] | None] = None

    def __init__(self, settings: FirehoseSettings | None = None) -> None:
        self.cloud = ReferenceCloud(settings=settings, rate_limits=False)
        self.fh = self.cloud.client("firehose")
        self.kms = self.cloud.client("kms")
        self.s3 = self.cloud.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)

    @cached_property
    def cw(self) -> Any:
        return self.cloud.client("cloudwatch")

    # -- delivery streams --------------------------------------------------------------------------

    def create(self, name: str, *, active: bool = True, **params: Any) -> str:
        """Create a stream (to BUCKET unless ``params`` names a destination); unless ``active``
        is False, let it become ACTIVE."""
        params = {"DeliveryStreamName": name, **params}
        if not any(member.endswith("DestinationConfiguration") for member in params):
            params["S3DestinationConfiguration"] = s3_destination(buffering=self.buffering)
        arn = self.fh.create_delivery_stream(**params)["DeliveryStreamARN"]
        if active:
            self.cloud.advance(TRANSITION)
        return arn

    def describe(self, name: str) -> dict[str, Any]:
        return self.fh.describe_delivery_stream(DeliveryStreamName=name)[
            "DeliveryStreamDescription"
        ]

    def status(self, name: str) -> str:
        return self.describe(name)["DeliveryStreamStatus"]

    def enc(self, name: str) -> dict[str, Any]:
        return self.describe(name)["DeliveryStreamEncryptionConfiguration"]

    def enc_status(self, name: str) -> str:
        return self.enc(name)["Status"]

    # -- SSE ---------------------------------------------------------------------------------------

    def start(self, name: str, config: dict[str, str] | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"DeliveryStreamName": name}
        if config is not None:
            params["DeliveryStreamEncryptionConfigurationInput"] = config
        response = self.fh.start_delivery_stream_encryption(**params)
        response.pop("ResponseMetadata")
        return response

    def stop(self, name: str) -> dict[str, Any]:
        response = self.fh.stop_delivery_stream_encryption(DeliveryStreamName=name)
        response.pop("ResponseMetadata")
        return response

    # -- KMS ---------------------------------------------------------------------------------------

    def key(self, spec: str = "SYMMETRIC_DEFAULT", usage: str = "ENCRYPT_DECRYPT") -> str:
        return self.kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["Arn"]

    def grants(self, key: str) -> list[dict[str, Any]]:
        return self.kms.list_grants(KeyId=key)["Grants"]

    def deny_firehose(self, key: str, action: str | None = "kms:*") -> None:
        """Give the key policy an explicit Deny of ``action`` to the Firehose service principal,
        in place of an earlier one; ``None`` takes the Deny away."""
        policy = json.loads(self.kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
        policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") != DENY_SID]
        if action is not None:
            policy["Statement"].append(
                {
                    "Sid": DENY_SID,
                    "Effect": "Deny",
                    "Principal": {"Service": "firehose.amazonaws.com"},
                    "Action": action,
                    "Resource": "*",
                }
            )
        self.kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(policy))

    # -- records and metrics -----------------------------------------------------------------------

    def put(self, name: str, data: bytes = b"record") -> bool:
        """PutRecord; its Encrypted flag."""
        response = self.fh.put_record(DeliveryStreamName=name, Record={"Data": data})
        assert isinstance(response["Encrypted"], bool)  # always present (AMB-23)
        return response["Encrypted"]

    def put_batch(self, name: str, *items: bytes) -> dict[str, Any]:
        return self.fh.put_record_batch(
            DeliveryStreamName=name, Records=[{"Data": d} for d in items]
        )

    def metric_sum(self, metric: str, name: str) -> float:
        """The Sum of an AWS/Firehose metric of stream ``name`` over the last ten days."""
        stats = self.cw.get_metric_statistics(
            Namespace="AWS/Firehose",
            MetricName=metric,
            Dimensions=[{"Name": "DeliveryStreamName", "Value": name}],
            StartTime=self.cloud.clock.now() - 10 * 86400,
            EndTime=self.cloud.clock.now() + 60,
            Period=86400,
            Statistics=["Sum"],
        )
        return sum(p["Sum"] for p in stats["Datapoints"])
