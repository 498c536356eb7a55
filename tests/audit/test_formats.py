"""The outputs that security tooling ingests: OCSF Detection Findings and SARIF 2.1.0, each
checked against the required fields of its schema (vendored under schemas/, no network), and
the audit JSON (schema audit/v3) with its severities and accounts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from accounts import OWNED, Account, build_common, cmk

from firehose_conformance.audit import AuditReport, RegionClients, audit
from firehose_conformance.audit.findings import FINDING_TITLES, SCHEMA
from firehose_conformance.audit.render import render
from firehose_conformance.verdicts import Verdict
from reference_impl.cloud import ReferenceCloud

SCHEMAS = Path(__file__).parent / "schemas"


def schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


@pytest.fixture
def report(cloud: ReferenceCloud, reference_account: Account) -> AuditReport:
    """Every verdict: failed and passed (build_common), not_applicable (Kinesis sources),
    error (the reference has no alarms to read), warn (a conditional Deny)."""
    build_common(reference_account)
    key = reference_account.key()
    reference_account.direct_put("dp-conditional", sse=cmk(key))
    reference_account.deny(
        key,
        {"Service": "firehose.amazonaws.com"},
        "kms:Decrypt",
        Condition={"Bool": {"aws:SecureTransport": "false"}},
    )
    reference_account.direct_put("dp-owned-2", sse=OWNED)
    clients = RegionClients.wrap(cloud.region, cloud.client)
    return audit([clients], now=cloud.now(), caller_account="123456789012")


def test_every_verdict_is_present(report: AuditReport) -> None:
    counts = report.counts()
    assert all(counts[v.value] for v in Verdict if v.value in counts), counts
    assert list(counts) == ["passed", "failed", "error", "warn", "not_applicable"]


def test_ocsf_detection_findings_have_the_required_fields(report: AuditReport) -> None:
    events = json.loads(render(report, "ocsf"))
    validator = jsonschema.Draft202012Validator(
        schema("ocsf-1.1.0-detection_finding.min.schema.json")
    )
    for event in events:
        validator.validate(event)
    assert len(events) == sum(len(s.findings) for s in report.streams)
    off = next(
        e
        for e in events
        if e["resources"][0]["name"] == "dp-off"
        and e["finding_info"]["uid"].endswith("#sse-status")
    )
    assert off["class_uid"] == 2004 and off["type_uid"] == 200401
    assert (off["severity_id"], off["severity"]) == (4, "High")
    assert (off["status_id"], off["status"]) == (1, "New")
    assert off["finding_info"]["uid"] == (
        "arn:aws:firehose:us-east-1:123456789012:deliverystream/dp-off#sse-status"
    )
    assert off["finding_info"]["title"] == "Server-side encryption is ENABLED: dp-off"
    assert off["finding_info"]["desc"].startswith("SSE is DISABLED")
    assert off["resources"][0]["type"] == "AWS::KinesisFirehose::DeliveryStream"
    assert off["cloud"]["account"]["uid"] == "123456789012"
    assert off["metadata"]["product"]["name"] == "firehose-conformance audit"
    assert off["unmapped"]["verdict"] == "failed"
    assert off["unmapped"]["requirements"] == ["SRC-09", "SSE-04", "SSE-15"]
    by_verdict = {e["unmapped"]["verdict"]: e for e in events}
    assert by_verdict["passed"]["status"] == "Resolved"
    assert by_verdict["passed"]["severity_id"] == 1
    assert by_verdict["error"]["severity_id"] == 3
    assert by_verdict["not_applicable"]["status_id"] == 99
    assert by_verdict["warn"]["status"] == "New"


def test_ocsf_schema_catches_a_broken_event(report: AuditReport) -> None:
    """The vendored schema is no formality: it refuses what OCSF requires and lacks."""
    validator = jsonschema.Draft202012Validator(
        schema("ocsf-1.1.0-detection_finding.min.schema.json")
    )
    event = json.loads(render(report, "ocsf"))[0]
    for field in ("finding_info", "metadata", "severity_id", "class_uid"):
        broken = {k: v for k, v in event.items() if k != field}
        assert not validator.is_valid(broken), field
    assert not validator.is_valid({**event, "severity_id": 7})


def test_sarif_has_a_rule_per_finding_id_and_results_located_at_the_stream(
    report: AuditReport,
) -> None:
    document = json.loads(render(report, "sarif"))
    jsonschema.Draft202012Validator(schema("sarif-2.1.0.min.schema.json")).validate(document)
    (run,) = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(FINDING_TITLES)
    assert len({r["id"] for r in rules}) == len(rules)
    listed = [
        (s.name, f)
        for s in report.streams
        for f in s.findings
        if f.verdict in (Verdict.FAILED, Verdict.ERROR, Verdict.WARN)
    ]
    assert len(run["results"]) == len(listed)
    levels = {"high": "error", "medium": "warning", "low": "note"}
    for result, (name, finding) in zip(run["results"], listed, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.id
        assert result["level"] == levels[finding.severity.value]
        assert "kind" not in result  # "fail": the only kind SARIF allows with a level
        (location,) = result["locations"]
        (logical,) = location["logicalLocations"]
        assert logical["name"] == name
        assert logical["fullyQualifiedName"].endswith(f":deliverystream/{name}")
        assert result["properties"]["verdict"] == finding.verdict.value
    assert run["invocations"][0] == {
        "executionSuccessful": False,  # the alarms could not be read
        "exitCode": 2,
        "endTimeUtc": report.generated_at.isoformat(),
    }
    assert run["properties"]["accounts"] == ["123456789012"]
    assert run["properties"]["summary"]["passed"] == report.counts()["passed"]


def test_json_v3_has_severities_accounts_and_completeness(report: AuditReport) -> None:
    document = json.loads(render(report, "json"))
    assert document["schema"] == SCHEMA == "firehose-conformance/audit/v3"
    assert document["accounts"] == ["123456789012"]
    assert (document["complete"], document["allow_partial"], document["exit_code"]) == (
        False,
        False,
        2,
    )
    assert set(document["summary"]) == {
        "streams",
        "passed",
        "failed",
        "error",
        "warn",
        "not_applicable",
    }
    for stream in document["streams"]:
        for finding in stream["findings"]:
            assert set(finding) == {
                "id",
                "verdict",
                "severity",
                "requirements",
                "message",
                "evidence",
            }


def test_markdown_shows_severity_and_that_the_audit_is_incomplete(report: AuditReport) -> None:
    text = render(report, "md")
    assert "| finding | verdict | severity | requirements | message | evidence |" in text
    assert "**could not complete: " in text
    assert "| sse-status | **failed** | high | SRC-09, SSE-04, SSE-15 | SSE is DISABLED" in text
