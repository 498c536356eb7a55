"""What the audit does when a read is refused: a warning per resource, or one line for all.

A key whose policy denies the auditor a read is a real refusal of the reference's KMS; the
other refusals are stubbed answers (botocore's Stubber) on the same real clients.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from accounts import OWNED, Account, cmk
from botocore.stub import Stubber

from firehose_conformance.audit import AuditAborted, RegionClients, audit
from firehose_conformance.verdicts import Verdict
from reference_impl.cloud import ReferenceCloud


def deny_the_auditor(account: Account, key: str, action: str) -> None:
    policy = json.loads(account.kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    policy["Statement"].append(
        {
            "Sid": "NoAudit",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": action,
            "Resource": "*",
        }
    )
    account.kms.put_key_policy(
        KeyId=key,
        PolicyName="default",
        Policy=json.dumps(policy),
        BypassPolicyLockoutSafetyCheck=True,
    )


def run(cloud: ReferenceCloud, make: Any = None, **options: Any):
    clients = RegionClients.wrap(cloud.region, make or cloud.client)
    return audit([clients], now=cloud.now(), **options)


def test_a_key_policy_the_auditor_may_not_read_is_a_warning(
    cloud: ReferenceCloud, reference_account: Account
) -> None:
    key = reference_account.key()
    reference_account.direct_put("s", sse=cmk(key))
    deny_the_auditor(reference_account, key, "kms:GetKeyPolicy")
    stream = run(cloud).stream("s")
    policy = stream.finding("sse-key-policy")
    assert policy.verdict is Verdict.WARN
    assert policy.message == "could not be checked: GetKeyPolicy failed: AccessDeniedException"
    assert "explicit deny" in policy.evidence["GetKeyPolicy"]
    assert stream.finding("sse-key-state").verdict is Verdict.PASSED


def test_a_key_the_auditor_may_not_describe_stops_the_key_checks(
    cloud: ReferenceCloud, reference_account: Account
) -> None:
    key = reference_account.key()
    reference_account.direct_put("s", sse=cmk(key))
    deny_the_auditor(reference_account, key, "kms:DescribeKey")
    stream = run(cloud).stream("s")
    ids = [f.id for f in stream.findings if f.id.startswith("sse-key")]
    assert ids == ["sse-key-exists"]
    assert stream.finding("sse-key-exists").verdict is Verdict.WARN
    assert run(cloud).exit_code == 0  # warnings do not fail the audit


def stubbed(cloud: ReferenceCloud, service: str, stub: Any) -> Any:
    """``make`` for RegionClients.wrap: the cloud's clients, ``service``'s stubbed by ``stub``."""
    made: dict[str, Any] = {}

    def make(name: str) -> Any:
        client = cloud.client(name)
        if name == service:
            stubber = Stubber(client)
            stub(stubber)
            stubber.activate()
            made[name] = stubber
        return client

    return make


def test_a_stream_that_cannot_be_described_is_a_warning(cloud: ReferenceCloud) -> None:
    def stub(stubber: Stubber) -> None:
        stubber.add_response(
            "list_delivery_streams",
            {"DeliveryStreamNames": ["hidden"], "HasMoreDeliveryStreams": False},
        )
        stubber.add_client_error(
            "describe_delivery_stream", "AccessDeniedException", "not for you", 400
        )

    stream = run(cloud, stubbed(cloud, "firehose", stub)).stream("hidden")
    (finding,) = stream.findings
    assert finding.id == "describe"
    assert finding.verdict is Verdict.WARN
    assert finding.message == (
        "the stream could not be read: DescribeDeliveryStream failed: AccessDeniedException"
    )
    assert finding.evidence == {"DescribeDeliveryStream": "AccessDeniedException: not for you"}
    assert stream.source_type == "(missing)"


def test_streams_that_cannot_be_listed_end_the_audit(cloud: ReferenceCloud) -> None:
    def stub(stubber: Stubber) -> None:
        stubber.add_client_error("list_delivery_streams", "AccessDeniedException", "no", 400)

    with pytest.raises(AuditAborted, match="cannot list the delivery streams in us-east-1: "):
        run(cloud, stubbed(cloud, "firehose", stub))


def test_refused_credentials_end_the_audit(cloud: ReferenceCloud) -> None:
    def stub(stubber: Stubber) -> None:
        stubber.add_client_error(
            "list_delivery_streams", "UnrecognizedClientException", "bad token", 400
        )

    with pytest.raises(AuditAborted, match="refused the credentials: UnrecognizedClientException"):
        run(cloud, stubbed(cloud, "firehose", stub))


def test_listing_follows_every_page(cloud: ReferenceCloud, reference_account: Account) -> None:
    names = [f"s{i:03d}" for i in range(105)]
    for name in names:
        reference_account.firehose.create_delivery_stream(
            DeliveryStreamName=name, S3DestinationConfiguration=reference_account._destination()
        )
    cloud.advance(30)
    reference_account.start("s104", OWNED)
    report = run(cloud)
    assert [s.name for s in report.streams] == names
    assert report.stream("s104").finding("sse-status").verdict is Verdict.PASSED


def test_a_named_stream_that_no_region_has_ends_the_audit(cloud: ReferenceCloud) -> None:
    with pytest.raises(AuditAborted, match="no delivery stream named ghost in us-east-1"):
        run(cloud, streams=["ghost"])


def test_an_empty_account_has_nothing_to_fail(cloud: ReferenceCloud) -> None:
    report = run(cloud)
    assert report.streams == []
    assert report.exit_code == 0
    assert report.generated_at == datetime(2026, 11, 1, tzinfo=UTC)
