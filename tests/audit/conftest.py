"""Set-up for the audit's tests: accounts in moto and in the reference cloud, never AWS.

Every test runs with dummy credentials and no shared AWS config, so a slip in the code under
test cannot reach a real account. The helper module beside this file (``accounts``) is put on
``sys.path`` (the tests run with ``--import-mode=importlib`` and this directory is no package).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from accounts import SERVICES, Account  # noqa: E402

from reference_impl.cloud import ReferenceCloud  # noqa: E402


@pytest.fixture(autouse=True)
def no_real_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
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
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def cloud() -> ReferenceCloud:
    """A reference cloud without the five-calls-per-second limit: its clock stands still while
    the audit reads, so a limited Describe would throttle for ever."""
    return ReferenceCloud(rate_limits=False)


@pytest.fixture
def reference_account(cloud: ReferenceCloud) -> Account:
    clients = {service: cloud.client(service) for service in SERVICES}
    return Account(clients, settle=lambda: cloud.advance(30))
