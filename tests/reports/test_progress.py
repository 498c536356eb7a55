"""Progress during `run`: plain lines, the live line, "still running" lines, and none."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from firehose_conformance.cli import main
from firehose_conformance.progress import Mode, Progress, choose_mode

ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _report(nodeid: str, when: str, verdict: str | None = None, name: str = "") -> SimpleNamespace:
    props = []
    if when == "setup":
        props.append(("fsc_identity", {"name": name}))
    if verdict:
        props.append(("fsc_verdict", {"verdict": verdict, "reason": ""}))
    return SimpleNamespace(nodeid=nodeid, when=when, user_properties=props)


def _scenario(progress: Progress, clock: FakeClock, nodeid: str, name: str, verdict: str) -> None:
    progress.pytest_runtest_logstart(nodeid, ("", 0, ""))
    progress.pytest_runtest_logreport(_report(nodeid, "setup", name=name))
    clock.now += 1.5
    progress.pytest_runtest_logreport(_report(nodeid, "call", verdict))
    progress.pytest_runtest_logreport(_report(nodeid, "teardown"))
    progress.pytest_runtest_logfinish(nodeid, ("", 0, ""))


def test_plain_mode_prints_one_line_per_scenario_with_its_number_verdict_and_time() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress(Mode.PLAIN, out, clock=clock)
    progress.total = 12
    _scenario(progress, clock, "t::a", "Start returns at once", "passed")
    _scenario(progress, clock, "t::b", "Stop returns at once", "failed")
    assert out.getvalue().splitlines() == [
        "[ 1/12 0:01] passed            1.5 s  Start returns at once",
        "[ 2/12 0:03] failed            1.5 s  Stop returns at once",
    ]


def test_plain_mode_says_still_running_every_interval_of_a_long_scenario() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress(Mode.PLAIN, out, clock=clock, alive_every=30.0)
    progress.total = 3
    progress.pytest_runtest_logstart("t::slow", ("", 0, ""))
    progress.pytest_runtest_logreport(_report("t::slow", "setup", name="Waits for the grant"))
    for seconds in (10, 31, 45, 61, 95):
        clock.now = 100.0 + seconds
        progress._report_alive()
    assert out.getvalue().splitlines() == [
        "[1/3 0:31] still running after 31 s: Waits for the grant",
        "[1/3 1:01] still running after 61 s: Waits for the grant",
        "[1/3 1:35] still running after 95 s: Waits for the grant",
    ]


def test_live_mode_rewrites_one_line_cut_to_the_terminal_width() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress(Mode.LIVE, out, clock=clock, width=lambda: 60)
    progress.total = 174
    progress.pytest_runtest_logstart("t::x", ("", 0, ""))
    progress.pytest_runtest_logreport(_report("t::x", "setup", name="A long scenario " * 5))
    clock.now += 75
    line = progress.live_text()
    assert line.startswith("scenario 1 of 174 · 1:15 · A long scenario")
    assert len(line) == 59 and line.endswith("…")
    progress.stop()
    assert out.getvalue().startswith("\rscenario 1 of 174")
    assert out.getvalue().endswith("\r\x1b[K")  # the line is cleared before pytest's summary
    assert "\n" not in out.getvalue()


def test_quiet_mode_writes_nothing() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress(Mode.QUIET, out, clock=clock)
    progress.start()
    _scenario(progress, clock, "t::a", "A", "passed")
    progress.stop()
    assert out.getvalue() == ""


def test_the_mode_follows_the_terminal_and_ci() -> None:
    tty = SimpleNamespace(isatty=lambda: True)
    pipe = SimpleNamespace(isatty=lambda: False)
    assert choose_mode(quiet=False, stream=tty, environ={"TERM": "xterm"}) is Mode.LIVE
    assert choose_mode(quiet=False, stream=tty, environ={"CI": "true"}) is Mode.PLAIN
    assert choose_mode(quiet=False, stream=tty, environ={"TERM": "dumb"}) is Mode.PLAIN
    assert choose_mode(quiet=False, stream=pipe, environ={}) is Mode.PLAIN
    assert choose_mode(quiet=True, stream=tty, environ={}) is Mode.QUIET


def _run(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "run",
        *extra,
        "--results",
        str(tmp_path / "r.json"),
        "--junit",
        str(tmp_path / "j.xml"),
        "--",
        "-k",
        "empty_response",
    ]


@pytest.mark.slow
def test_run_prints_plain_lines_when_piped_and_none_with_quiet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_run(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "[1/2 0:00] passed" in out and "Start returns at once with an empty response" in out
    assert "[2/2 " in out
    assert "..  " not in out  # pytest's dots are gone
    assert main(_run(tmp_path, "--quiet")) == 0
    out = capsys.readouterr().out
    assert "[1/2" not in out and "SSE-01" in out


@pytest.mark.slow
def test_run_on_a_terminal_shows_a_live_line(tmp_path: Path) -> None:
    """The real command in a pseudo-terminal: carriage returns and a cleared line, no dots."""
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"TERM": "xterm"}
    argv = [sys.executable, "-m", "firehose_conformance.cli", *_run(tmp_path)]
    controller, terminal = pty.openpty()
    child = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdin=terminal, stdout=terminal, stderr=terminal
    )
    os.close(terminal)
    output, deadline = b"", time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 1)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        elif child.poll() is not None:
            break
    os.close(controller)
    assert child.wait(timeout=10) == 0
    text = output.decode("utf-8", "replace")
    assert "\rscenario 1 of 2 · 0:0" in text
    assert "Start returns at once with an empty response" in text
    assert "\r\x1b[K" in text
    assert "[1/2" not in text
