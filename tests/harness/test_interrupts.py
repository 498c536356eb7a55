"""Ctrl-C and SIGTERM in the middle of a run, through the real command in a subprocess.

A tiny pytest plugin (``-p fsc_hold``, written here) holds the second scenario to start in its
first step and drops a marker file; the test then signals the command. The run must stop within
seconds, exit 130, keep the previous results file until the new one is complete, and write a
results document that says ``"interrupted": true`` with the scenario in flight ``interrupted``
(never charged) and the ones it never reached ``not_run``. With ``-n 2`` only the controller is
signalled (as a CI runner or ``kill`` does) and it tells its workers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

HOLD = """
import os
import time
from pathlib import Path

_seen = []


def pytest_bdd_before_step(request, feature, scenario, step, step_func):
    nodeid = request.node.nodeid
    if nodeid not in _seen:
        _seen.append(nodeid)
        if len(_seen) == 2:
            Path(os.environ["FSC_HOLD_MARK"]).write_text(nodeid)
            time.sleep(300)
"""
SELECTION = "SSE-02 or SSE-03"  # 6 scenarios on the reference
PREVIOUS = '{"previous": true}\n'
STOP_WITHIN_S = 30.0  # seconds from the signal to the exit, on a loaded two-core machine


def _start(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], Path, Path]:
    (tmp_path / "fsc_hold.py").write_text(HOLD)
    out = tmp_path / "out"
    out.mkdir()
    results = out / "results-held.json"
    results.write_text(PREVIOUS)
    (out / "junit-held.xml").write_text("<previous/>")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
        "FSC_HOLD_MARK": str(tmp_path / "holding"),
        "NO_COLOR": "1",
    }
    command = [
        sys.executable,
        "-m",
        "firehose_conformance.cli",
        "run",
        "--quiet",
        "--results",
        str(results),
        *extra,
        "--",
        "-m",
        SELECTION,
        "-p",
        "fsc_hold",
    ]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while not (tmp_path / "holding").exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            out_text, err_text = process.communicate()
            pytest.fail(f"the run never reached its second scenario:\n{out_text}\n{err_text}")
        time.sleep(0.05)
    time.sleep(0.3)  # well inside the held step
    return process, results, out


@pytest.mark.parametrize(
    ("signum", "extra"),
    [
        (signal.SIGINT, ()),
        (signal.SIGTERM, ()),
        (signal.SIGINT, ("-n", "2")),
    ],
    ids=["SIGINT", "SIGTERM", "SIGINT-xdist"],
)
def test_a_signal_stops_the_run_and_its_results_say_so(
    tmp_path: Path, signum: signal.Signals, extra: tuple[str, ...]
) -> None:
    process, results, out = _start(tmp_path, *extra)
    # The run is under way: the previous files are still whole, nothing half-written beside.
    assert results.read_text() == PREVIOUS
    assert (out / "junit-held.xml").read_text() == "<previous/>"
    process.send_signal(signum)
    signalled = time.monotonic()
    try:
        stdout, stderr = process.communicate(timeout=STOP_WITHIN_S)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"still running {STOP_WITHIN_S:.0f} s after {signum.name}")
    assert time.monotonic() - signalled < STOP_WITHIN_S
    assert process.returncode == 130, stderr
    for text in (stdout, stderr):
        assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    assert "passed in" not in stdout  # pytest's own counts are not printed
    last = stdout.strip().splitlines()[-1]
    assert last.startswith("interrupted during '") and '"interrupted": true' in last, stdout

    data = json.loads(results.read_text())
    assert data["interrupted"] is True
    assert data["selection"] == f"-m '{SELECTION}'"
    verdicts = [s["verdict"] for s in data["scenarios"]]
    assert "interrupted" in verdicts and "not_run" in verdicts, verdicts
    assert set(verdicts) <= {"passed", "interrupted", "not_run"}, verdicts
    assert sum(v != "not_run" for v in verdicts) >= 2  # at least the first and the held one
    for scenario in data["scenarios"]:
        if scenario["verdict"] == "interrupted":
            assert scenario["reason"].startswith(f"interrupted by {signum.name} after ")
            assert scenario["charged"] == [] and scenario["observed"] == []
            if not extra:  # serial: the step is known
                assert " in step: " in scenario["reason"]
        if scenario["verdict"] == "not_run":
            assert signum.name in scenario["reason"]
    requirements = {r["id"]: r for r in data["requirements"]}
    assert data["requirement_summary"]["untested"] == 0
    assert data["requirement_summary"]["failed"] == data["requirement_summary"]["error"] == 0
    assert requirements["SSE-03"]["verdict"] == "not_run"
    assert requirements["KEY-01"]["verdict"] == "not_selected"

    junit = ET.parse(out / "junit-held.xml").getroot()
    assert int(junit.get("errors")) == verdicts.count("interrupted")
    assert int(junit.get("skipped")) == verdicts.count("not_run")
    assert int(junit.get("failures")) == 0
    assert sorted(p.name for p in out.iterdir()) == ["junit-held.xml", "results-held.json"]
