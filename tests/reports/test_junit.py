"""JUnit XML from the results document (reports/junit.py): the shape CI reporters read, the
names and properties of each case, the verdict elements, and known deviations as skipped."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from firehose_conformance.catalog import load_catalog
from firehose_conformance.cli import main
from firehose_conformance.expectations import Declaration, load_declaration
from firehose_conformance.reports.junit import render_junit, write_junit
from firehose_conformance.results import Results, ScenarioResult, build_results

# The common JUnit XML shape (Jenkins' junit plugin, GitLab, GitHub test reporters): for each
# element, its required and optional attributes (with a type) and the children it may have.
INT, FLOAT, TEXT = r"\d+", r"\d+(\.\d+)?", r".*"
TIMESTAMP = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"
SHAPE: dict[str, tuple[dict[str, str], dict[str, str], set[str]]] = {
    "testsuites": (
        {"tests": INT, "failures": INT, "errors": INT, "skipped": INT, "time": FLOAT},
        {"name": TEXT},
        {"testsuite"},
    ),
    "testsuite": (
        {"name": TEXT, "tests": INT, "failures": INT, "errors": INT, "skipped": INT, "time": FLOAT},
        {"timestamp": TIMESTAMP, "id": INT, "hostname": TEXT, "package": TEXT},
        {"properties", "testcase", "system-out", "system-err"},
    ),
    "testcase": (
        {"classname": TEXT, "name": TEXT, "time": FLOAT},
        {},
        {"properties", "failure", "error", "skipped", "system-out", "system-err"},
    ),
    "properties": ({}, {}, {"property"}),
    "property": ({"name": TEXT, "value": TEXT}, {}, set()),
    "failure": ({"message": TEXT}, {"type": TEXT}, set()),
    "error": ({"message": TEXT}, {"type": TEXT}, set()),
    "skipped": ({}, {"message": TEXT}, set()),
}
OUTCOMES = ("failure", "error", "skipped")


def validate(text: str) -> ET.Element:
    """Check ``text`` against SHAPE and the counts' consistency; return the root."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    _validate_element(root)
    suites = root.findall("testsuite")
    assert suites, "no testsuite"
    for element in [root, *suites]:
        cases = element.iter("testcase")
        counted = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for case in cases:
            outcomes = [child.tag for child in case if child.tag in OUTCOMES]
            assert len(outcomes) <= 1, f"{case.get('name')}: {outcomes}"
            kids = [child.tag for child in case]
            if "properties" in kids:
                assert kids.index("properties") == 0, "properties come first"
            counted["tests"] += 1
            for attribute, tag in zip(("failures", "errors", "skipped"), OUTCOMES, strict=True):
                counted[attribute] += outcomes == [tag]
        assert {k: int(element.get(k)) for k in counted} == counted, element.get("name")
    return root


def _validate_element(element: ET.Element) -> None:
    required, optional, children = SHAPE[element.tag]
    for name in required:
        assert name in element.attrib, f"<{element.tag}> lacks {name}"
    for name, value in element.attrib.items():
        pattern = required.get(name) or optional.get(name)
        assert pattern is not None, f"<{element.tag}> has an unknown attribute {name}"
        assert re.fullmatch(pattern, value, re.DOTALL), f"<{element.tag} {name}={value!r}>"
    for child in element:
        assert child.tag in children, f"<{child.tag}> inside <{element.tag}>"
        _validate_element(child)


def scenario(rid: str, verdict: str, reason: str = "", feature: str = "Feature A", **more):
    made = ScenarioResult(
        nodeid=f"steps/test_spec.py::test_{rid}_{verdict}",
        feature=feature,
        name=f"scenario for {rid}",
        requirements=[rid, "SSE-15"] if rid == "SSE-02" else [rid],
        capabilities=[],
        verdict=verdict,
        reason=reason,
        duration_s=0.25,
    )
    # What a scenario says about its requirements: a pass observed them, a failure or an error
    # is charged to them (as the plugin records it).
    if verdict == "passed":
        made.observed = list(made.requirements)
    elif verdict in ("failed", "error"):
        made.charged = list(made.requirements)
    for name, value in more.items():  # fields a newer results document carries
        setattr(made, name, value)
    return made


def results_of(*scenarios: ScenarioResult, target: str = "moto", whole: bool = False) -> Results:
    """Results of these scenarios; ``whole``: every other requirement passes in "Feature Z"."""
    if whole:
        named = {rid for s in scenarios for rid in s.requirements}
        rest = [scenario(rid, "passed", feature="Feature Z") for rid in load_catalog()]
        scenarios = (*scenarios, *(s for s in rest if s.requirements[0] not in named))
    return build_results(
        target=target,
        started_at="2026-11-28T10:00:00+01:00",
        duration_s=2.5,
        scenarios=scenarios,
        catalog=load_catalog(),
    )


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {case.get("name"): case for case in root.iter("testcase")}


def properties(case: ET.Element) -> dict[str, str]:
    return {p.get("name"): p.get("value") for p in case.iter("property")}


MIXED = (
    scenario("SSE-02", "failed", 'status stayed "ENABLING" <b>', observed=["SSE-02"]),
    scenario("KEY-01", "error", "HTTP 500", cause="not_implemented: StartDeliveryStreamEncryption"),
    scenario("API-12", "not_applicable", "target lacks @needs-cloudtrail", feature="Feature B"),
    scenario("SSE-03", "passed", feature="Feature B"),
)


def test_one_suite_per_feature_named_cases_and_the_verdict_elements() -> None:
    root = validate(render_junit(results_of(*MIXED)))
    assert root.get("name") == "firehose-conformance moto"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")
    assert root.get("skipped") == "1" and root.get("time") == "2.500"
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert sorted(suites) == ["Feature A", "Feature B"]
    assert suites["Feature A"].get("timestamp") == "2026-11-28T09:00:00"
    assert suites["Feature A"].get("time") == "0.500"
    by_name = cases(root)
    failed = by_name["scenario for SSE-02 [SSE-02 SSE-15]"]
    assert failed.get("classname") == "Feature A"
    failure = failed.find("failure")
    assert failure.get("message") == failure.text == 'status stayed "ENABLING" <b>'
    assert failure.get("type") == "failed"
    assert properties(failed) == {
        "verdict": "failed",
        "reason": 'status stayed "ENABLING" <b>',
        "requirements": "SSE-02 SSE-15",
        "observed": "SSE-02",
        "charged": "SSE-02 SSE-15",
        "nodeid": "steps/test_spec.py::test_SSE-02_failed",
    }
    errored = by_name["scenario for KEY-01 [KEY-01]"]
    assert errored.find("failure") is None
    assert errored.find("error").get("message") == "HTTP 500"
    assert properties(errored)["cause"] == "not_implemented: StartDeliveryStreamEncryption"
    skipped = by_name["scenario for API-12 [API-12]"].find("skipped")
    assert skipped.get("message") == "target lacks @needs-cloudtrail"
    passed = by_name["scenario for SSE-03 [SSE-03]"]
    assert [child.tag for child in passed] == ["properties"]


def test_unknown_or_newer_verdict_words_are_never_green() -> None:
    run = results_of(scenario("SSE-02", "passed"), scenario("SSE-03", "passed"))
    run.scenarios += [scenario("SSE-04", "passed")]
    words = {"SSE-02": ("interrupted", "stopped by SIGINT"), "SSE-03": ("not_run", "the run was")}
    words["SSE-04"] = ("bogus", "?")
    for made in run.scenarios:  # words build_results does not know (yet)
        made.verdict, made.reason = words[made.requirements[0]]
    root = validate(render_junit(run))
    by_name = cases(root)
    assert by_name["scenario for SSE-02 [SSE-02 SSE-15]"].find("error") is not None
    assert by_name["scenario for SSE-03 [SSE-03]"].find("skipped").get("message") == (
        "not_run: the run was"
    )
    assert by_name["scenario for SSE-04 [SSE-04]"].find("error").get("type") == "bogus"


def test_control_characters_and_duplicate_names_are_made_safe() -> None:
    first = scenario("SSE-03", "failed", "bytes \x00\x1b[31m seen")
    second = dataclasses.replace(first, nodeid=first.nodeid + "[2]", verdict="passed")
    root = validate(render_junit(results_of(first, second)))
    names = sorted(cases(root))
    assert names == ["scenario for SSE-03 [SSE-03] #1", "scenario for SSE-03 [SSE-03] #2"]
    message = root.find(".//failure").get("message")
    assert message == "bytes \ufffd\ufffd[31m seen"


DECLARATION = """
implementation = "moto"
targets = ["moto"]

[requirements.SSE-02]
verdict = "failed"
reason = "moto sets ENABLED synchronously"
link = "https://example.invalid/moto/1"

[requirements.SSE-15]
verdict = "failed"
reason = "follows from SSE-02"

[scenarios."scenario for KEY-01"]
verdict = "error"
reason = "moto answers 500 here"
"""


@pytest.fixture
def declaration(tmp_path: Path) -> Declaration:
    path = tmp_path / "moto.toml"
    path.write_text(DECLARATION, encoding="utf-8")
    return load_declaration(path)


def _requirement_errors_declared(declaration: Declaration, tmp_path: Path) -> Declaration:
    path = tmp_path / "more.toml"
    path.write_text(
        DECLARATION + '\n[requirements.KEY-01]\nverdict = "error"\nreason = "500"\n',
        encoding="utf-8",
    )
    return load_declaration(path)


def test_a_run_that_matches_its_expectations_is_green(
    declaration: Declaration, tmp_path: Path
) -> None:
    declaration = _requirement_errors_declared(declaration, tmp_path)
    root = validate(render_junit(results_of(*MIXED, whole=True), declaration))
    assert (root.get("failures"), root.get("errors")) == ("0", "0")
    known = cases(root)["scenario for SSE-02 [SSE-02 SSE-15]"]
    assert known.find("skipped").get("message") == (
        "known deviation: moto sets ENABLED synchronously; follows from SSE-02"
    )
    assert properties(known)["link"] == "https://example.invalid/moto/1"
    assert properties(known)["reason"] == 'status stayed "ENABLING" <b>'
    errored = cases(root)["scenario for KEY-01 [KEY-01]"]
    assert errored.find("skipped").get("message").startswith("known deviation: moto answers 500")
    expectations = root.find("testsuite[@name='expectations']")
    assert [c.get("name") for c in expectations] == [
        "requirement SSE-02 declared failed",
        "requirement SSE-15 declared failed",
        "requirement KEY-01 declared error",
        "scenario scenario for KEY-01 declared error",
    ]
    assert all(len(c.findall("failure")) == 0 for c in expectations)


def test_undeclared_and_stale_ones_are_failures(declaration: Declaration) -> None:
    run = results_of(
        scenario("SSE-02", "passed"),  # declared failed: stale
        scenario("KEY-01", "error", "HTTP 500"),  # scenario declared, requirement not
        scenario("API-06", "failed", "no LimitExceededException"),  # a regression
        whole=True,
    )
    root = validate(render_junit(run, declaration))
    by_name = cases(root)
    assert by_name["scenario for API-06 [API-06]"].find("failure") is not None
    # The scenario is declared, but its requirement now errors undeclared: not a known one.
    assert by_name["scenario for KEY-01 [KEY-01]"].find("error") is not None
    expectations = {c.get("name"): c for c in root.find("testsuite[@name='expectations']")}
    stale = expectations["requirement SSE-02 declared failed"].find("failure")
    assert stale.get("message") == "stale: now passes: remove the declared deviation"
    assert stale.get("type") == "stale"
    assert expectations["requirement API-06 failed, not declared"].find("failure").get("type") == (
        "regression"
    )
    assert expectations["scenario scenario for KEY-01 declared error"].find("failure") is None


def test_write_junit_replaces_the_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "junit.xml"
    write_junit(results_of(*MIXED), path)
    validate(path.read_text(encoding="utf-8"))
    assert [p.name for p in path.parent.iterdir()] == ["junit.xml"]


@pytest.mark.slow
def test_run_writes_it_to_the_default_place_and_with_expectations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the default reports/ is then this test's own
    selection = ["--", "-k", "empty_response"]
    assert main(["run", "--quiet", *selection]) == 0
    root = validate((tmp_path / "reports" / "junit-reference.xml").read_text(encoding="utf-8"))
    assert root.get("tests") == "2" and root.get("failures") == "0"
    for case in root.iter("testcase"):
        assert re.search(r" \[(SSE|API|KEY)-\d\d( [A-Z]{3}-\d\d)*\]$", case.get("name"))
    declared = tmp_path / "reference.toml"
    declared.write_text(
        'implementation = "reference"\ntargets = ["reference"]\n'
        '[requirements.SSE-02]\nverdict = "untested"\nreason = "not selected here"\n',
        encoding="utf-8",
    )
    junit = tmp_path / "j.xml"
    argv = ["run", "--quiet", "--junit", str(junit), "--expectations", str(declared)]
    main([*argv, "--results", str(tmp_path / "r.json"), *selection])
    root = validate(junit.read_text(encoding="utf-8"))
    expectations = [c.get("name") for c in root.find("testsuite[@name='expectations']")]
    assert expectations[0] == "requirement SSE-02 declared untested"
