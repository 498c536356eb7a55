"""A run with pytest-xdist workers gives the same results document as a serial run."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from firehose_conformance.cli import main

SELECTION = ("-m", "SSE-01 or API-04 or KEY-06 or API-12 or SSE-02")


def _run(tmp_path: Path, name: str, *workers: str) -> dict[str, Any]:
    results = tmp_path / f"{name}.json"
    argv = ["run", "--quiet", "--results", str(results), "--junit", str(tmp_path / f"{name}.xml")]
    assert main([*argv, *workers, "--", *SELECTION]) == 0
    return json.loads(results.read_text())


def _comparable(data: dict[str, Any]) -> tuple[Any, Any]:
    def clean(text: str) -> str:
        return re.sub(r"fsc-[0-9a-f]{6}-", "fsc-…-", text)

    scenarios = [
        (s["nodeid"], s["feature"], s["name"], s["requirements"], s["verdict"], clean(s["reason"]))
        for s in data["scenarios"]
    ]
    requirements = [
        (r["id"], r["verdict"], clean(r["reason"]), r["scenarios"]) for r in data["requirements"]
    ]
    return scenarios, requirements


def test_workers_give_the_same_results_as_a_serial_run(tmp_path: Path) -> None:
    serial = _run(tmp_path, "serial")
    parallel = _run(tmp_path, "parallel", "-n", "2")
    assert len(serial["scenarios"]) > 10
    assert _comparable(parallel) == _comparable(serial)
    assert parallel["summary"] == serial["summary"]
    assert parallel["requirement_summary"] == serial["requirement_summary"]
