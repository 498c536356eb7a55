"""Set-up shared by the reference implementation's tests.

The helper modules beside this file (``firehose_env``, ``client_errors``) are importable by name
through ``pythonpath`` in pyproject.toml.
"""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.cloud import ReferenceCloud


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
