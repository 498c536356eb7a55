from __future__ import annotations

import json
from pathlib import Path

import pytest

from firehose_conformance.catalog import load_catalog
from firehose_conformance.errors import UsageError
from firehose_conformance.results import (
    SCHEMA,
    ScenarioResult,
    build_results,
    not_implemented,
    read_results,
    write_results,
)


def _scenario(
    name: str,
    requirements: list[str],
    verdict: str,
    reason: str = "",
    *,
    observed: list[str] | None = None,
    charged: list[str] | None = None,
    cause: str = "",
) -> ScenarioResult:
    """A scenario that observed (passed) or is charged with (failed, error) all its
    requirements, unless told otherwise."""
    if observed is None:
        observed = requirements if verdict == "passed" else []
    if charged is None:
        charged = requirements if verdict in ("failed", "error") else []
    return ScenarioResult(
        f"x::{name}",
        "F",
        name,
        requirements,
        [],
        verdict,
        reason,
        0.01,
        observed=observed,
        charged=charged,
        cause=cause,
    )


def test_build_results_rolls_up_and_finds_blocking_failures() -> None:
    catalog = load_catalog()
    results = build_results(
        target="t",
        started_at="now",
        duration_s=1.0,
        catalog=catalog,
        scenarios=[
            _scenario("a", ["SSE-02"], "passed"),
            _scenario("b", ["SSE-02", "SSE-03"], "failed", "observed ENABLED"),
            _scenario("c", ["GRT-04"], "failed", "why"),  # SHOULD NOT: not mandatory
            _scenario("d", ["API-12"], "not_applicable", "lacks @needs-cloudtrail"),
            _scenario("e", ["SSE-01"], "error", "HTTP 500"),
        ],
    )
    by_id = {r.id: r for r in results.requirements}
    assert by_id["SSE-02"].verdict == "failed"
    assert by_id["SSE-02"].reason == "b: observed ENABLED"
    assert by_id["SSE-01"].verdict == "error"
    assert by_id["API-12"].verdict == "not_applicable"
    assert by_id["KEY-01"].verdict == "untested"
    assert {r.id for r in results.blocking_failures} == {"SSE-01", "SSE-02", "SSE-03"}
    assert results.summary == {
        "passed": 1,
        "failed": 2,
        "not_applicable": 1,
        "error": 1,
        "interrupted": 0,
        "not_run": 0,
    }
    assert results.requirement_summary["untested"] == len(catalog) - 5


def test_results_round_trip(tmp_path: Path) -> None:
    results = build_results(
        target="t",
        started_at="now",
        duration_s=1.0,
        catalog=load_catalog(),
        scenarios=[_scenario("a", ["SSE-02"], "passed")],
    )
    path = tmp_path / "r.json"
    write_results(results, path)
    data = json.loads(path.read_text())
    assert data["schema"] == SCHEMA
    assert list(data)[:2] == ["schema", "target"]
    again = read_results(path)
    assert again.requirements == results.requirements
    assert again.scenarios == results.scenarios


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("not json", "not a readable JSON"),
        ('{"schema": "other"}', "not a firehose-conformance/results/v1"),
        (json.dumps({"schema": SCHEMA, "target": "t"}), "malformed results"),
    ],
)
def test_read_results_rejects_bad_files(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=fragment):
        read_results(path)


def test_read_results_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such results file"):
        read_results(tmp_path / "missing.json")


def test_a_requirement_passes_only_where_a_scenario_observed_it() -> None:
    """A pass that observed nothing of a requirement says nothing about it: not applicable."""
    results = build_results(
        target="t",
        started_at="now",
        duration_s=1.0,
        catalog=load_catalog(),
        scenarios=[
            _scenario("refused at once", ["SSE-03", "KEY-01"], "passed", observed=["KEY-01"]),
            _scenario("vacuous", ["SSE-18"], "passed", observed=[]),
        ],
    )
    by_id = {r.id: r for r in results.requirements}
    assert by_id["KEY-01"].verdict == "passed"
    assert by_id["SSE-03"].verdict == "not_applicable"
    assert by_id["SSE-18"].verdict == "not_applicable"


def test_a_failure_counts_against_what_it_is_charged_to_only() -> None:
    """The DISABLED precondition of a Start scenario failing is an SSE-04 matter: SSE-02, which
    the scenario observed before, still passes, and SSE-15, never reached, is not applicable."""
    results = build_results(
        target="t",
        started_at="now",
        duration_s=1.0,
        catalog=load_catalog(),
        scenarios=[
            _scenario(
                "start",
                ["SSE-02", "SSE-04", "SSE-15"],
                "failed",
                "status is (no DeliveryStreamEncryptionConfiguration)",
                observed=["SSE-02"],
                charged=["SSE-04"],
            ),
        ],
    )
    by_id = {r.id: r for r in results.requirements}
    assert (by_id["SSE-02"].verdict, by_id["SSE-04"].verdict) == ("passed", "failed")
    assert by_id["SSE-15"].verdict == "not_applicable"
    assert by_id["SSE-04"].reason.startswith("start: status is")


def test_not_implemented_operations_are_grouped_with_what_they_block() -> None:
    cause = "not_implemented: StartDeliveryStreamEncryption"
    results = build_results(
        target="t",
        started_at="now",
        duration_s=1.0,
        catalog=load_catalog(),
        scenarios=[
            _scenario("a", ["SSE-02", "SSE-15"], "error", "501", cause=cause),
            _scenario("b", ["SSE-03"], "error", "501", cause=cause),
            _scenario("c", ["SSE-01"], "error", "HTTP 500"),
        ],
    )
    by_id = {r.id: r for r in results.requirements}
    assert by_id["SSE-02"].cause == cause and by_id["SSE-01"].cause == ""
    assert not_implemented(results) == {
        "StartDeliveryStreamEncryption": ["SSE-02", "SSE-03", "SSE-15"]
    }


def test_a_stopped_run_says_what_it_did_not_reach() -> None:
    """The interrupted scenario and those not run are never charged; a requirement one of whose
    scenarios did not run is not_run, not passed; one the selection left out is not_selected,
    not untested."""
    results = build_results(
        target="t",
        started_at="now",
        duration_s=1.0,
        catalog=load_catalog(),
        scenarios=[
            _scenario("a", ["SSE-02"], "passed"),
            _scenario("b", ["SSE-02", "SSE-03"], "interrupted", "interrupted by SIGINT"),
            _scenario("c", ["SSE-04"], "not_run", "the run was stopped"),
            _scenario("d", ["SSE-01"], "passed"),
        ],
        deselected={"KEY-01": 7, "SSE-04": 1},
        selection="-m 'SSE'",
        interrupted=True,
    )
    by_id = {r.id: r for r in results.requirements}
    assert results.interrupted and results.selection == "-m 'SSE'"
    assert by_id["SSE-01"].verdict == "passed"
    assert by_id["SSE-02"].verdict == "not_run"
    assert by_id["SSE-02"].reason == (
        "the run was stopped before it ran 1 of its 2 scenarios ('b' was interrupted)"
    )
    assert by_id["SSE-03"].verdict == "not_run"
    assert by_id["SSE-04"].verdict == "not_run"  # one scenario selected, and not run
    assert by_id["KEY-01"].verdict == "not_selected"
    assert by_id["KEY-01"].reason == "not selected: -m 'SSE' took none of its 7 scenarios"
    assert by_id["KEY-02"].verdict == "untested"  # no scenario of it is known here at all
    assert not results.blocking_failures
    assert results.summary["interrupted"] == 1 and results.summary["not_run"] == 1
    assert results.requirement_summary["not_selected"] == 1


def test_a_run_stopped_before_it_knew_its_scenarios_says_not_run_not_untested() -> None:
    results = build_results(
        target="t",
        started_at="now",
        duration_s=0.1,
        catalog=load_catalog(),
        scenarios=[],
        interrupted=True,
        unlisted_not_run=True,
    )
    assert {r.verdict for r in results.requirements} == {"not_run"}


def test_results_are_replaced_atomically_and_keep_the_usual_mode(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("previous")
    results = build_results(
        target="t", started_at="now", duration_s=1.0, catalog=load_catalog(), scenarios=[]
    )
    write_results(results, path)
    assert read_results(path).target == "t"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temporary file left
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()
    assert read_results(path).interrupted is False


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask
