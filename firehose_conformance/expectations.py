"""Declared expectations for a target: what an emulator is known to do, checked strictly.

An emulator project runs the suite in its own CI with a declaration of the verdicts it expects
(``run --expectations FILE``). The run passes when the results match it: a requirement that fails
without being declared is a regression; a declared failure that now passes is *stale* and fails
the run too, so a fix is noticed and the declaration shrinks (as smithy-rs's ExpectFail does).
A declaration annotates a verdict; it never turns a failure into a pass.

File format (TOML)::

    implementation = "moto"              # what the declaration describes
    targets = ["moto", "endpoint"]       # the harness targets it may be used with
    versions = "moto>=5.2,<5.3"          # what it was reviewed against (informative)

    [requirements.SSE-02]
    verdict = "failed"                   # passed | failed | error | not_applicable | untested
    reason = "StartDeliveryStreamEncryption sets ENABLED synchronously"
    link = "https://github.com/getmoto/moto/..."     # optional

    [scenarios."Start is asynchronous: the status is ENABLING until time passes"]
    verdict = "not_applicable"
    reason = "no controllable clock"

Requirements not declared are expected to pass or be not applicable.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from firehose_conformance.errors import UsageError
from firehose_conformance.results import Results
from firehose_conformance.verdicts import REQUIREMENT_VERDICTS, Verdict

UNDECLARED_OK = frozenset({Verdict.PASSED.value, Verdict.NOT_APPLICABLE.value})
_ENTRY_KEYS = {"verdict", "reason", "link"}


@dataclass(frozen=True)
class Expectation:
    kind: str  # "requirement" or "scenario"
    subject: str
    verdict: str
    reason: str
    link: str = ""


@dataclass(frozen=True)
class Declaration:
    implementation: str
    targets: tuple[str, ...]
    versions: str
    expectations: tuple[Expectation, ...]


@dataclass(frozen=True)
class Mismatch:
    kind: str
    subject: str
    expected: str
    actual: str
    problem: str  # "regression", "stale", "changed", "unknown"
    detail: str


def load_declaration(path: Path) -> Declaration:
    """Read and check a declaration; every problem is one line naming the file and the entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such expectations file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"{path}: not a readable TOML file ({error})") from None
    unknown = set(data) - {"implementation", "targets", "versions", "requirements", "scenarios"}
    if unknown:
        raise UsageError(f"{path}: unknown top-level keys {sorted(unknown)}")
    if not isinstance(data.get("implementation"), str) or not data["implementation"]:
        raise UsageError(f'{path}: needs implementation = "NAME"')
    targets = data.get("targets")
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
        raise UsageError(f'{path}: needs targets = ["TARGET", ...], the targets it applies to')
    expectations = [
        _entry(path, kind, subject, entry)
        for kind, table in (("requirement", "requirements"), ("scenario", "scenarios"))
        for subject, entry in _table(path, data, table).items()
    ]
    return Declaration(
        data["implementation"], tuple(targets), str(data.get("versions", "")), tuple(expectations)
    )


def _table(path: Path, data: dict[str, Any], key: str) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [{key}] must be a table")
    return table


def _entry(path: Path, kind: str, subject: str, entry: Any) -> Expectation:
    where = f"{path}: {kind} {subject!r}"
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: must be a table with verdict and reason")
    unknown = set(entry) - _ENTRY_KEYS
    if unknown:
        raise UsageError(f"{where}: unknown keys {sorted(unknown)}")
    verdict = entry.get("verdict")
    if verdict not in REQUIREMENT_VERDICTS:
        raise UsageError(
            f"{where}: verdict must be one of {[v.value for v in REQUIREMENT_VERDICTS]}"
        )
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise UsageError(f"{where}: needs a reason (why the target deviates)")
    link = entry.get("link", "")
    if not isinstance(link, str):
        raise UsageError(f"{where}: link must be a string")
    return Expectation(kind, subject, verdict, reason, link)


def compare(results: Results, declaration: Declaration) -> list[Mismatch]:
    """Every difference between the run and the declaration, regressions and stale ones alike.

    A run of a selection (``-m``/``-k``) checks only what it selected: a requirement that is
    ``not_selected``, and a declared scenario the selection did not take (or the target's cost
    policy left out), are neither matched nor mismatched (``unchecked`` counts them), so a
    declaration can gate a partial run too.
    """
    if results.target not in declaration.targets:
        return [
            Mismatch(
                "declaration",
                declaration.implementation,
                ", ".join(declaration.targets),
                results.target,
                "unknown",
                f"the declaration applies to {list(declaration.targets)}, the run was "
                f"{results.target!r}",
            )
        ]
    requirements = {r.id: (r.verdict, r.reason) for r in results.requirements}
    scenarios = {s.name: (s.verdict, s.reason) for s in results.scenarios}
    actual = {"requirement": requirements, "scenario": scenarios}
    mismatches = []
    declared_requirements = set()
    for expectation in declaration.expectations:
        table = actual[expectation.kind]
        if expectation.kind == "requirement":
            declared_requirements.add(expectation.subject)
        seen = table.get(expectation.subject)
        if _outside_selection(results, expectation.kind, seen, expectation.subject):
            continue
        if expectation.subject not in table:
            mismatches.append(
                Mismatch(
                    expectation.kind,
                    expectation.subject,
                    expectation.verdict,
                    "-",
                    "unknown",
                    f"no {expectation.kind} of that name in this run",
                )
            )
            continue
        verdict, reason = table[expectation.subject]
        if verdict != expectation.verdict:
            stale = verdict == Verdict.PASSED and expectation.verdict != Verdict.PASSED
            mismatches.append(
                Mismatch(
                    expectation.kind,
                    expectation.subject,
                    expectation.verdict,
                    verdict,
                    "stale" if stale else "changed",
                    "now passes: remove the declared deviation"
                    if stale
                    else reason or f"declared: {expectation.reason}",
                )
            )
    for rid, (verdict, reason) in requirements.items():
        if verdict == Verdict.NOT_SELECTED:
            continue
        if rid not in declared_requirements and verdict not in UNDECLARED_OK:
            mismatches.append(Mismatch("requirement", rid, "passed", verdict, "regression", reason))
    return mismatches


def unchecked(results: Results, declaration: Declaration) -> int:
    """How many declared verdicts the run's selection left out (so ``compare`` skipped them)."""
    requirements = {r.id: (r.verdict, r.reason) for r in results.requirements}
    scenarios = {s.name: (s.verdict, s.reason) for s in results.scenarios}
    actual = {"requirement": requirements, "scenario": scenarios}
    return sum(
        _outside_selection(results, e.kind, actual[e.kind].get(e.subject), e.subject)
        for e in declaration.expectations
    )


def _outside_selection(
    results: Results, kind: str, seen: tuple[str, str] | None, subject: str = ""
) -> bool:
    if kind == "requirement":
        return seen is not None and seen[0] == Verdict.NOT_SELECTED
    if seen is not None:
        return False
    # A scenario the selection did not take, or that the target's cost policy left out.
    return bool(results.selection) or any(subject in g.scenarios for g in results.left_out)


def outcome_line(
    results: Results, declaration: Declaration, mismatches: list[Mismatch], path: object
) -> str:
    """The last word on a declaration check (``mismatches`` from ``compare``), as run and the
    pytest entry point print it."""
    skipped = unchecked(results, declaration)
    count = len(declaration.expectations) - skipped
    outside = f" ({skipped} outside the selection, not checked)" if skipped else ""
    if mismatches:
        return (
            f"expectations {path}: {len(mismatches)} mismatch(es) against {count} declared "
            f"verdicts{outside}"
        )
    return (
        f"expectations {path}: all {count} declared verdicts matched{outside}, and nothing "
        "else failed"
    )
