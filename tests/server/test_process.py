"""The server as a process: started from the command line, stopped cleanly by SIGTERM/SIGINT."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from server_http import client, control, server_command, spawn

from firehose_conformance.cli import main

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("command", "sig"),
    [
        (server_command("--clock", "manual"), signal.SIGTERM),
        (server_command(), signal.SIGINT),
        (
            [
                sys.executable,
                "-m",
                "firehose_conformance.cli",
                "serve",
                "--port",
                "0",
                "--clock",
                "real",
                "--transition-seconds",
                "1",
            ],
            signal.SIGTERM,
        ),
    ],
    ids=["module-sigterm", "module-sigint", "cli-serve-sigterm"],
)
def test_serves_then_stops_cleanly_on_a_signal(
    tmp_path: Path, command: list[str], sig: signal.Signals
) -> None:
    server = spawn(command, tmp_path / "server.log")
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert client(server.url, "firehose").list_delivery_streams()["DeliveryStreamNames"] == []
        health = control(server.port, "health").json()
        if "--transition-seconds" in command:
            assert (health["clock"], health["transition_seconds"]) == ("real", 1.0)
    finally:
        code = server.stop(sig)
    assert code == 0
    log = server.log.read_text()
    assert f"{sig.name}: stopping" in log
    assert log.rstrip().endswith("stopped")
    assert "Traceback" not in log
    # One access line for each of the two requests above.
    assert log.count("Firehose_20150804.ListDeliveryStreams 200") == 1
    assert log.count("GET /_reference/health - 200") == 1


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    first = spawn(server_command(), tmp_path / "first.log")
    try:
        command = [sys.executable, "-m", "reference_impl", "--port", str(first.port)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    finally:
        first.stop()
    assert done.returncode == 2
    assert "cannot listen on" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["serve", "--clock", "sundial"], "invalid choice: 'sundial'"),
        (["serve", "--transition-seconds", "0"], "must be a positive number of seconds"),
        (["serve", "--transition-seconds", "nan"], "must be a positive number of seconds"),
        (["serve", "--port", "70000"], "a port is 0..65535"),
    ],
)
def test_bad_serve_usage_is_one_line_and_exit_2(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1
