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
    read_results,
    write_results,
)


def _scenario(name: str, requirements: list[str], verdict: str, reason: str = "") -> ScenarioResult:
    return ScenarioResult(f"x::{name}", "F", name, requirements, [], verdict, reason, 0.01)


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
    assert results.summary == {"passed": 1, "failed": 2, "not_applicable": 1, "error": 1}
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
