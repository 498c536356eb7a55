"""Merging results of several targets: catalog order, labels, missing rows, problems."""

from __future__ import annotations

import dataclasses

from firehose_conformance.catalog import load_catalog
from firehose_conformance.reports.merge import merge


def test_rows_follow_the_catalog_and_cells_come_from_each_target(make_results) -> None:
    a = make_results("a", {"SSE-02": "passed", "API-12": "not_applicable"})
    b = make_results("b", {"SSE-02": "failed"})
    merged = merge([a, b], load_catalog())
    assert [row.id for row in merged.rows] == list(load_catalog())
    row = next(r for r in merged.rows if r.id == "SSE-02")
    assert row.cells["a"].verdict == "passed"
    assert row.cells["b"].verdict == "failed"
    assert row.cells["b"].reason == "scenario for SSE-02: why SSE-02 is failed"
    assert [area.code for area in merged.areas()][:2] == ["SRC", "SSE"]
    assert [label for label, _ in merged.problems(row)] == ["b"]


def test_the_same_target_twice_gets_numbered_labels(make_results) -> None:
    one = make_results("reference", {"SSE-02": "passed"})
    merged = merge([one, one, one], load_catalog())
    assert merged.labels == ["reference", "reference (2)", "reference (3)"]


def test_a_requirement_missing_from_a_results_file_is_untested_there(make_results) -> None:
    results = make_results("old", {"SSE-02": "passed"})
    results = dataclasses.replace(
        results, requirements=[r for r in results.requirements if r.id != "SSE-03"]
    )
    row = next(r for r in merge([results], load_catalog()).rows if r.id == "SSE-03")
    assert row.cells["old"].verdict == "untested"
    assert "not in the results of old" in row.cells["old"].reason


def test_problems_list_failures_before_errors_before_not_applicable(make_results) -> None:
    results = make_results("t", {"SSE-02": "passed"})
    extra = [
        dataclasses.replace(
            results.scenarios[0],
            nodeid=f"n{i}",
            verdict=v,
            reason=v,
            observed=["SSE-02"] if v == "passed" else [],
            charged=["SSE-02"] if v in ("failed", "error") else [],
        )
        for i, v in enumerate(["not_applicable", "error", "failed", "passed"])
    ]
    results = dataclasses.replace(results, scenarios=extra)
    row = next(r for r in merge([results], load_catalog()).rows if r.id == "SSE-02")
    merged = merge([results], load_catalog())
    assert [s.verdict for _, s in merged.problems(row)] == ["failed", "error", "not_applicable"]


def test_a_pass_that_did_not_exercise_the_requirement_is_listed_as_not_applicable(
    make_results,
) -> None:
    results = make_results("t", {"SSE-03": "passed"})
    unexercised = dataclasses.replace(
        results.scenarios[0], observed=[], reason="not exercised: SSE-03: refused at once"
    )
    results = dataclasses.replace(results, scenarios=[unexercised])
    merged = merge([results], load_catalog())
    row = next(r for r in merged.rows if r.id == "SSE-03")
    assert row.cells["t"].verdict == "passed"  # as the results document said
    assert [s.says("SSE-03") for _, s in merged.problems(row)] == ["not_applicable"]
