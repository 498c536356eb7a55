"""Read-only by construction: both fences refuse writes before any request exists.

The clients are the reference cloud's real boto3 clients; a ``before-send`` recorder (the
stage at which a request would leave) proves that a refused call never got that far, and the
cloud's state shows nothing changed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from accounts import OWNED, Account

from firehose_conformance.audit.guard import (
    AUDIT_READS,
    READ_PREFIXES,
    ReadOnlyClient,
    WriteRefused,
    fence,
    iam_actions,
    is_permitted,
)
from reference_impl.cloud import ReferenceCloud

README = Path(__file__).resolve().parents[2] / "README.md"


class Recorder:
    """Counts the requests that reach the send stage."""

    def __init__(self, client: Any) -> None:
        self.sent: list[str] = []
        client.meta.events.register("before-send", self)

    def __call__(self, request: Any, **_: Any) -> None:
        self.sent.append(request.url)


@pytest.fixture
def stream(reference_account: Account) -> str:
    reference_account.direct_put("kept", sse=OWNED)
    return "kept"


@pytest.mark.parametrize(
    ("service", "method", "params"),
    [
        ("firehose", "delete_delivery_stream", {"DeliveryStreamName": "kept"}),
        ("firehose", "start_delivery_stream_encryption", {"DeliveryStreamName": "kept"}),
        ("firehose", "stop_delivery_stream_encryption", {"DeliveryStreamName": "kept"}),
        ("firehose", "put_record", {"DeliveryStreamName": "kept", "Record": {"Data": b"x"}}),
        ("kms", "put_key_policy", {"KeyId": "k", "Policy": "{}"}),
        ("kms", "disable_key", {"KeyId": "k"}),
        ("kms", "decrypt", {"CiphertextBlob": b"x"}),
        ("kinesis", "get_records", {"ShardIterator": "x"}),  # a Get, but a read of data
        ("cloudwatch", "put_metric_alarm", {"AlarmName": "a"}),
    ],
)
def test_the_wrapper_refuses_every_other_operation(
    cloud: ReferenceCloud, stream: str, service: str, method: str, params: dict
) -> None:
    raw = cloud.client(service)
    recorder = Recorder(raw)
    guarded = ReadOnlyClient(raw)
    with pytest.raises(WriteRefused, match="refused: the audit is read-only"):
        getattr(guarded, method)(**params)
    assert recorder.sent == []


@pytest.mark.parametrize("attribute", ["meta", "get_paginator", "get_waiter", "_make_api_call"])
def test_the_wrapper_exposes_nothing_but_the_reads(cloud: ReferenceCloud, attribute: str) -> None:
    with pytest.raises(WriteRefused):
        getattr(ReadOnlyClient(cloud.client("firehose")), attribute)


def test_protocol_probes_are_plain_attribute_errors(cloud: ReferenceCloud) -> None:
    guarded = ReadOnlyClient(cloud.client("firehose"))
    assert not hasattr(guarded, "__deepcopy__")
    assert hasattr(guarded, "describe_delivery_stream")


def test_the_fence_refuses_writes_made_on_the_raw_client(
    cloud: ReferenceCloud, stream: str
) -> None:
    raw = cloud.client("firehose")
    recorder = Recorder(raw)
    ReadOnlyClient(raw)  # fences the client it wraps
    with pytest.raises(WriteRefused, match="firehose:DeleteDeliveryStream refused"):
        raw.delete_delivery_stream(DeliveryStreamName=stream)
    with pytest.raises(WriteRefused, match="firehose:StopDeliveryStreamEncryption refused"):
        raw._make_api_call("StopDeliveryStreamEncryption", {"DeliveryStreamName": stream})
    assert recorder.sent == []
    kms = fence(cloud.client("kms"))
    with pytest.raises(WriteRefused, match="kms:PutKeyPolicy refused"):
        kms.put_key_policy(KeyId="k", PolicyName="default", Policy="{}")
    with pytest.raises(WriteRefused, match="kms:CreateKey refused"):
        kms.create_key()
    # Nothing changed: the stream is there, still encrypted.
    described = cloud.client("firehose").describe_delivery_stream(DeliveryStreamName=stream)
    assert described["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "ACTIVE"
    enc = described["DeliveryStreamDescription"]["DeliveryStreamEncryptionConfiguration"]
    assert enc["Status"] == "ENABLED"


def test_the_permitted_reads_go_through(cloud: ReferenceCloud, stream: str) -> None:
    firehose = ReadOnlyClient(cloud.client("firehose"))
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == [stream]
    assert firehose.describe_delivery_stream(DeliveryStreamName=stream)
    fence(cloud.client("firehose"))  # a second fence on another client changes nothing here
    assert firehose.operation_name("describe_delivery_stream") == "DescribeDeliveryStream"
    assert repr(firehose) == "ReadOnlyClient(firehose, us-east-1)"


def test_fencing_twice_registers_one_handler(cloud: ReferenceCloud) -> None:
    raw = cloud.client("firehose")
    fence(raw)
    fence(raw)
    ReadOnlyClient(raw)
    assert ReadOnlyClient(raw).list_delivery_streams()["DeliveryStreamNames"] == []


def test_the_allow_list_holds_only_reads() -> None:
    for service, operations in AUDIT_READS.items():
        for operation in operations:
            assert operation.startswith(READ_PREFIXES)
            assert is_permitted(service, operation)
    assert not is_permitted("kinesis", "GetRecords")  # the prefix alone is not enough
    assert not is_permitted("s3", "GetObject")
    assert not is_permitted("firehose", "DeleteDeliveryStream")
    assert is_permitted("sts", "GetCallerIdentity")
    assert not is_permitted("sts", "GetSessionToken")  # a Get with a side effect
    assert not is_permitted("sts", "AssumeRole")


def test_readme_publishes_exactly_the_actions_the_audit_may_call() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Auditing an account") :]
    block = re.search(r"```json\n(.*?)```", section, re.DOTALL)
    assert block is not None, "README's audit section has no JSON IAM policy"
    policy = json.loads(block.group(1))
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == iam_actions()
    assert iam_actions() == [
        "cloudwatch:DescribeAlarmsForMetric",
        "firehose:DescribeDeliveryStream",
        "firehose:ListDeliveryStreams",
        "kinesis:DescribeStreamSummary",
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "sts:GetCallerIdentity",
    ]
