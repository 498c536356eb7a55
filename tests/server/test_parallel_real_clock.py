"""run -n N against the reference server on the real clock gives the serial run's results.

Both runs go through ``firehose-conformance run`` in processes of their own, against one server
(``--clock real --transition-seconds 0.2``), on a selection that has waits (Start and its
transitions), modelled errors, and the @alone scenarios (API-08's and API-13's bursts, which a
worker sharing the account's rate limit would disturb). The documents must be equal but for what
``compare_runs`` masks (durations, run ids, accounts).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from server_http import server_command, spawn

from firehose_conformance.compare_runs import differences
from firehose_conformance.results import read_results

pytestmark = pytest.mark.slow

SELECTION = "SSE-02 or SSE-03 or API-03 or API-08 or API-13 or KEY-06"


def _run(tmp_path: Path, name: str, url: str, *extra: str) -> Path:
    results = tmp_path / f"{name}.json"
    command = [sys.executable, "-m", "firehose_conformance.cli", "run", "--endpoint-url", url]
    command += ["--quiet", "--results", str(results), "--junit", str(tmp_path / f"{name}.xml")]
    command += [*extra, "--", "-m", SELECTION]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")}
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return results


def test_parallel_workers_give_the_serial_results_on_the_real_clock(tmp_path: Path) -> None:
    server = spawn(
        server_command("--clock", "real", "--transition-seconds", "0.2", "--quiet"),
        tmp_path / "server.log",
    )
    try:
        serial = read_results(_run(tmp_path, "serial", server.url))
        parallel = read_results(_run(tmp_path, "parallel", server.url, "-n", "4"))
    finally:
        assert server.stop() == 0, server.log.read_text()[-2000:]
    assert len(serial.scenarios) > 20
    assert serial.summary["passed"] > 20 and not serial.summary["failed"]
    assert differences(serial, parallel) == []
    target = parallel.provenance["target"]
    assert target["accounts"].startswith("one per worker")
    assert target["account"].startswith("1000000000")
    assert serial.provenance["target"]["account"] == "123456789012"
