"""What an audit found: verdicts, findings grounded in catalog requirements, results per stream.

Every finding names the requirement IDs that ground it, and those IDs are checked against the
catalog (``features/requirements.toml``) when the finding is made: an audit cannot cite a
requirement the suite does not define.

The audit's verdict words (``FINDING_VERDICTS``) are the suite's ``passed``, ``failed``,
``not_applicable`` and ``error`` (the finding could not be evaluated: a read failed, "could not
read: ...", or the answer lacks the field it decides on, "could not tell: ..."), and its own
``warn`` (worth a look, not a failure). Each finding has a severity (``severity_of``).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from firehose_conformance.catalog import load_catalog
from firehose_conformance.spec_facts import KMS_METRICS
from firehose_conformance.verdicts import AUDIT_VERDICTS, Verdict

# v2: the verdict words became the suite's (passed, failed; v1 said pass, fail).
# v3: the word ``error``, a severity per finding, the accounts, ``complete`` and
#     ``allow_partial``; ``source_type`` is null for a stream that could not be read.
SCHEMA = "firehose-conformance/audit/v3"
MISSING = "(missing)"  # the evidence value of a field the answer did not contain
COULD_NOT_READ = "could not read"  # how an error finding's message starts, for a failed read
COULD_NOT_TELL = "could not tell"  # ... and for an answer without the field it decides on

# The audit's words, in the order documents list them.
FINDING_VERDICTS = AUDIT_VERDICTS
# A stream's overall verdict is its worst finding's; not_applicable never hides anything, and a
# failure outranks what could not be evaluated.
_RANK = {
    Verdict.NOT_APPLICABLE: 0,
    Verdict.PASSED: 1,
    Verdict.WARN: 2,
    Verdict.ERROR: 3,
    Verdict.FAILED: 4,
}


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFORMATIONAL = "informational"


def severity_of(finding_id: str, verdict: Verdict) -> Severity:
    """The documented mapping (README, "Severity"):

    - ``failed``: high (data at rest unprotected, or a key Firehose cannot use);
    - ``error``: medium (not evaluated: what it hides may be a failure);
    - ``warn``: low for the alarm findings (a monitoring gap), medium otherwise (SSE still
      ENABLING, a conditional Deny in a key policy);
    - ``passed``, ``not_applicable``: informational.
    """
    if verdict is Verdict.FAILED:
        return Severity.HIGH
    if verdict is Verdict.ERROR:
        return Severity.MEDIUM
    if verdict is Verdict.WARN:
        return Severity.LOW if finding_id.startswith("alarm-") else Severity.MEDIUM
    return Severity.INFORMATIONAL


def _key_titles(prefix: str, what: str) -> dict[str, str]:
    return {
        f"{prefix}-exists": f"The KMS key of {what} exists",
        f"{prefix}-state": f"The KMS key of {what} is enabled",
        f"{prefix}-spec": f"The KMS key of {what} is a symmetric encryption key",
        f"{prefix}-policy": f"The key policy of {what}'s KMS key does not deny Firehose",
    }


# Every finding id the audit makes, with a title (SARIF's rules, OCSF's finding titles).
FINDING_TITLES: Mapping[str, str] = {
    "describe": "The delivery stream can be described",
    "stream-status": "The delivery stream did not fail to be created or deleted",
    "sse-status": "Server-side encryption is ENABLED",
    **_key_titles("sse-key", "the stream's SSE"),
    "source-sse": "The source Kinesis data stream is encrypted at rest",
    **_key_titles("source-key", "the source data stream"),
    **{
        f"alarm-{metric}": f"A CloudWatch alarm on {metric} notifies someone"
        for metric in KMS_METRICS
    },
    "kms-alarms": "Alarms on the KMSKey* metrics",
}


@functools.cache
def known_requirements() -> frozenset[str]:
    return frozenset(load_catalog())


def jsonable(value: Any) -> Any:
    """Evidence as JSON values: timestamps as ISO 8601, tuples as lists, the rest as read."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@dataclass(frozen=True)
class Finding:
    """One verdict on one aspect of a stream; ``evidence`` holds the fields read, by path."""

    id: str
    verdict: Verdict
    requirements: tuple[str, ...]
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.requirements:
            raise ValueError(f"finding {self.id!r} names no requirement")
        unknown = [rid for rid in self.requirements if rid not in known_requirements()]
        if unknown:
            raise ValueError(f"finding {self.id!r} cites unknown requirement(s) {unknown}")
        if self.id not in FINDING_TITLES:
            raise ValueError(f"finding {self.id!r} has no title in FINDING_TITLES")
        if self.verdict not in FINDING_VERDICTS:
            raise ValueError(f"finding {self.id!r}: {self.verdict!r} is not an audit verdict")
        object.__setattr__(self, "verdict", Verdict(self.verdict))
        object.__setattr__(self, "requirements", tuple(self.requirements))
        object.__setattr__(self, "evidence", jsonable(dict(self.evidence)))

    @property
    def severity(self) -> Severity:
        return severity_of(self.id, self.verdict)

    @property
    def title(self) -> str:
        return FINDING_TITLES[self.id]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "verdict": self.verdict.value,
            "severity": self.severity.value,
            "requirements": list(self.requirements),
            "message": self.message,
            "evidence": dict(self.evidence),
        }


@dataclass
class StreamAudit:
    """The findings on one delivery stream."""

    region: str
    name: str
    arn: str | None
    source_type: str | None  # None: the stream could not be read
    findings: list[Finding] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        if not self.findings:
            return Verdict.NOT_APPLICABLE
        return max((f.verdict for f in self.findings), key=_RANK.__getitem__)

    @property
    def account(self) -> str | None:
        """The account in the stream's ARN (``arn:aws:firehose:R:ACCOUNT:deliverystream/N``)."""
        parts = (self.arn or "").split(":")
        return parts[4] if len(parts) > 5 and parts[4] else None

    @property
    def label(self) -> str:
        """Where the stream is, for locations: its ARN, else region/name."""
        return self.arn or f"{self.region}/{self.name}"

    def finding(self, finding_id: str) -> Finding:
        """The finding with this id (KeyError if there is none)."""
        for found in self.findings:
            if found.id == finding_id:
                return found
        raise KeyError(f"{self.name}: no finding {finding_id!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "name": self.name,
            "arn": self.arn,
            "source_type": self.source_type,
            "verdict": self.verdict.value,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class AuditReport:
    """The whole audit: every stream of every region audited.

    ``caller_account`` is the account of the credentials (STS GetCallerIdentity; None when it
    could not be read); ``allow_partial`` makes findings that could not be evaluated not decide
    the exit code.
    """

    generated_at: datetime
    regions: tuple[str, ...]
    endpoint_url: str | None
    streams: list[StreamAudit]
    caller_account: str | None = None
    allow_partial: bool = False

    def counts(self) -> dict[str, int]:
        """Findings by verdict, every verdict present (zero when none)."""
        counted = Counter(f.verdict for s in self.streams for f in s.findings)
        return {verdict.value: counted.get(verdict, 0) for verdict in FINDING_VERDICTS}

    @property
    def accounts(self) -> tuple[str, ...]:
        """The caller's account and those of the streams' ARNs, each once."""
        found = [self.caller_account, *(s.account for s in self.streams)]
        return tuple(dict.fromkeys(a for a in found if a))

    @property
    def failed(self) -> bool:
        return any(f.verdict is Verdict.FAILED for s in self.streams for f in s.findings)

    @property
    def errors(self) -> int:
        """How many findings could not be evaluated."""
        return sum(f.verdict is Verdict.ERROR for s in self.streams for f in s.findings)

    @property
    def complete(self) -> bool:
        return self.errors == 0

    @property
    def exit_code(self) -> int:
        """2 when a finding could not be evaluated (the audit could not complete) unless
        ``allow_partial``; else 1 when a finding fails; else 0. (2 for an audit that could not
        run at all is the command's.)"""
        if self.errors and not self.allow_partial:
            return 2
        return 1 if self.failed else 0

    def stream(self, name: str, region: str | None = None) -> StreamAudit:
        for audited in self.streams:
            if audited.name == name and region in (None, audited.region):
                return audited
        raise KeyError(f"no audited stream {name!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "generated_at": self.generated_at.isoformat(),
            "accounts": list(self.accounts),
            "regions": list(self.regions),
            "endpoint_url": self.endpoint_url,
            "complete": self.complete,
            "allow_partial": self.allow_partial,
            "summary": {"streams": len(self.streams), **self.counts()},
            "exit_code": self.exit_code,
            "streams": [s.to_dict() for s in self.streams],
        }
