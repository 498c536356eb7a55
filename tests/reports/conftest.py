"""Shared inputs for the report tests: one real reference run per session, and small results.

Helpers are handed out as fixtures: with ``--import-mode=importlib`` a test module cannot import
this file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from firehose_conformance.catalog import load_catalog
from firehose_conformance.reports.docs_build import fresh_results
from firehose_conformance.results import Results, ScenarioResult, build_results, write_results

HOSTILE = '<script>window.pwned = 1</script><b class="injected">not bold</b> & "quoted"'


@pytest.fixture(scope="session")
def reference_results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    """A fresh run of the whole suite against the reference, as `run` makes it (about 15 s)."""
    return fresh_results("reference", tmp_path_factory.mktemp("reference-run"))


def mutant_of(results: Results) -> Results:
    """The reference's results with a few verdicts changed: a second target to compare with.

    SSE-02's scenarios fail (one with a reason full of markup, to check escaping), API-06's
    error, and the run prefix of a resource name appears in a reason (normalised in docs).
    """
    scenarios = []
    for s in results.scenarios:
        if "SSE-02" in s.requirements:
            s = dataclasses.replace(
                s, verdict="failed", reason=f"observed {HOSTILE}", charged=s.requirements
            )
        elif "API-06" in s.requirements:
            s = dataclasses.replace(
                s,
                verdict="error",
                reason="HTTP 500 for fsc-0a1b2c-fh-3 at 2026-11-28T10:00:00Z",
                charged=s.requirements,
            )
        scenarios.append(s)
    return build_results(
        target="mutant",
        started_at=results.started_at,
        duration_s=results.duration_s,
        scenarios=scenarios,
        catalog=load_catalog(),
    )


def small_results(target: str, verdicts: dict[str, str]) -> Results:
    """Results with one scenario per requirement given (requirement ID -> verdict)."""
    scenarios = [
        ScenarioResult(
            nodeid=f"steps/test_spec.py::test_{rid}",
            feature="Feature",
            name=f"scenario for {rid}",
            requirements=[rid],
            capabilities=[],
            verdict=verdict,
            reason="" if verdict == "passed" else f"why {rid} is {verdict}",
            duration_s=0.01,
            observed=[rid] if verdict == "passed" else [],
            charged=[rid] if verdict in ("failed", "error") else [],
        )
        for rid, verdict in verdicts.items()
    ]
    return build_results(
        target=target,
        started_at="2026-11-28T10:00:00+00:00",
        duration_s=1.0,
        scenarios=scenarios,
        catalog=load_catalog(),
    )


def write(results: Results, path: Path) -> Path:
    write_results(results, path)
    return path


@pytest.fixture(scope="session")
def make_results() -> Callable[[str, dict[str, str]], Results]:
    return small_results


@pytest.fixture(scope="session")
def write_file() -> Callable[[Results, Path], Path]:
    return write


@pytest.fixture(scope="session")
def mutant_results(reference_results: Results) -> Results:
    return mutant_of(reference_results)


@pytest.fixture(scope="session")
def hostile() -> str:
    return HOSTILE
