"""moto's own tests, run in moto's server mode against the reference server.

Collected only in that mode (``TEST_SERVER_MODE=true``), as tests/server/test_moto_suite.py runs
them, with this directory's pytest.ini; the project's own test run leaves them alone.

freezegun, which moto's test_kms.py imports and two of its tests use, is not a dependency of this
project: where it is missing, a stand-in whose ``freeze_time`` skips the test that calls it lets
the module import unchanged.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types

import pytest

if os.environ.get("TEST_SERVER_MODE", "").lower() != "true":
    collect_ignore_glob = ["tests/*"]

if importlib.util.find_spec("freezegun") is None:

    def _freeze_time(*_: object, **__: object) -> None:
        pytest.skip("freezegun is not installed")

    _stand_in = types.ModuleType("freezegun")
    _stand_in.freeze_time = _freeze_time  # type: ignore[attr-defined]
    sys.modules["freezegun"] = _stand_in
