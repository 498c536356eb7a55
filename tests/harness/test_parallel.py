"""A run with pytest-xdist workers gives the same results document as a serial run."""

from __future__ import annotations

import re
from typing import Any

import pytest

from firehose_conformance.results import Results
from firehose_conformance.runner import Selection, run_suite

pytestmark = pytest.mark.slow

SELECTION = Selection.requirements(["SSE-01", "API-04", "KEY-06", "API-12", "SSE-02"])


def _run(workers: int) -> Results:
    run = run_suite(selection=SELECTION, workers=workers)
    assert run.pytest_exit == 0
    return run.results


def _comparable(results: Results) -> tuple[Any, Any]:
    def clean(text: str) -> str:
        return re.sub(r"fsc-[0-9a-f]{6}-", "fsc-…-", text)

    scenarios = [
        (s.nodeid, s.feature, s.name, s.requirements, s.verdict, clean(s.reason))
        for s in results.scenarios
    ]
    requirements = [(r.id, r.verdict, clean(r.reason), r.scenarios) for r in results.requirements]
    return scenarios, requirements


def test_workers_give_the_same_results_as_a_serial_run() -> None:
    serial = _run(0)
    parallel = _run(2)
    assert len(serial.scenarios) > 10
    assert _comparable(parallel) == _comparable(serial)
    assert parallel.summary == serial.summary
    assert parallel.requirement_summary == serial.requirement_summary
