"""JUnit XML for CI, written from the results document (not from pytest's own ``--junitxml``).

The shape is the one Jenkins, GitLab and GitHub reporters read::

    testsuites(name, tests, failures, errors, skipped, time)
      testsuite(name, tests, failures, errors, skipped, time, timestamp)     one per feature
        testcase(classname, name, time)                                      one per scenario
          properties > property(name, value)    verdict, reason, requirements, cause, observed, ...
          failure(message, type) | error(message, type) | skipped(message)

A testcase is named after its scenario and the requirement IDs it checks
(``Start moves the status ... [SSE-02 SSE-04]``), under its feature as classname. ``failed`` is a
``<failure>``; ``error`` (and ``interrupted``, or any word this module does not know) an
``<error>``; ``not_applicable`` (and ``not_run``, ``not_selected``) ``<skipped>`` with the reason.

With a declaration of the target's known deviations (``run --expectations FILE``), a scenario
whose failure or error the declaration accounts for is ``<skipped message="known deviation:
...">``, so a run that matches its expectations is green in a CI UI as it is on the command
line; one that does not (a regression, a changed verdict) stays a failure. A last testsuite,
``expectations``, has a testcase per declared verdict (a failure when stale or changed) and per
regression.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from firehose_conformance.expectations import Declaration, Expectation, Mismatch, compare
from firehose_conformance.results import Results, ScenarioResult, write_atomically
from firehose_conformance.verdicts import Verdict

EXPECTATIONS_SUITE = "expectations"
SKIPPED_WORDS = frozenset(
    {Verdict.NOT_APPLICABLE.value, Verdict.NOT_RUN.value, Verdict.NOT_SELECTED.value}
)
# Optional scenario fields, written as properties when a results document has them.
OPTIONAL_FIELDS = ("cause", "observed", "charged")
# XML 1.0 cannot hold most control characters, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Case:
    """One testcase: its outcome element (None when it passed) and its properties."""

    classname: str
    name: str
    time: float
    outcome: str | None  # "failure", "error", "skipped" or None
    message: str
    properties: tuple[tuple[str, str], ...]
    kind: str = ""  # the type attribute of a failure or error


def render_junit(results: Results, declaration: Declaration | None = None) -> str:
    """The JUnit XML document of ``results`` (with ``declaration``'s known deviations)."""
    mismatches = compare(results, declaration) if declaration is not None else []
    suites: dict[str, list[Case]] = {}
    for scenario, name in zip(results.scenarios, _case_names(results.scenarios), strict=True):
        case = _scenario_case(scenario, name, declaration, mismatches)
        suites.setdefault(scenario.feature, []).append(case)
    if declaration is not None:
        checked = _expectation_cases(declaration, mismatches)
        if checked:
            suites[EXPECTATIONS_SUITE] = checked
    root = ET.Element("testsuites", name=f"firehose-conformance {results.target}")
    _counts(root, [c for cases in suites.values() for c in cases], results.duration_s)
    timestamp = _timestamp(results.started_at)
    for index, (feature, cases) in enumerate(suites.items()):
        suite = ET.SubElement(root, "testsuite", name=_text(feature))
        _counts(suite, cases, sum(c.time for c in cases))
        suite.set("id", str(index))
        if timestamp:
            suite.set("timestamp", timestamp)
        for case in cases:
            _case_element(suite, case)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def write_junit(results: Results, path: Path, declaration: Declaration | None = None) -> None:
    """Write the JUnit file atomically (a temporary file beside it, then a rename)."""
    write_atomically(path, render_junit(results, declaration))


def case_name(scenario: ScenarioResult) -> str:
    """``<scenario name> [<requirement IDs>]``."""
    ids = " ".join(scenario.requirements)
    return f"{scenario.name} [{ids}]" if ids else scenario.name


def _case_names(scenarios: list[ScenarioResult]) -> list[str]:
    """Case names, numbered where two scenarios of one feature would share one."""
    names = [case_name(s) for s in scenarios]
    seen: dict[tuple[str, str], int] = {}
    totals: dict[tuple[str, str], int] = {}
    for scenario, name in zip(scenarios, names, strict=True):
        totals[(scenario.feature, name)] = totals.get((scenario.feature, name), 0) + 1
    numbered = []
    for scenario, name in zip(scenarios, names, strict=True):
        key = (scenario.feature, name)
        if totals[key] == 1:
            numbered.append(name)
            continue
        seen[key] = seen.get(key, 0) + 1
        numbered.append(f"{name} #{seen[key]}")
    return numbered


def _scenario_case(
    scenario: ScenarioResult,
    name: str,
    declaration: Declaration | None,
    mismatches: list[Mismatch],
) -> Case:
    properties = [
        ("verdict", scenario.verdict),
        ("reason", scenario.reason),
        ("requirements", " ".join(scenario.requirements)),
    ]
    for field in OPTIONAL_FIELDS:
        value = getattr(scenario, field, None)
        if value not in (None, "", [], ()):
            properties.append((field, _word_list(value)))
    properties.append(("nodeid", scenario.nodeid))
    base = {"classname": scenario.feature, "name": name, "time": scenario.duration_s}
    verdict = scenario.verdict
    if verdict == Verdict.PASSED:
        return Case(**base, outcome=None, message="", properties=tuple(properties))
    if verdict in SKIPPED_WORDS:
        message = f"{verdict}: {scenario.reason}" if verdict != Verdict.NOT_APPLICABLE else ""
        return Case(
            **base,
            outcome="skipped",
            message=message or scenario.reason or verdict,
            properties=tuple(properties),
        )
    known = _declared_for(scenario, declaration, mismatches)
    if known:
        properties.append(("known deviation", "; ".join(e.reason for e in known)))
        links = [e.link for e in known if e.link]
        if links:
            properties.append(("link", " ".join(links)))
        return Case(
            **base,
            outcome="skipped",
            message="known deviation: " + "; ".join(e.reason for e in known),
            properties=tuple(properties),
        )
    outcome = "failure" if verdict == Verdict.FAILED else "error"
    return Case(
        **base,
        outcome=outcome,
        message=scenario.reason or verdict,
        properties=tuple(properties),
        kind=verdict,
    )


def _declared_for(
    scenario: ScenarioResult, declaration: Declaration | None, mismatches: list[Mismatch]
) -> list[Expectation]:
    """The declarations that account for this scenario's verdict; [] when any of its subjects
    is a mismatch (a regression or a changed verdict is never a known deviation)."""
    if declaration is None:
        return []
    subjects = {("requirement", rid) for rid in scenario.requirements}
    subjects.add(("scenario", scenario.name))
    if any((m.kind, m.subject) in subjects for m in mismatches):
        return []
    found = [
        e
        for e in declaration.expectations
        if (e.kind, e.subject) in subjects and e.verdict == scenario.verdict
    ]
    return sorted(found, key=lambda e: e.kind != "scenario")  # the most specific first


def _expectation_cases(declaration: Declaration, mismatches: list[Mismatch]) -> list[Case]:
    by_subject = {(m.kind, m.subject): m for m in mismatches}
    cases = []
    for expectation in declaration.expectations:
        mismatch = by_subject.pop((expectation.kind, expectation.subject), None)
        properties = [
            ("declared", expectation.verdict),
            ("reason", expectation.reason),
        ]
        if expectation.link:
            properties.append(("link", expectation.link))
        name = f"{expectation.kind} {expectation.subject} declared {expectation.verdict}"
        if mismatch is None:
            cases.append(_expectation_case(name, None, "", properties))
        else:
            properties.append(("actual", mismatch.actual))
            message = f"{mismatch.problem}: {mismatch.detail}"
            cases.append(_expectation_case(name, "failure", message, properties, mismatch.problem))
    for mismatch in by_subject.values():  # regressions: failures nothing declared
        name = f"{mismatch.kind} {mismatch.subject} {mismatch.actual}, not declared"
        properties = [("declared", mismatch.expected), ("actual", mismatch.actual)]
        message = f"{mismatch.problem}: {mismatch.detail}"
        cases.append(_expectation_case(name, "failure", message, properties, mismatch.problem))
    return cases


def _expectation_case(
    name: str,
    outcome: str | None,
    message: str,
    properties: list[tuple[str, str]],
    kind: str = "",
) -> Case:
    return Case(EXPECTATIONS_SUITE, name, 0.0, outcome, message, tuple(properties), kind)


def _counts(element: ET.Element, cases: Iterable[Case], time: float) -> None:
    cases = list(cases)
    element.set("tests", str(len(cases)))
    for attribute, outcome in (
        ("failures", "failure"),
        ("errors", "error"),
        ("skipped", "skipped"),
    ):
        element.set(attribute, str(sum(c.outcome == outcome for c in cases)))
    element.set("time", _seconds(time))


def _case_element(suite: ET.Element, case: Case) -> None:
    element = ET.SubElement(
        suite,
        "testcase",
        classname=_text(case.classname),
        name=_text(case.name),
        time=_seconds(case.time),
    )
    shown = [(name, value) for name, value in case.properties if value != ""]
    if shown:
        properties = ET.SubElement(element, "properties")
        for name, value in shown:
            ET.SubElement(properties, "property", name=name, value=_text(value))
    if case.outcome is None:
        return
    outcome = ET.SubElement(element, case.outcome, message=_text(case.message))
    if case.outcome != "skipped":
        outcome.set("type", case.kind)
        outcome.text = _text(case.message)


def _word_list(value: object) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        return " ".join(str(v) for v in value)
    return str(value)


def _text(value: str) -> str:
    return _INVALID_XML.sub("\ufffd", str(value))


def _seconds(value: float) -> str:
    return f"{max(float(value), 0.0):.3f}"


def _timestamp(started_at: str) -> str:
    """ISO 8601 in UTC without an offset, as the JUnit schema's timestamp pattern has it."""
    try:
        when = datetime.fromisoformat(started_at)
    except ValueError:
        return ""
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when.replace(microsecond=0).isoformat()
