"""Parity: the whole suite in process and against the server on a manual clock, verdict by verdict.

Both runs go through ``firehose-conformance run`` in their own processes, side by side: the
reference target in process, and the endpoint target against ``python -m reference_impl --clock
manual``, which it discovers as a reference server (every capability, through the control plane).
Every scenario must get the same verdict in both; the served run must also have found the
capabilities (else its clock scenarios would be N/A and the comparison would say so).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from server_http import server_command, spawn

pytestmark = pytest.mark.slow

RUN_TIMEOUT = 600.0


def _run(tmp_path: Path, name: str, *target_args: str) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "firehose_conformance.cli",
        "run",
        *target_args,
        "--results",
        str(tmp_path / f"{name}.json"),
        "--junit",
        str(tmp_path / f"{name}.xml"),
    ]
    # Each run is a run of its own, not one of this test's pytest-xdist workers: without this, a
    # parallel test session would make the endpoint target refuse its manual-clock server.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")}
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        env=env,
    )


def _verdicts(path: Path) -> dict[str, dict[str, Any]]:
    return {s["nodeid"]: s for s in json.loads(path.read_text())["scenarios"]}


def test_every_scenario_gets_the_same_verdict_in_process_and_over_http(tmp_path: Path) -> None:
    server = spawn(server_command("--clock", "manual", "--quiet"), tmp_path / "server.log")
    try:
        served = _run(
            tmp_path,
            "served",
            "--target",
            "endpoint",
            "--target-option",
            f"endpoint_url={server.url}",
        )
        local = _run(tmp_path, "local", "--target", "reference")
        outputs = {}
        for name, process in (("local", local), ("served", served)):
            outputs[name], _ = process.communicate(timeout=RUN_TIMEOUT)
            assert process.returncode in (0, 1), f"{name} run failed:\n{outputs[name][-3000:]}"
    finally:
        assert server.stop() == 0, server.log.read_text()[-2000:]

    local_verdicts = _verdicts(tmp_path / "local.json")
    served_verdicts = _verdicts(tmp_path / "served.json")
    assert set(local_verdicts) == set(served_verdicts)
    differences = [
        f"{nodeid}: in process {local_verdicts[nodeid]['verdict']} "
        f"({local_verdicts[nodeid]['reason'][:150]}), over HTTP {served['verdict']} "
        f"({served['reason'][:150]})"
        for nodeid, served in sorted(served_verdicts.items())
        if served["verdict"] != local_verdicts[nodeid]["verdict"]
    ]
    assert not differences, "\n".join(differences)
    # The capabilities were found: nothing is N/A over HTTP that ran in process.
    summary = json.loads((tmp_path / "served.json").read_text())["summary"]
    assert summary["passed"] > 150, summary
    assert summary["error"] == 0, summary
