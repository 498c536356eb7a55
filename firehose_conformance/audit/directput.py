"""DirectPut streams: Firehose's own SSE must be ENABLED, and its CMK usable.

The status is ``DeliveryStreamEncryptionConfiguration.Status`` (SSE-04). ``ENABLING_FAILED`` and
``DISABLING_FAILED`` report the most recent attempt, with a ``FailureDescription`` (SSE-13, SSE-18,
SSE-19). ``ENABLING`` and ``DISABLING`` are transitions of seconds; a read-only audit cannot watch
time pass, so a stream whose ``LastUpdateTimestamp`` (else ``CreateTimestamp``) is older than
``STUCK_AFTER`` is reported as stuck.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from firehose_conformance.audit.findings import COULD_NOT_TELL, MISSING, Finding
from firehose_conformance.audit.guard import ReadOnlyClient
from firehose_conformance.audit.keys import SSE_KEY, check_key
from firehose_conformance.audit.policy import firehose_principals
from firehose_conformance.spec_facts import ENCRYPTION_STATUSES, KMS_FAILURE_TYPES
from firehose_conformance.verdicts import Verdict

STUCK_AFTER = timedelta(hours=1)
ENC = "DeliveryStreamEncryptionConfiguration"
CMK = "CUSTOMER_MANAGED_CMK"
# Statuses in which the configured CMK is (or may still be) in use, so it is worth checking:
# after a failed key change encryption stays on with the old CMK (SSE-11), and a failed
# disable leaves it unknown (AMB-12).
KEY_IN_USE = frozenset({"ENABLED", "ENABLING", "ENABLING_FAILED", "DISABLING_FAILED"})


def check_direct_put(
    description: dict[str, Any],
    kms: ReadOnlyClient,
    *,
    now: datetime,
    stuck_after: timedelta = STUCK_AFTER,
) -> list[Finding]:
    findings = [sse_status(description, now=now, stuck_after=stuck_after)]
    enc = description.get(ENC) or {}
    if enc.get("Status") in KEY_IN_USE and enc.get("KeyType") == CMK:
        key_arn = enc.get("KeyARN")
        if key_arn:
            principals = firehose_principals(role_arns(description))
            findings += check_key(kms, str(key_arn), SSE_KEY, principals)
        else:
            findings.append(
                Finding(
                    "sse-key-exists",
                    Verdict.ERROR,
                    ("SSE-16",),
                    f"{COULD_NOT_TELL} which key: KeyType is CUSTOMER_MANAGED_CMK but no KeyARN "
                    "is shown (SSE-16 says it must be), so the key cannot be checked",
                    {f"{ENC}.KeyType": CMK, f"{ENC}.KeyARN": MISSING},
                )
            )
    return findings


def sse_status(
    description: dict[str, Any], *, now: datetime, stuck_after: timedelta = STUCK_AFTER
) -> Finding:
    """The finding ``sse-status`` of a DirectPut stream."""
    enc = description.get(ENC)
    if enc is None:
        # AMB-09: AWS shows {"Status": "DISABLED"}; some emulators (moto) leave it out.
        return Finding(
            "sse-status",
            Verdict.FAILED,
            ("SRC-09", "SSE-04"),
            f"SSE is not enabled: DescribeDeliveryStream shows no {ENC} (taken as DISABLED); "
            "enable it with StartDeliveryStreamEncryption",
            {"DeliveryStreamType": "DirectPut", ENC: MISSING},
        )
    status = enc.get("Status")
    evidence = _evidence(description, enc)
    key = _key_words(enc)
    if status == "ENABLED":
        return Finding(
            "sse-status", Verdict.PASSED, ("SRC-09", "SSE-04"), f"SSE is ENABLED{key}", evidence
        )
    if status == "DISABLED":
        return Finding(
            "sse-status",
            Verdict.FAILED,
            ("SRC-09", "SSE-04", "SSE-15"),
            "SSE is DISABLED: Firehose does not encrypt this stream's data at rest; enable it "
            "with StartDeliveryStreamEncryption",
            evidence,
        )
    if status in ("ENABLING_FAILED", "DISABLING_FAILED"):
        return _failed_attempt(status, description, enc, evidence)
    if status in ("ENABLING", "DISABLING"):
        return _transition(status, description, evidence, now=now, stuck_after=stuck_after)
    if status is None:
        return Finding(
            "sse-status",
            Verdict.ERROR,
            ("SSE-04",),
            f"{COULD_NOT_TELL} whether SSE is enabled: {ENC} has no Status (SSE-04 says "
            "Describe shows it)",
            evidence,
        )
    return Finding(
        "sse-status",
        Verdict.FAILED,
        ("SSE-04",),
        f"SSE status {status!r} is not one of the documented {', '.join(ENCRYPTION_STATUSES)}",
        evidence,
    )


def _failed_attempt(
    status: str, description: dict[str, Any], enc: dict[str, Any], evidence: dict[str, Any]
) -> Finding:
    failure = enc.get("FailureDescription") or {}
    what = "enable" if status == "ENABLING_FAILED" else "disable"
    if failure:
        cause = f"{failure.get('Type', MISSING)}: {failure.get('Details', MISSING)}"
        if failure.get("Type") not in KMS_FAILURE_TYPES:
            cause += " (not one of the KMS-related failure types of SSE-19)"
    else:
        cause = "no FailureDescription given (SSE-18 requires one)"
    if status == "ENABLING_FAILED" and description.get("DeliveryStreamStatus") in (
        "CREATING",
        "CREATING_FAILED",
    ):
        # Created with SSE, and the creation failed: there was never a previous key.
        grounds: tuple[str, ...] = ("SSE-03", "SSE-13", "SSE-18", "SSE-19")
        after = "; the stream was created with SSE, so SSE was never enabled on it"
    elif status == "ENABLING_FAILED":
        # Describe does not say whether SSE was ENABLED before this attempt (AMB-08): both
        # readings are given, neither asserted.
        grounds = ("SSE-03", "SSE-11", "SSE-13", "SSE-18", "SSE-19")
        after = (
            "; Describe does not show whether SSE was enabled before this attempt: if it was "
            "(a failed key change), encryption stays on with the previous CMK (SSE-11); if "
            "not, this stream's data is not encrypted at rest"
        )
    else:
        grounds = ("SSE-13", "SSE-18", "SSE-19")
        after = "; whether records are encrypted now is not documented (AMB-12)"
    return Finding(
        "sse-status",
        Verdict.FAILED,
        grounds,
        f"{status}: the most recent attempt to {what} SSE failed: {cause}{after}",
        evidence,
    )


def _transition(
    status: str,
    description: dict[str, Any],
    evidence: dict[str, Any],
    *,
    now: datetime,
    stuck_after: timedelta,
) -> Finding:
    since = description.get("LastUpdateTimestamp") or description.get("CreateTimestamp")
    grounds = ("SSE-02", "SSE-05") if status == "ENABLING" else ("SSE-07", "SSE-08")
    age = _age(since, now)
    if age is not None and age > stuck_after:
        return Finding(
            "sse-status",
            Verdict.FAILED,
            grounds,
            f"stuck in {status} for {_duration(age)} (since {_when(since)}; a transition takes "
            f"seconds, and over {_duration(stuck_after)} counts as stuck)",
            evidence,
        )
    if status == "ENABLING":
        return Finding(
            "sse-status",
            Verdict.WARN,
            grounds,
            "SSE is ENABLING: records written meanwhile are not encrypted (SSE-05); audit "
            "again once it has settled",
            evidence,
        )
    return Finding(
        "sse-status",
        Verdict.FAILED,
        grounds,
        "SSE is DISABLING: encryption is being turned off (DISABLING -> DISABLED, SSE-07)",
        evidence,
    )


def _evidence(description: dict[str, Any], enc: dict[str, Any]) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "DeliveryStreamType": description.get("DeliveryStreamType", "DirectPut"),
        f"{ENC}.Status": enc.get("Status", MISSING),
        f"{ENC}.KeyType": enc.get("KeyType", MISSING),
    }
    if "KeyARN" in enc:
        evidence[f"{ENC}.KeyARN"] = enc["KeyARN"]
    for where, failure in (
        (f"{ENC}.FailureDescription", enc.get("FailureDescription")),
        ("FailureDescription", description.get("FailureDescription")),
    ):
        if failure:
            evidence[f"{where}.Type"] = failure.get("Type", MISSING)
            evidence[f"{where}.Details"] = failure.get("Details", MISSING)
    if enc.get("Status") in ("ENABLING", "DISABLING"):
        evidence["LastUpdateTimestamp"] = description.get("LastUpdateTimestamp", MISSING)
        if "LastUpdateTimestamp" not in description:
            evidence["CreateTimestamp"] = description.get("CreateTimestamp", MISSING)
    return evidence


def _key_words(enc: dict[str, Any]) -> str:
    if enc.get("KeyType") == CMK:
        return f" with the customer managed CMK {enc.get('KeyARN', '(no KeyARN shown)')}"
    if enc.get("KeyType") == "AWS_OWNED_CMK":
        return " with an AWS owned CMK"
    return ""


def role_arns(description: dict[str, Any]) -> list[str]:
    """Every RoleARN in the stream's destinations and source: the roles Firehose assumes."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "RoleARN" and isinstance(item, str):
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(description.get("Source"))
    walk(description.get("Destinations"))
    return list(dict.fromkeys(found))


def _age(since: Any, now: datetime) -> timedelta | None:
    if not isinstance(since, datetime):
        return None
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return now - since


def _when(since: Any) -> str:
    return since.astimezone(UTC).isoformat() if isinstance(since, datetime) else str(since)


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return f"{minutes} min"
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{hours // 24} days"
