"""What the audit does when a read is refused: an error per resource ("could not read"), which
makes the audit exit 2 (could not complete) unless partial audits are allowed, or one line for
all; and how it waits out throttling: bounded, and saying so.

A key whose policy denies the auditor a read is a real refusal of the reference's KMS; the
other refusals are stubbed answers (botocore's Stubber) on the same real clients.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from accounts import OWNED, Account, cmk
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from firehose_conformance.audit import AuditAborted, RegionClients, audit
from firehose_conformance.audit.findings import Finding, StreamAudit
from firehose_conformance.audit.reads import Patience
from firehose_conformance.audit.render import render
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


def test_a_key_policy_the_auditor_may_not_read_is_an_error(
    cloud: ReferenceCloud, reference_account: Account
) -> None:
    key = reference_account.key()
    reference_account.direct_put("s", sse=cmk(key))
    deny_the_auditor(reference_account, key, "kms:GetKeyPolicy")
    stream = run(cloud).stream("s")
    policy = stream.finding("sse-key-policy")
    assert policy.verdict is Verdict.ERROR
    assert policy.message == "could not read: GetKeyPolicy failed: AccessDeniedException"
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
    assert stream.finding("sse-key-exists").verdict is Verdict.ERROR
    assert run(cloud).exit_code == 2  # could not complete
    assert run(cloud, allow_partial=True).exit_code == 0  # nothing read failed


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


def test_a_stream_that_cannot_be_described_is_an_error(cloud: ReferenceCloud) -> None:
    def stub(stubber: Stubber) -> None:
        stubber.add_response(
            "list_delivery_streams",
            {"DeliveryStreamNames": ["hidden"], "HasMoreDeliveryStreams": False},
        )
        stubber.add_client_error(
            "describe_delivery_stream", "AccessDeniedException", "not for you", 400
        )

    report = run(cloud, stubbed(cloud, "firehose", stub))
    stream = report.stream("hidden")
    (finding,) = stream.findings
    assert finding.id == "describe"
    assert finding.verdict is Verdict.ERROR
    assert finding.message == (
        "could not read: DescribeDeliveryStream failed: AccessDeniedException: nothing about "
        "this stream's data protection is known"
    )
    assert finding.evidence == {"DescribeDeliveryStream": "AccessDeniedException: not for you"}
    assert stream.source_type is None and stream.verdict is Verdict.ERROR
    assert (report.exit_code, report.complete) == (2, False)
    assert render(report, "table").splitlines()[2].split("\n")[0].startswith("hidden")
    assert "(source type not read)" in render(report, "table")
    assert "((missing))" not in render(report, "table")


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


def test_an_unreadable_stream_does_not_hide_a_failing_one(
    cloud: ReferenceCloud, reference_account: Account
) -> None:
    """The issue's account: one stream cannot be described, another has SSE DISABLED. The audit
    fails on the one and could not complete on the other: exit 2, or 1 with --allow-partial."""
    reference_account.direct_put("off")
    reference_account.direct_put("hidden", sse=OWNED)

    def make(name: str) -> Any:
        client = cloud.client(name)
        if name == "firehose":

            def deny_hidden(params: dict, **_: Any) -> None:
                if params.get("DeliveryStreamName") == "hidden":
                    raise ClientError(
                        {"Error": {"Code": "AccessDeniedException", "Message": "no"}},
                        "DescribeDeliveryStream",
                    )

            client.meta.events.register(
                "provide-client-params.firehose.DescribeDeliveryStream", deny_hidden
            )
        return client

    report = run(cloud, make)
    assert report.stream("off").verdict is Verdict.FAILED
    assert report.stream("hidden").verdict is Verdict.ERROR
    assert report.exit_code == 2
    assert report.counts()["error"] == 1 + 4  # and the reference's alarms, never readable
    assert run(cloud, make, allow_partial=True).exit_code == 1


class Said:
    """A Patience whose waits are recorded, not slept."""

    def __init__(self, budget: float = 60.0) -> None:
        self.lines: list[str] = []
        self.slept: list[float] = []
        self.patience = Patience(budget=budget, say=self.lines.append, sleep=self.slept.append)


def throttled_then(stubber: Stubber, times: int, answer: dict) -> None:
    for _ in range(times):
        stubber.add_client_error(
            "list_delivery_streams", "ThrottlingException", "Rate exceeded", 400
        )
    stubber.add_response("list_delivery_streams", answer)


def test_throttling_is_waited_out_with_a_bounded_back_off_and_said(cloud: ReferenceCloud) -> None:
    said = Said()

    def stub(stubber: Stubber) -> None:
        throttled_then(stubber, 3, {"DeliveryStreamNames": [], "HasMoreDeliveryStreams": False})

    clients = RegionClients.wrap(cloud.region, stubbed(cloud, "firehose", stub), said.patience)
    assert audit([clients], now=cloud.now()).streams == []
    assert said.slept == [0.5, 1.0, 2.0]
    assert said.lines[0] == (
        "throttled: firehose ListDeliveryStreams in us-east-1 (ThrottlingException); waiting "
        "0.5 s (retry 1 of 6; 60 s of the audit's 60 s left)"
    )
    assert len(said.lines) == 3


def test_throttling_beyond_the_budget_is_an_error_not_minutes_of_silence(
    cloud: ReferenceCloud, reference_account: Account
) -> None:
    reference_account.direct_put("a", sse=OWNED)
    reference_account.direct_put("b", sse=OWNED)
    said = Said(budget=3.0)

    def make(name: str) -> Any:
        client = cloud.client(name)
        if name == "firehose":

            def throttle(params: dict, **_: Any) -> None:
                raise ClientError(
                    {
                        "Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
                        "ResponseMetadata": {"HTTPStatusCode": 400},
                    },
                    "DescribeDeliveryStream",
                )

            client.meta.events.register(
                "provide-client-params.firehose.DescribeDeliveryStream", throttle
            )
        return client

    clients = RegionClients.wrap(cloud.region, make, said.patience)
    report = audit([clients], now=cloud.now())
    assert sum(said.slept) == 3.0  # 0.5 + 1 + 1.5: never more than the budget
    assert said.lines[-1].startswith("gave up waiting: 3 s spent on throttled or failing reads")
    first, second = (report.stream(n).finding("describe") for n in ("a", "b"))
    assert first.verdict is second.verdict is Verdict.ERROR
    assert first.evidence["DescribeDeliveryStream"] == (
        "ThrottlingException: Rate exceeded (gave up after 3 retries)"
    )
    assert second.evidence["DescribeDeliveryStream"] == (
        "ThrottlingException: Rate exceeded (not retried: the audit's wait budget is spent)"
    )
    assert report.exit_code == 2


def test_a_5xx_is_retried_like_throttling(cloud: ReferenceCloud) -> None:
    said = Said()

    def stub(stubber: Stubber) -> None:
        stubber.add_client_error("list_delivery_streams", "InternalFailure", "oops", 500)
        stubber.add_response(
            "list_delivery_streams", {"DeliveryStreamNames": [], "HasMoreDeliveryStreams": False}
        )

    clients = RegionClients.wrap(cloud.region, stubbed(cloud, "firehose", stub), said.patience)
    audit([clients], now=cloud.now())
    assert said.lines[0].startswith("HTTP 500: firehose ListDeliveryStreams in us-east-1")


def test_the_report_names_the_accounts_of_the_caller_and_the_streams(
    cloud: ReferenceCloud, reference_account: Account
) -> None:
    reference_account.direct_put("s", sse=OWNED)
    report = run(cloud, caller_account="123456789012")
    assert report.accounts == ("123456789012",)
    summary, completeness = render(report, "table").rstrip().splitlines()[-2:]
    assert summary == (
        "1 stream(s) of account 123456789012 in us-east-1: "
        "1 passed, 0 failed, 4 error, 0 warn, 0 not_applicable"
    )
    assert completeness == (
        "could not complete: 4 finding(s) could not be evaluated (error); exit 2 "
        "(--allow-partial accepts a partial audit)"
    )
    elsewhere = "arn:aws:firehose:eu-west-1:210987654321:deliverystream/x"
    passed = Finding("sse-status", Verdict.PASSED, ("SSE-04",), "m")
    report.streams.append(StreamAudit("eu-west-1", "x", elsewhere, "DirectPut", [passed]))
    assert report.accounts == ("123456789012", "210987654321")
    assert run(cloud).accounts == ("123456789012",)  # from the stream's ARN alone
    partial = run(cloud, allow_partial=True)
    assert render(partial, "table").rstrip().splitlines()[-1] == (
        "partial audit (--allow-partial): 4 finding(s) could not be evaluated (error)"
    )
