"""Set-up for the tests of the reference served over HTTP: live servers on 127.0.0.1.

Every server here binds 127.0.0.1 on a free port and is stopped when its fixture ends. The helper
module beside this file (``server_http``) is put on ``sys.path`` (the tests run with
``--import-mode=importlib`` and this directory is not a package).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from reference_impl.clock import ClockMode  # noqa: E402
from reference_impl.wire.server import ReferenceServer, ServerOptions  # noqa: E402


@pytest.fixture(scope="module")
def server() -> Iterator[ReferenceServer]:
    """One manual-clock server for a test module; tests reset it when they need a clean slate."""
    with ReferenceServer(ServerOptions(port=0, clock=ClockMode.MANUAL)) as running:
        yield running


@pytest.fixture
def fresh(server: ReferenceServer) -> ReferenceServer:
    """The module's server, reset to an empty cloud at the start instant."""
    server.cloud.reset()
    return server
