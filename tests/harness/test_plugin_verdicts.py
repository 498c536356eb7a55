"""The plugin's verdicts from how steps end: what a scenario observed, what a failure is charged
to, set-up trouble, "not implemented", suite defects and leftovers, in the results document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FEATURE = """\
Feature: Verdicts

  @SSE-03 @KEY-01
  Scenario: refused at once
    When the target refuses the key
    Then the refusal is one the documents allow

  @SSE-02 @SSE-15
  Scenario: set-up trouble
    Given a set-up that the target cannot do
    Then the check holds

  @SSE-10 @SSE-04
  Scenario: charged to what the step checks
    Then the check holds
    # checks: SSE-04
    And a check that fails

  @SSE-10 @SSE-04
  Scenario: charged by the violation
    Then an undocumented status is read

  @SSE-01 @SSE-07
  Scenario: not implemented
    When an operation the target does not implement is called
    Then the check holds

  @SSE-05
  Scenario: nothing observed
    When the target takes another documented path
    Then the check holds

  @SSE-06
  Scenario: suite defect
    Then the suite is wrong

  @SSE-08
  Scenario: another requirement's check fails first
    Then a check of SSE-04 fails

  @SSE-09
  Scenario: a Given that is itself a check
    # checks: SSE-09
    Given a set-up that the target cannot do
"""

STEPS = """\
import pytest
from pytest_bdd import given, scenarios, then, when

from firehose_conformance.errors import NotImplementedByTarget, SuiteDefect, Violation
from firehose_conformance.world import World

scenarios("features")


@pytest.fixture
def world(fsc_observations):
    return World(observations=fsc_observations)


@when("the target refuses the key")
def refuses(world):
    world.not_exercised(["SSE-03"], "refused at once (AMB-01)")


@then("the refusal is one the documents allow")
def allowed(world):
    pass


@given("a set-up that the target cannot do")
def cannot(world):
    raise AssertionError("CreateKey refused: UnsupportedOperationException")


@then("the check holds")
def holds(world):
    pass


@then("a check that fails")
def fails(world):
    raise AssertionError("status is DISABLED")


@then("an undocumented status is read")
def undocumented(world):
    raise Violation(["SSE-04"], "undocumented status 'UPDATING'")


@when("an operation the target does not implement is called")
def missing(world):
    raise NotImplementedByTarget("StartDeliveryStreamEncryption", "HTTP 501 InternalFailure")


@when("the target takes another documented path")
def other_path(world):
    world.not_exercised(["SSE-05"], "the other path")


@then("the suite is wrong")
def wrong(world):
    raise SuiteDefect("no key named 'X' in this scenario")


@then("a check of SSE-04 fails")
def other_check(world):
    raise Violation(["SSE-04"], "undocumented status 'UPDATING'")
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """One run of the little suite above through the plugin, by scenario name."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("verdicts")
    (root / "features").mkdir()
    (root / "features" / "verdicts.feature").write_text(FEATURE)
    (root / "test_verdicts.py").write_text(STEPS)
    out = root / "results.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "firehose_conformance.plugin",
            "-p",
            "no:cacheprovider",
            f"--rootdir={root}",
            f"--results={out}",
            str(root),
        ],
        cwd=root,
        capture_output=True,
        check=False,
    )
    data = json.loads(out.read_text())
    return {
        "scenarios": {s["name"]: s for s in data["scenarios"]},
        "requirements": {r["id"]: r for r in data["requirements"]},
    }


def _scenario(results: dict, name: str) -> dict:
    return results["scenarios"][name]


def test_a_pass_observes_only_what_arose(results: dict) -> None:
    found = _scenario(results, "refused at once")
    assert (found["verdict"], found["observed"]) == ("passed", ["KEY-01"])
    assert "not exercised: SSE-03: refused at once (AMB-01)" in found["reason"]
    assert results["requirements"]["SSE-03"]["verdict"] == "not_applicable"


def test_a_scenario_that_observed_nothing_is_not_applicable(results: dict) -> None:
    found = _scenario(results, "nothing observed")
    assert (found["verdict"], found["observed"]) == ("not_applicable", [])
    assert "the other path" in found["reason"]


def test_a_failing_given_is_set_up_trouble(results: dict) -> None:
    found = _scenario(results, "set-up trouble")
    assert found["verdict"] == "error"
    assert found["reason"].startswith(
        "could not set up: Given a set-up that the target cannot do: CreateKey refused"
    )
    assert found["charged"] == ["SSE-02", "SSE-15"]


def test_a_failure_is_charged_to_what_the_step_checks(results: dict) -> None:
    found = _scenario(results, "charged to what the step checks")
    assert (found["verdict"], found["charged"], found["observed"]) == (
        "failed",
        ["SSE-04"],
        ["SSE-04", "SSE-10"],
    )
    violation = _scenario(results, "charged by the violation")
    assert (violation["verdict"], violation["charged"]) == ("failed", ["SSE-04"])
    assert results["requirements"]["SSE-04"]["verdict"] == "failed"
    assert results["requirements"]["SSE-10"]["verdict"] == "passed"  # observed, not charged


def test_a_failing_check_of_another_requirement_is_not_applicable_here(results: dict) -> None:
    found = _scenario(results, "another requirement's check fails first")
    assert found["verdict"] == "not_applicable"
    assert found["reason"].startswith("not reached: Then a check of SSE-04 fails checks SSE-04")


def test_a_given_with_a_checks_comment_is_a_check(results: dict) -> None:
    found = _scenario(results, "a Given that is itself a check")
    assert (found["verdict"], found["charged"]) == ("failed", ["SSE-09"])


def test_not_implemented_is_an_error_with_its_cause(results: dict) -> None:
    found = _scenario(results, "not implemented")
    assert found["verdict"] == "error"
    assert found["cause"] == "not_implemented: StartDeliveryStreamEncryption"
    assert results["requirements"]["SSE-01"]["cause"] == found["cause"]


def test_a_suite_defect_is_an_error_saying_so(results: dict) -> None:
    found = _scenario(results, "suite defect")
    assert found["verdict"] == "error"
    assert (
        found["reason"]
        == "Then the suite is wrong: suite defect: no key named 'X' in this scenario"
    )


def test_the_results_carry_the_new_fields_for_every_scenario(results: dict) -> None:
    for found in results["scenarios"].values():
        assert {"observed", "charged", "cause", "teardown"} <= set(found)


def test_step_checks_reads_the_comments(tmp_path: Path) -> None:
    from firehose_conformance.features import step_checks

    path = tmp_path / "x.feature"
    path.write_text(FEATURE)
    lines = FEATURE.splitlines()
    expected = {
        lines.index("    And a check that fails") + 1: ("SSE-04",),
        len(lines): ("SSE-09",),  # the last line: the Given under its comment
    }
    assert step_checks(path) == expected
