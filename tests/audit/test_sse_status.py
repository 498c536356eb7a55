"""``sse-status`` of a DirectPut stream for every value the status can take (SSE-04), and the
states no implementation here produces on demand (DISABLING_FAILED, an answer outside the enum),
read from DescribeDeliveryStream answers written out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from firehose_conformance.audit.auditor import stream_status
from firehose_conformance.audit.directput import check_direct_put, role_arns, sse_status
from firehose_conformance.audit.findings import (
    FINDING_TITLES,
    AuditReport,
    Finding,
    Severity,
    StreamAudit,
    severity_of,
)
from firehose_conformance.verdicts import Verdict

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
ENC = "DeliveryStreamEncryptionConfiguration"


def described(enc: dict[str, Any] | None, *, updated: timedelta | None = None, **more: Any):
    description: dict[str, Any] = {
        "DeliveryStreamName": "s",
        "DeliveryStreamType": "DirectPut",
        "DeliveryStreamStatus": "ACTIVE",
        "CreateTimestamp": NOW - timedelta(days=3),
        **more,
    }
    if enc is not None:
        description[ENC] = enc
    if updated is not None:
        description["LastUpdateTimestamp"] = NOW - updated
    return description


def status(enc: dict[str, Any] | None, **more: Any) -> Finding:
    return sse_status(described(enc, **more), now=NOW)


def test_disabling_failed_fails_with_its_failure_description() -> None:
    failure = {"Type": "RETIRE_KMS_GRANT_FAILED", "Details": "grant could not be retired"}
    finding = status({"Status": "DISABLING_FAILED", "FailureDescription": failure})
    assert finding.verdict is Verdict.FAILED
    assert finding.requirements == ("SSE-13", "SSE-18", "SSE-19")
    assert finding.message == (
        "DISABLING_FAILED: the most recent attempt to disable SSE failed: "
        "RETIRE_KMS_GRANT_FAILED: grant could not be retired; whether records are encrypted now "
        "is not documented (AMB-12)"
    )
    assert finding.evidence[f"{ENC}.FailureDescription.Type"] == "RETIRE_KMS_GRANT_FAILED"


def test_a_failure_without_description_or_outside_the_kms_types_says_so() -> None:
    bare = status({"Status": "ENABLING_FAILED", "KeyType": "CUSTOMER_MANAGED_CMK"})
    assert "no FailureDescription given (SSE-18 requires one)" in bare.message
    odd = status({"Status": "ENABLING_FAILED", "FailureDescription": {"Type": "SOMETHING"}})
    assert "SOMETHING: (missing) (not one of the KMS-related failure types of SSE-19)" in (
        odd.message
    )


def test_the_top_level_failure_description_is_evidence_too() -> None:
    failure = {"Type": "KMS_KEY_NOT_FOUND", "Details": "gone"}
    finding = status({"Status": "DISABLED"}, FailureDescription=failure)
    assert finding.evidence["FailureDescription.Type"] == "KMS_KEY_NOT_FOUND"
    assert finding.evidence["FailureDescription.Details"] == "gone"


@pytest.mark.parametrize(
    ("state", "age", "verdict", "start"),
    [
        ("ENABLING", timedelta(minutes=5), Verdict.WARN, "SSE is ENABLING"),
        ("ENABLING", timedelta(minutes=61), Verdict.FAILED, "stuck in ENABLING for 1 h 1 min"),
        ("DISABLING", timedelta(minutes=5), Verdict.FAILED, "SSE is DISABLING"),
        ("DISABLING", timedelta(days=3), Verdict.FAILED, "stuck in DISABLING for 3 days"),
    ],
)
def test_transitions_by_age(state: str, age: timedelta, verdict: Verdict, start: str) -> None:
    finding = status({"Status": state, "KeyType": "AWS_OWNED_CMK"}, updated=age)
    assert finding.verdict is verdict
    assert finding.message.startswith(start)
    assert finding.evidence["LastUpdateTimestamp"] == (NOW - age).isoformat()


def test_a_transition_without_last_update_is_measured_from_creation() -> None:
    finding = status({"Status": "ENABLING"})
    assert finding.message.startswith("stuck in ENABLING for 3 days (since 2026-11-25T12:00:00")
    assert finding.evidence["LastUpdateTimestamp"] == "(missing)"
    assert finding.evidence["CreateTimestamp"] == "2026-11-25T12:00:00+00:00"


def test_a_transition_with_no_timestamp_at_all_is_not_called_stuck() -> None:
    description = described({"Status": "ENABLING"})
    del description["CreateTimestamp"]
    assert sse_status(description, now=NOW).verdict is Verdict.WARN


def test_a_naive_timestamp_is_taken_as_utc() -> None:
    naive = (NOW - timedelta(hours=2)).replace(tzinfo=None)
    finding = status({"Status": "ENABLING"}, LastUpdateTimestamp=naive)
    assert finding.message.startswith("stuck in ENABLING for 2 h")


def test_a_status_outside_the_enum_fails() -> None:
    finding = status({"Status": "ON"})
    assert finding.verdict is Verdict.FAILED
    assert finding.requirements == ("SSE-04",)
    assert finding.message.startswith("SSE status 'ON' is not one of the documented ENABLED,")


def test_a_cmk_without_key_arn_cannot_be_checked() -> None:
    findings = check_direct_put(
        described({"Status": "ENABLED", "KeyType": "CUSTOMER_MANAGED_CMK"}), kms=None, now=NOW
    )
    assert [(f.id, f.verdict) for f in findings] == [
        ("sse-status", Verdict.PASSED),
        ("sse-key-exists", Verdict.ERROR),
    ]
    assert findings[0].message == "SSE is ENABLED with the customer managed CMK (no KeyARN shown)"
    assert findings[1].requirements == ("SSE-16",)
    assert findings[1].message.startswith("could not tell which key: KeyType is CUSTOMER_MANAGED")


def test_the_key_of_a_disabled_stream_is_not_checked() -> None:
    enc = {"Status": "DISABLED", "KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": "arn:x"}
    assert [f.id for f in check_direct_put(described(enc), kms=None, now=NOW)] == ["sse-status"]


def test_roles_come_from_the_source_and_every_destination() -> None:
    description = described(
        None,
        Source={"KinesisStreamSourceDescription": {"RoleARN": "arn:source"}},
        Destinations=[
            {"S3DestinationDescription": {"RoleARN": "arn:dest"}},
            {
                "ExtendedS3DestinationDescription": {
                    "RoleARN": "arn:dest",
                    "S3Backup": [{"RoleARN": "arn:backup"}],
                }
            },
        ],
    )
    assert role_arns(description) == ["arn:source", "arn:dest", "arn:backup"]


@pytest.mark.parametrize(
    ("state", "grounds"),
    [("CREATING_FAILED", ("SSE-18", "API-09")), ("DELETING_FAILED", ("SSE-18", "GRT-05"))],
)
def test_a_stream_that_failed_to_be_created_or_deleted_fails(state: str, grounds: tuple) -> None:
    failure = {"Type": "CREATE_KMS_GRANT_FAILED", "Details": "no grant"}
    finding = stream_status(described(None, DeliveryStreamStatus=state, FailureDescription=failure))
    assert finding is not None
    assert finding.verdict is Verdict.FAILED
    assert finding.requirements == grounds
    assert finding.message == f"the stream is {state}: CREATE_KMS_GRANT_FAILED: no grant"
    assert stream_status(described(None)) is None
    bare = stream_status(described(None, DeliveryStreamStatus=state))
    assert bare is not None and bare.message.endswith("no FailureDescription given")


def test_findings_cite_only_catalog_requirements() -> None:
    with pytest.raises(ValueError, match=r"unknown requirement\(s\) \['SSE-99'\]"):
        Finding("sse-status", Verdict.PASSED, ("SSE-99",), "m")
    with pytest.raises(ValueError, match="names no requirement"):
        Finding("sse-status", Verdict.PASSED, (), "m")
    with pytest.raises(ValueError, match="'x' has no title"):
        Finding("x", Verdict.PASSED, ("SSE-04",), "m")
    with pytest.raises(ValueError, match="is not an audit verdict"):
        Finding("sse-status", Verdict.UNTESTED, ("SSE-04",), "m")


def test_a_stream_is_as_bad_as_its_worst_finding() -> None:
    ok = Finding("sse-status", Verdict.PASSED, ("SSE-04",), "m")
    warn = Finding("sse-key-policy", Verdict.WARN, ("SSE-04",), "m")
    na = Finding("kms-alarms", Verdict.NOT_APPLICABLE, ("SRC-08",), "m")
    error = Finding("sse-key-spec", Verdict.ERROR, ("KEY-02",), "could not tell")
    failed = Finding("sse-key-state", Verdict.FAILED, ("KEY-08",), "disabled")
    stream = StreamAudit("r", "s", None, "DirectPut", [na, ok, warn])
    assert stream.verdict is Verdict.WARN
    assert StreamAudit("r", "t", None, None, [ok, error, warn]).verdict is Verdict.ERROR
    assert StreamAudit("r", "u", None, None, [error, failed]).verdict is Verdict.FAILED
    assert StreamAudit("r", "e", None, "DirectPut").verdict is Verdict.NOT_APPLICABLE
    with pytest.raises(KeyError):
        stream.finding("zz")
    report = AuditReport(NOW, ("r",), None, [stream])
    with pytest.raises(KeyError):
        report.stream("s", region="elsewhere")


def test_a_failed_first_enable_is_not_called_a_key_change() -> None:
    """Describe cannot tell a failed first enable from a failed key change (AMB-08): the message
    gives both readings rather than asserting that a previous CMK stays in use."""
    failure = {"Type": "INVALID_KMS_KEY", "Details": "asymmetric"}
    finding = status({"Status": "ENABLING_FAILED", "FailureDescription": failure})
    assert finding.message == (
        "ENABLING_FAILED: the most recent attempt to enable SSE failed: INVALID_KMS_KEY: "
        "asymmetric; Describe does not show whether SSE was enabled before this attempt: if it "
        "was (a failed key change), encryption stays on with the previous CMK (SSE-11); if not, "
        "this stream's data is not encrypted at rest"
    )
    assert "SSE-11" in finding.requirements


@pytest.mark.parametrize("stream_state", ["CREATING_FAILED", "CREATING"])
def test_a_stream_created_with_failing_sse_never_had_a_previous_key(stream_state: str) -> None:
    failure = {"Type": "INVALID_KMS_KEY", "Details": "asymmetric"}
    enc = {"Status": "ENABLING_FAILED", "FailureDescription": failure}
    finding = status(enc, DeliveryStreamStatus=stream_state)
    assert finding.verdict is Verdict.FAILED
    assert finding.message.endswith(
        "; the stream was created with SSE, so SSE was never enabled on it"
    )
    assert "previous CMK" not in finding.message
    assert "SSE-11" not in finding.requirements


def test_a_configuration_without_status_is_could_not_tell() -> None:
    finding = status({"KeyType": "AWS_OWNED_CMK"})
    assert finding.verdict is Verdict.ERROR
    assert finding.message.startswith("could not tell whether SSE is enabled: ")
    assert finding.evidence[f"{ENC}.Status"] == "(missing)"


@pytest.mark.parametrize(
    ("finding_id", "verdict", "severity"),
    [
        ("sse-status", Verdict.FAILED, Severity.HIGH),
        ("alarm-KMSKeyDisabled", Verdict.ERROR, Severity.MEDIUM),
        ("sse-status", Verdict.WARN, Severity.MEDIUM),
        ("sse-key-policy", Verdict.WARN, Severity.MEDIUM),
        ("alarm-KMSKeyNotFound", Verdict.WARN, Severity.LOW),
        ("sse-status", Verdict.PASSED, Severity.INFORMATIONAL),
        ("kms-alarms", Verdict.NOT_APPLICABLE, Severity.INFORMATIONAL),
    ],
)
def test_the_severity_of_each_finding(finding_id: str, verdict: Verdict, severity) -> None:
    assert severity_of(finding_id, verdict) is severity
    assert Finding(finding_id, verdict, ("SSE-04",), "m").to_dict()["severity"] == severity.value


def test_every_finding_id_has_a_title() -> None:
    assert len(FINDING_TITLES) == 17
    assert FINDING_TITLES["alarm-KMSKeyInvalidState"] == (
        "A CloudWatch alarm on KMSKeyInvalidState notifies someone"
    )
