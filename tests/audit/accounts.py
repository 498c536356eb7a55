"""Build accounts to audit, through ordinary (writing) boto3 clients of moto or the reference,
and check an audit of them against the findings expected.

``Account`` wraps the five clients of one region and a ``settle`` callable that lets the
asynchronous work finish (the reference advances its virtual clock; moto does everything at
once). The audit itself never sees these clients: it gets read-only ones of its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from firehose_conformance.audit import AuditReport
from firehose_conformance.spec_facts import KMS_METRICS, METRIC_DIMENSION, METRIC_NAMESPACE
from firehose_conformance.verdicts import Verdict

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/firehose-delivery"
SOURCE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/firehose-source"
BUCKET = "audit-destination"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:kms-alarms"
METRICS = tuple(KMS_METRICS)
OWNED = {"KeyType": "AWS_OWNED_CMK"}
SERVICES = ("firehose", "kms", "kinesis", "s3", "cloudwatch")

# Expected findings: verdicts by finding id.
P, F, W, NA = Verdict.PASSED, Verdict.FAILED, Verdict.WARN, Verdict.NOT_APPLICABLE
E = Verdict.ERROR
KEY_OK = {"sse-key-exists": P, "sse-key-state": P, "sse-key-spec": P, "sse-key-policy": P}
SOURCE_KEY_OK = {f"source-{k[4:]}": v for k, v in KEY_OK.items()}


def assert_findings(report: AuditReport, expected: dict[str, dict[str, Verdict]]) -> None:
    """Every stream expected was audited, and each got exactly the findings expected."""
    assert sorted(s.name for s in report.streams) == sorted(expected)
    for stream in report.streams:
        got = {f.id: f.verdict for f in stream.findings}
        assert got == expected[stream.name], stream.name


def key_id(arn: str) -> str:
    """The key id of a key ARN (moto's DisableKey and ScheduleKeyDeletion take no ARN)."""
    return arn.rsplit("/", 1)[-1]


def cmk(arn: str) -> dict[str, str]:
    return {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": arn}


@dataclass
class Account:
    clients: dict[str, Any]
    settle: Callable[[], None] = lambda: None
    region: str = "us-east-1"
    _bucket: bool = field(default=False, init=False)

    def __getattr__(self, service: str) -> Any:
        try:
            return self.clients[service]
        except KeyError:
            raise AttributeError(service) from None

    # -- KMS ------------------------------------------------------------------------------------
    def key(self, spec: str = "SYMMETRIC_DEFAULT", usage: str = "ENCRYPT_DECRYPT") -> str:
        return self.kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["Arn"]

    def deny(self, key: str, principal: dict[str, Any], action: Any, **extra: Any) -> None:
        """Add a Deny statement to the key's policy, keeping its other statements."""
        policy = json.loads(self.kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
        statement = {
            "Sid": "DenyFirehose",
            "Effect": "Deny",
            "Principal": principal,
            "Action": action,
            "Resource": "*",
            **extra,
        }
        policy["Statement"].append(statement)
        self.kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(policy))

    # -- Firehose -------------------------------------------------------------------------------
    @property
    def bucket(self) -> str:
        """Bucket names are global: one per region."""
        return f"{BUCKET}-{self.region}"

    def _destination(self) -> dict[str, Any]:
        if not self._bucket:
            kwargs: dict[str, Any] = {"Bucket": self.bucket}
            if self.region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
            self.s3.create_bucket(**kwargs)
            self._bucket = True
        return {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{self.bucket}"}

    def direct_put(self, name: str, *, sse: dict[str, str] | None = None) -> str:
        """A DirectPut stream, ACTIVE; with SSE started (not at creation) when ``sse`` is given."""
        arn = self.firehose.create_delivery_stream(
            DeliveryStreamName=name, S3DestinationConfiguration=self._destination()
        )["DeliveryStreamARN"]
        self.settle()
        if sse is not None:
            self.start(name, sse)
        return arn

    def start(self, name: str, sse: dict[str, str], *, settle: bool = True) -> None:
        self.firehose.start_delivery_stream_encryption(
            DeliveryStreamName=name, DeliveryStreamEncryptionConfigurationInput=sse
        )
        if settle:
            self.settle()

    def other_source(self, name: str, source_type: str) -> None:
        self.firehose.create_delivery_stream(
            DeliveryStreamName=name,
            DeliveryStreamType=source_type,
            S3DestinationConfiguration=self._destination(),
        )
        self.settle()

    # -- Kinesis --------------------------------------------------------------------------------
    def data_stream(self, name: str, *, key: str | None = None) -> str:
        self.kinesis.create_stream(StreamName=name, ShardCount=1)
        self.settle()
        if key is not None:
            self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key)
            self.settle()
        return self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"][
            "StreamARN"
        ]

    def kinesis_sourced(self, name: str, source_arn: str) -> None:
        self.firehose.create_delivery_stream(
            DeliveryStreamName=name,
            DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={
                "KinesisStreamARN": source_arn,
                "RoleARN": SOURCE_ROLE,
            },
            S3DestinationConfiguration=self._destination(),
        )
        self.settle()

    # -- CloudWatch -----------------------------------------------------------------------------
    def alarm(self, stream: str, metric: str, *, actions: bool = True) -> None:
        self.cloudwatch.put_metric_alarm(
            AlarmName=f"{stream}-{metric}",
            Namespace=METRIC_NAMESPACE,
            MetricName=metric,
            Dimensions=[{"Name": METRIC_DIMENSION, "Value": stream}],
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=0,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[TOPIC] if actions else [],
        )

    def alarms(self, stream: str) -> None:
        for metric in METRICS:
            self.alarm(stream, metric)


def build_common(account: Account) -> dict[str, str]:
    """The streams both moto and the reference can hold; returns the keys made, by role."""
    keys = {
        "good": account.key(),
        "disabled": account.key(),
        "deleting": account.key(),
        "denying": account.key(),
        "source": account.key(),
        "source-disabled": account.key(),
    }
    account.direct_put("dp-owned", sse=OWNED)
    account.direct_put("dp-cmk", sse=cmk(keys["good"]))
    account.direct_put("dp-off")
    account.direct_put("dp-key-disabled", sse=cmk(keys["disabled"]))
    account.kms.disable_key(KeyId=key_id(keys["disabled"]))
    account.direct_put("dp-key-deleting", sse=cmk(keys["deleting"]))
    account.kms.schedule_key_deletion(KeyId=key_id(keys["deleting"]), PendingWindowInDays=7)
    account.direct_put("dp-key-denying", sse=cmk(keys["denying"]))
    account.deny(
        keys["denying"], {"Service": "firehose.amazonaws.com"}, ["kms:Decrypt", "kms:Encrypt"]
    )
    account.kinesis_sourced(
        "kds-encrypted", account.data_stream("src-encrypted", key=keys["source"])
    )
    account.kinesis_sourced("kds-plain", account.data_stream("src-plain"))
    account.kinesis_sourced(
        "kds-key-disabled", account.data_stream("src-key-disabled", key=keys["source-disabled"])
    )
    account.kms.disable_key(KeyId=key_id(keys["source-disabled"]))
    return keys
