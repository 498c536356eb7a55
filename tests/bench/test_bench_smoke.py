"""Smoke test of bench/bench_reference.py: each measurement runs at tiny sizes and reports.

Only that it completes and prints its lines is checked; timings are never asserted (the machines
are shared and noisy, and a benchmark reports rather than gates).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_reference.py"

EXPECTED = {
    "1": [
        "[1] SSE on: bench-sse-on (CUSTOMER_MANAGED_CMK ENABLED",
        "[1] SSE on :",
        "[1] SSE off:",
        "[1] on/off time per batch:",
        "1 PutRecordBatch SSE on vs off",
    ],
    "2": [
        "[2] reference SSE off:",
        "[2] reference SSE on :",
        "[2] moto             :",
        "[2] moto delivered synchronously:",
        "[2] reference(SSE off)/moto time per batch:",
        "[2] reference(SSE on)/moto time per batch:",
        "2 reference (SSE off) vs moto",
        "2 reference (SSE on) vs moto",
    ],
    "3": [
        "[3] 3 DirectPut streams, 60 x advance(60) = 3,600 s",
        "[3] simulated seconds per wall second, advance() only:",
        "[3] simulated seconds per wall second, with the puts:",
        "[3] records:",
        "3 3 streams, 1 h virtual",
    ],
}


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("measurement", sorted(EXPECTED))
def test_measurement_runs_quick(measurement: str, capsys: pytest.CaptureFixture[str]) -> None:
    bench = load()
    assert bench.main(["--quick", "--only", measurement]) == 0
    out = capsys.readouterr().out
    assert "FAILED" not in out
    for line in EXPECTED[measurement]:
        assert line in out, f"missing {line!r} in:\n{out}"
    table_header = next(row for row in out.splitlines() if row.startswith("measurement"))
    for column in ("figure A", "figure B", "ratio", "target", "met?"):
        assert column in table_header


def test_records_delivered_in_quick_flow(capsys: pytest.CaptureFixture[str]) -> None:
    """Measurement 3 shows that work happened: every record put is delivered or still buffered."""
    bench = load()
    bench.main(["--quick", "--only", "3"])
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.startswith("[3] records:"))
    found = re.search(r"([\d,]+) put .*?([\d,]+) delivered, ([\d,]+) still buffered", line)
    assert found, line
    put, delivered, buffered = (int(group.replace(",", "")) for group in found.groups())
    assert delivered > 0 and delivered + buffered == put, line
