"""Set-up for the audit's tests: accounts in moto and in the reference cloud, never AWS.

Every test runs with dummy credentials and no shared AWS config (``no_real_aws``), so a slip in
the code under test cannot reach a real account.
"""

from __future__ import annotations

import pytest
from accounts import SERVICES, Account

from reference_impl.cloud import ReferenceCloud


@pytest.fixture(autouse=True)
def audit_environment(no_real_aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def cloud() -> ReferenceCloud:
    """A reference cloud without the five-calls-per-second limit: its clock stands still while
    the audit reads, so a limited Describe would throttle for ever."""
    return ReferenceCloud(rate_limits=False)


@pytest.fixture
def reference_account(cloud: ReferenceCloud) -> Account:
    clients = {service: cloud.client(service) for service in SERVICES}
    return Account(clients, settle=lambda: cloud.advance(30))
