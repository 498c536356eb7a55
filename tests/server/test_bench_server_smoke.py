"""Smoke test of bench/bench_server.py: measurement 1 at tiny sizes completes and reports.

Timings are never asserted (shared, noisy machines; a benchmark reports rather than gates).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_server.py"


def test_quick_run_reports_both_servers_and_the_ratio() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--only", "1"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "[1] reference server:" in out
    assert "[1] moto server     :" in out
    assert "[1] reference/moto requests per second:" in out
    assert "could not measure" not in out
