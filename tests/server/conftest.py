"""Set-up for the tests of the reference served over HTTP: live servers on 127.0.0.1.

Every server here binds 127.0.0.1 on a free port and is stopped when its fixture ends. The helper
module beside this file (``server_http``) is importable by name through ``pythonpath`` in
pyproject.toml.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reference_impl.clock import ClockMode
from reference_impl.wire.server import ReferenceServer, ServerOptions


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
