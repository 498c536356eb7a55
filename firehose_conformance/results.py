"""The results document (schema ``firehose-conformance/results/v1``): built, written, read.

Per scenario: its verdict and reason; ``observed``, the requirements its checks observed (a
requirement passes only where a scenario observed it and charged it nothing); ``charged``, for a
failed or errored scenario, the requirements that outcome counts against (those the failing
step checks); ``cause``, e.g. ``not_implemented: StartDeliveryStreamEncryption``; ``teardown``,
what could not be removed after it (reported beside the verdict, never instead of it).

A run that was stopped says so: ``interrupted`` is true, the scenario that was running is
``interrupted`` and those it never reached ``not_run`` (verdicts.py); ``selection`` is the
filter (``-m``/``-k``) the run was given, and a requirement none of whose scenarios it selected
is ``not_selected``. ``left_out`` lists what the target's cost policy left out of the selection
(cost_policy.py: a real account's @slow and @scale scenarios, key-spec rows beyond one per key
family), one entry per rule with its reason, how to run them, and which scenarios; a
requirement's ``left_out`` counts its scenarios among them, and one that kept none is
``not_selected`` with the rule as its reason. The file is written at the end, atomically (a
temporary file beside it, then a rename): a reader sees the previous document or the new one,
never a part.
"""

from __future__ import annotations

import json
import os
import tempfile
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
    contribution,
    missing_operations,
    not_implemented_cause,
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
    observed: list[str] = field(default_factory=list)
    charged: list[str] = field(default_factory=list)
    cause: str = ""
    teardown: str = ""

    def says(self, rid: str) -> Verdict:
        """What this scenario says about requirement ``rid`` (verdicts.contribution)."""
        return contribution(rid, Verdict(self.verdict), self.observed, self.charged)


@dataclass
class RequirementResult:
    id: str
    level: str
    mandatory: bool
    verdict: str
    reason: str
    scenarios: list[str]
    cause: str = ""  # the cause shared by every scenario that decided an error verdict
    left_out: int = 0  # its scenarios the target's cost policy left out of the selection


@dataclass
class LeftOut:
    """The scenarios one rule of the target's cost policy left out of the run."""

    rule: str  # "@slow", "key_specs=family"
    reason: str  # why
    include: str  # how to run them anyway
    considered: int  # the scenarios the rule weighed (kept or not)
    scenarios: list[str]  # the names of those it left out
    requirements: dict[str, int]  # requirement ID -> how many of its scenarios it left out


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
    # The run was stopped (SIGINT, SIGTERM) before every selected scenario ran.
    interrupted: bool = False
    # The filter the run was given ("-m 'SSE-02' -k ENABLING"), "" for every scenario.
    selection: str = ""
    # What the target's cost policy left out of the selection, per rule ([] when nothing).
    left_out: list[LeftOut] = field(default_factory=list)
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
    deselected: Mapping[str, int] | None = None,
    selection: str = "",
    interrupted: bool = False,
    unlisted_not_run: bool = False,
    left_out: Iterable[LeftOut] = (),
) -> Results:
    """The results of a run. ``deselected``: requirement ID -> how many of its scenarios the
    selection left out (those of ``left_out``, the target's cost policy, included).
    ``unlisted_not_run``: the run was stopped before it knew which scenarios were selected, so
    a requirement without any scenario here is ``not_run`` rather than ``untested``."""
    ordered = sorted(scenarios, key=lambda s: s.nodeid)
    deselected = dict(deselected or {})
    left_out = list(left_out)
    by_requirement: dict[str, list[ScenarioResult]] = {rid: [] for rid in catalog}
    for scenario in ordered:
        for rid in scenario.requirements:
            by_requirement.setdefault(rid, []).append(scenario)
    requirements = []
    for rid, requirement in catalog.items():
        covered = by_requirement[rid]
        verdict = requirement_verdict(s.says(rid) for s in covered)
        deciding = [s for s in covered if s.says(rid) is verdict]
        reason = _requirement_reason(verdict, deciding, len(covered))
        by_policy = sum(group.requirements.get(rid, 0) for group in left_out)
        if verdict is Verdict.UNTESTED and by_policy:
            verdict = Verdict.NOT_SELECTED
            reason = _left_out_reason(rid, left_out, deselected.get(rid, 0) - by_policy, selection)
        elif verdict is Verdict.UNTESTED and deselected.get(rid):
            verdict = Verdict.NOT_SELECTED
            count = deselected[rid]
            reason = (
                f"not selected: {selection or 'the selection'} took none of its "
                f"{count} scenario{'' if count == 1 else 's'}"
            )
        elif verdict is Verdict.UNTESTED and unlisted_not_run:
            verdict = Verdict.NOT_RUN
            reason = "the run was stopped before it reached this requirement"
        requirements.append(
            RequirementResult(
                id=rid,
                level=requirement.display_level,
                mandatory=requirement.mandatory,
                verdict=verdict.value,
                reason=reason,
                scenarios=[_label(s) for s in covered],
                cause=_shared_cause(verdict, deciding),
                left_out=by_policy,
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
        interrupted=interrupted,
        selection=selection,
        left_out=left_out,
    )


def _left_out_reason(rid: str, left_out: list[LeftOut], others: int, selection: str) -> str:
    """Why a requirement none of whose scenarios ran is not selected: the target's rules that
    left them out (and the filter, for the rest)."""
    parts = []
    for group in left_out:
        count = group.requirements.get(rid, 0)
        if count:
            parts.append(
                f"{group.rule} ({count} scenario{'' if count == 1 else 's'}): {group.reason}; "
                f"{group.include}"
            )
    reason = "left out by the target's cost policy: " + "; ".join(parts)
    if others > 0:
        reason += f"; {selection or 'the selection'} took none of the other {others}"
    return reason


def _label(scenario: ScenarioResult) -> str:
    return f"{scenario.feature}: {scenario.name}"


def _requirement_reason(verdict: Verdict, deciding: list[ScenarioResult], total: int) -> str:
    """The first scenario that decided the verdict, and how many more did."""
    if verdict is Verdict.UNTESTED:
        return "no scenario checks this requirement"
    if verdict is Verdict.PASSED:
        return ""
    if verdict is Verdict.NOT_RUN:
        stopped = [s for s in deciding if s.verdict == Verdict.INTERRUPTED]
        during = f" ('{stopped[0].name}' was interrupted)" if stopped else ""
        return (
            f"the run was stopped before it ran {len(deciding)} of its {total} "
            f"scenario{'' if total == 1 else 's'}{during}"
        )
    first = deciding[0]
    more = f" (+{len(deciding) - 1} more)" if len(deciding) > 1 else ""
    reason = first.reason or f"the scenario {first.verdict.replace('_', ' ')}"
    return f"{first.name}: {reason}{more}"


def _shared_cause(verdict: Verdict, deciding: list[ScenarioResult]) -> str:
    """An error whose every deciding scenario has the same cause carries it. One whose every
    deciding scenario was blocked by an operation the target does not implement carries them
    all (``not_implemented: StartDeliveryStreamEncryption, StopDeliveryStreamEncryption``), so
    that reports list it under each of them rather than nowhere."""
    if verdict is not Verdict.ERROR:
        return ""
    causes = {s.cause for s in deciding}
    if len(causes) == 1:
        return causes.pop()
    missing = [missing_operations(s.cause) for s in deciding]
    if deciding and all(missing):
        return not_implemented_cause(sorted({op for ops in missing for op in ops}))
    return ""


def not_implemented(results: Results) -> dict[str, list[str]]:
    """Operation -> the requirements its absence blocks (their verdict is error with that
    cause), in catalog order: "StartDeliveryStreamEncryption not implemented: 30 blocked"."""
    blocked: dict[str, list[str]] = {}
    for requirement in results.requirements:
        for operation in missing_operations(requirement.cause):
            blocked.setdefault(operation, []).append(requirement.id)
    return blocked


def write_results(results: Results, path: Path) -> None:
    """Write the document atomically: a temporary file beside ``path``, then a rename, so the
    previous file stays whole until the new one is complete."""
    write_atomically(path, json.dumps(results.to_json(), indent=2) + "\n")


def write_atomically(path: Path, text: str) -> None:
    """``text`` into ``path`` through a temporary file in the same directory and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as open() would make it, not mkstemp's 0600
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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
            interrupted=bool(data.get("interrupted", False)),
            selection=str(data.get("selection", "")),
            left_out=[LeftOut(**group) for group in data.get("left_out") or []],
        )
    except (KeyError, TypeError, ValueError) as error:
        raise UsageError(f"{path}: malformed results document ({error})") from None
