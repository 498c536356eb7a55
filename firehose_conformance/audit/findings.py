"""What an audit found: verdicts, findings grounded in catalog requirements, results per stream.

Every finding names the requirement IDs that ground it, and those IDs are checked against the
catalog (``features/requirements.toml``) when the finding is made: an audit cannot cite a
requirement the suite does not define.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from firehose_conformance.catalog import load_catalog
from firehose_conformance.verdicts import AUDIT_VERDICTS, Verdict

# v2: the verdict words became the suite's (passed, failed; v1 said pass, fail).
SCHEMA = "firehose-conformance/audit/v2"
MISSING = "(missing)"  # the evidence value of a field the answer did not contain


# A stream's overall verdict is its worst finding's; not_applicable never hides anything.
_SEVERITY = {Verdict.NOT_APPLICABLE: 0, Verdict.PASSED: 1, Verdict.WARN: 2, Verdict.FAILED: 3}


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
        if self.verdict not in AUDIT_VERDICTS:
            raise ValueError(f"finding {self.id!r}: {self.verdict!r} is not an audit verdict")
        object.__setattr__(self, "verdict", Verdict(self.verdict))
        object.__setattr__(self, "requirements", tuple(self.requirements))
        object.__setattr__(self, "evidence", jsonable(dict(self.evidence)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "verdict": self.verdict.value,
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
    source_type: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        if not self.findings:
            return Verdict.NOT_APPLICABLE
        return max((f.verdict for f in self.findings), key=_SEVERITY.__getitem__)

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
    """The whole audit: every stream of every region audited."""

    generated_at: datetime
    regions: tuple[str, ...]
    endpoint_url: str | None
    streams: list[StreamAudit]

    def counts(self) -> dict[str, int]:
        """Findings by verdict, every verdict present (zero when none)."""
        counted = Counter(f.verdict for s in self.streams for f in s.findings)
        return {verdict.value: counted.get(verdict, 0) for verdict in AUDIT_VERDICTS}

    @property
    def failed(self) -> bool:
        return any(f.verdict is Verdict.FAILED for s in self.streams for f in s.findings)

    @property
    def exit_code(self) -> int:
        """0 when no finding fails, 1 otherwise (2, for an audit that could not run, is the
        command's)."""
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
            "regions": list(self.regions),
            "endpoint_url": self.endpoint_url,
            "summary": {"streams": len(self.streams), **self.counts()},
            "exit_code": self.exit_code,
            "streams": [s.to_dict() for s in self.streams],
        }
