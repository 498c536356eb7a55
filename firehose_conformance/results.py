"""The results document (schema ``firehose-conformance/results/v1``): built, written, read."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from firehose_conformance.catalog import Requirement
from firehose_conformance.errors import UsageError
from firehose_conformance.verdicts import (
    REQUIREMENT_VERDICTS,
    SCENARIO_VERDICTS,
    Verdict,
    requirement_verdict,
)

SCHEMA = "firehose-conformance/results/v1"


@dataclass
class ScenarioResult:
    nodeid: str
    feature: str
    name: str
    requirements: list[str]
    capabilities: list[str]
    verdict: str
    reason: str
    duration_s: float


@dataclass
class RequirementResult:
    id: str
    level: str
    mandatory: bool
    verdict: str
    reason: str
    scenarios: list[str]


@dataclass
class Results:
    target: str
    started_at: str
    duration_s: float
    summary: dict[str, int]
    requirement_summary: dict[str, int]
    requirements: list[RequirementResult]
    scenarios: list[ScenarioResult]
    # What the run was measured with (firehose_conformance.provenance); {} in older documents.
    provenance: dict[str, Any] = field(default_factory=dict)
    schema: str = SCHEMA
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        data.update(self.extra)
        return {"schema": data.pop("schema"), **data}

    @property
    def blocking_failures(self) -> list[RequirementResult]:
        """Mandatory requirements that failed or errored: they decide the exit code."""
        return [
            r
            for r in self.requirements
            if r.mandatory and r.verdict in (Verdict.FAILED, Verdict.ERROR)
        ]


def build_results(
    *,
    target: str,
    started_at: str,
    duration_s: float,
    scenarios: Iterable[ScenarioResult],
    catalog: Mapping[str, Requirement],
    provenance: dict[str, Any] | None = None,
) -> Results:
    ordered = sorted(scenarios, key=lambda s: s.nodeid)
    by_requirement: dict[str, list[ScenarioResult]] = {rid: [] for rid in catalog}
    for scenario in ordered:
        for rid in scenario.requirements:
            by_requirement.setdefault(rid, []).append(scenario)
    requirements = []
    for rid, requirement in catalog.items():
        covered = by_requirement[rid]
        verdict = requirement_verdict(Verdict(s.verdict) for s in covered)
        requirements.append(
            RequirementResult(
                id=rid,
                level=requirement.display_level,
                mandatory=requirement.mandatory,
                verdict=verdict.value,
                reason=_requirement_reason(verdict, covered),
                scenarios=[_label(s) for s in covered],
            )
        )
    summary = {key.value: sum(s.verdict == key for s in ordered) for key in SCENARIO_VERDICTS}
    requirement_summary = {
        key.value: sum(r.verdict == key for r in requirements) for key in REQUIREMENT_VERDICTS
    }
    return Results(
        target=target,
        started_at=started_at,
        duration_s=round(duration_s, 3),
        summary=summary,
        requirement_summary=requirement_summary,
        requirements=requirements,
        scenarios=ordered,
        provenance=dict(provenance or {}),
    )


def _label(scenario: ScenarioResult) -> str:
    return f"{scenario.feature}: {scenario.name}"


def _requirement_reason(verdict: Verdict, covered: list[ScenarioResult]) -> str:
    if verdict is Verdict.UNTESTED:
        return "no scenario checks this requirement"
    if verdict is Verdict.PASSED:
        return ""
    first = next(s for s in covered if s.verdict == verdict)
    others = sum(s.verdict == verdict for s in covered) - 1
    more = f" (+{others} more)" if others else ""
    return f"{first.name}: {first.reason}{more}"


def write_results(results: Results, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results.to_json(), indent=2) + "\n", encoding="utf-8")


def read_results(path: Path) -> Results:
    """Read a results file, with a clear error naming the file and the problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such results file") from None
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: not a readable JSON results file ({error})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise UsageError(f"{path}: not a {SCHEMA} document")
    try:
        return Results(
            target=data["target"],
            started_at=data["started_at"],
            duration_s=float(data["duration_s"]),
            summary=dict(data["summary"]),
            requirement_summary=dict(data.get("requirement_summary", {})),
            requirements=[RequirementResult(**r) for r in data["requirements"]],
            scenarios=[ScenarioResult(**s) for s in data["scenarios"]],
            provenance=dict(data.get("provenance") or {}),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise UsageError(f"{path}: malformed results document ({error})") from None
