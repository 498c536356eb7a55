"""Fixtures shared by the project's tests: moto_server on 127.0.0.1, and never a real account.

The helper modules beside the tests (``accounts``, ``firehose_env``, ``client_errors``,
``server_http``) are importable by name through ``pythonpath`` in pyproject.toml.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-ci-example",
        action="store_true",
        help="also run README's CI job for an emulator (the whole suite on moto_server, 5 to "
        "10 minutes; .ci/run passes it)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-ci-example"):
        return
    skip = pytest.mark.skip(reason="README's CI job runs in .ci/run (pytest --run-ci-example)")
    for item in items:
        if item.get_closest_marker("ci_example"):
            item.add_marker(skip)


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """moto_server on a free loopback port for one test module: its URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_url(moto_server: str) -> str:
    """The module's moto_server, emptied for this test."""
    reset = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset).close()
    return moto_server


@pytest.fixture
def closed_url() -> str:
    """A loopback URL where nothing listens (the port was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def no_real_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials and no shared AWS config: a slip in the code under test cannot use a
    real account. Modules that talk to emulators make this autouse."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ROLE_ARN",
        "AWS_ENDPOINT_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
