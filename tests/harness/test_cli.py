"""The command line, run in process: usage errors, listing, a small real run; and the library
entry ``run_suite`` naming a missing capability."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from firehose_conformance.catalog import load_catalog
from firehose_conformance.cli import main
from firehose_conformance.runner import Selection, run_suite


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["run", "--target", "nope"], "unknown target 'nope'"),
        (["run", "--bogus-flag"], "unrecognized arguments: --bogus-flag"),
        (["run", "--target-option", "novalue"], "expects KEY=VALUE"),
        (["run", "-n", "-1"], "-n must be"),
        ([], "required: command"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_requirements_lists_every_requirement_with_scenarios(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["requirements"]) == 0
    out = capsys.readouterr().out
    for rid in load_catalog():
        assert f"\n{rid}  " in "\n" + out
    assert "(no scenario)" not in out


@pytest.mark.slow
def test_run_writes_results_and_prints_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "r.json"
    junit = tmp_path / "j.xml"
    argv = ["run", "--results", str(results), "--junit", str(junit), "--", "-k", "empty_response"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "SSE-01" in out and "requirements" in out
    data = json.loads(results.read_text())
    verdicts = {s["name"]: s["verdict"] for s in data["scenarios"]}
    assert verdicts == {
        "Start returns at once with an empty response": "passed",
        "Stop returns at once with an empty response": "passed",
    }
    assert junit.exists()


@pytest.mark.slow
def test_a_missing_capability_is_not_applicable_and_named() -> None:
    results = run_suite(selection=Selection.requirements(["API-12"])).results
    [scenario] = results.scenarios
    assert scenario.verdict == "not_applicable"
    assert "@needs-cloudtrail" in scenario.reason
    api12 = next(r for r in results.requirements if r.id == "API-12")
    assert api12.verdict == "not_applicable"
