"""Smoke test of bench/bench_parallel.py --quick: both legs (moto_server, the reference server on
the real clock), serial and -n 4, on a few scenarios, side by side in one table.

Timings are never asserted (shared, noisy machines; a benchmark reports rather than gates); that
the parallel results equal the serial ones is (the bench compares them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_parallel.py"


def test_quick_run_prints_both_legs_side_by_side() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for leg in ("moto", "reference"):
        assert f"{leg}: speed-up x" in out, out
        assert f"{leg}: speed-up" in out and "same results as serial: yes" in out, out
    rows = [line for line in out.splitlines() if line.startswith(("moto ", "reference "))]
    assert sum(" serial " in row for row in rows) == 2, out
    assert sum(" -n 4 first " in row for row in rows) == 2, out  # typical durations
    assert sum(" -n 4 repeat " in row for row in rows) == 2, out  # longest first
    assert "delivery streams" in out  # the reference server's counts of what was made
