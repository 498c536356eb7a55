"""Set-up shared by the reference implementation's tests.

The helper modules beside this file (``firehose_env``, ``client_errors``) are plain modules, not a
package: the tests run with ``--import-mode=importlib`` and this directory has no ``__init__.py``,
so it is put on ``sys.path`` here, before pytest imports any test module that needs them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from reference_impl.cloud import ReferenceCloud

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


@pytest.fixture
def cloud() -> ReferenceCloud:
    """A fresh cloud with its default settings (rate limits on)."""
    return ReferenceCloud()


@pytest.fixture
def kms(cloud: ReferenceCloud) -> Any:
    return cloud.client("kms")


@pytest.fixture
def key_id(kms: Any) -> str:
    """The KeyId of a fresh symmetric encryption key."""
    return kms.create_key()["KeyMetadata"]["KeyId"]
