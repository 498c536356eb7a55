"""The endpoint target discovers a reference server's control plane and gains its capabilities."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from server_http import client

from firehose_conformance.capabilities import Capability
from firehose_conformance.errors import CapabilityMissing, TargetMisbehaved
from firehose_conformance.targets.base import KeyRef
from firehose_conformance.targets.control_plane import ControlPlane
from firehose_conformance.targets.endpoint import CLOCK_PROFILE, EMULATOR_PROFILE, EndpointTarget
from reference_impl.clock import DEFAULT_START, ClockMode
from reference_impl.wire.server import ReferenceServer, ServerOptions


@pytest.fixture
def own_server(fresh: ReferenceServer, monkeypatch: pytest.MonkeyPatch) -> ReferenceServer:
    """The module's manual-clock server, which only this test process uses.

    EndpointTarget refuses a manual-clock server when pytest-xdist workers share one run
    (PYTEST_XDIST_WORKER_COUNT > 1): right for a conformance run against one server, not for this
    test, whose server belongs to its own worker. So the count is taken out here, and these tests
    pass with ``-n`` as without it.
    """
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    return fresh


@pytest.fixture(scope="module")
def real_server() -> Iterator[ReferenceServer]:
    with ReferenceServer(ServerOptions(port=0, clock=ClockMode.REAL)) as server:
        yield server


def test_a_manual_clock_server_offers_every_capability(own_server: ReferenceServer) -> None:
    target = EndpointTarget(endpoint_url=own_server.url)
    assert target.capabilities == {Capability.CLOCK, Capability.AT_REST, Capability.KEY_DELETION}
    assert target.profile == CLOCK_PROFILE
    assert target.now() == DEFAULT_START.timestamp()
    target.sleep(90)  # the target's clock: advanced through the control plane
    assert target.now() == DEFAULT_START.timestamp() + 90
    assert own_server.cloud.clock.now() == DEFAULT_START.timestamp() + 90

    key = client(own_server.url, "kms").create_key()["KeyMetadata"]
    target.delete_key_now(KeyRef(key["KeyId"], key["Arn"]))
    assert key["KeyId"] not in [
        k["KeyId"] for k in client(own_server.url, "kms").list_keys()["Keys"]
    ]
    assert target.at_rest() == {}

    target.ledger.add("something", lambda: pytest.fail("a reset removes it; never undone"))
    assert target.finish_scenario() == []
    target.start_scenario()  # a reset: back to the start instant
    assert target.now() == DEFAULT_START.timestamp()


def test_the_server_names_its_account_and_region_unless_told(
    own_server: ReferenceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """STS names the account of the credentials (a 12-digit access key is its account on the
    reference server); a told account_id must agree with it."""
    found = EndpointTarget(endpoint_url=own_server.url)
    assert (found.account_id, found.account_source) == (
        own_server.cloud.account_id,
        "STS GetCallerIdentity",
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "111122223333")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    told = EndpointTarget(
        endpoint_url=own_server.url, account_id="111122223333", region="eu-west-1"
    )
    assert (told.account_id, told.region) == ("111122223333", "eu-west-1")
    with pytest.raises(ValueError, match=r"STS GetCallerIdentity at .* answers 111122223333"):
        EndpointTarget(endpoint_url=own_server.url, account_id="444455556666")


def test_wait_bounds_given_as_options_still_win(own_server: ReferenceServer) -> None:
    target = EndpointTarget(endpoint_url=own_server.url, transition_timeout="7")
    assert target.profile.transition_timeout == 7.0
    assert target.profile.poll_max == CLOCK_PROFILE.poll_max


def test_a_real_clock_server_offers_no_clock(real_server: ReferenceServer) -> None:
    target = EndpointTarget(endpoint_url=real_server.url)
    assert target.capabilities == {Capability.AT_REST, Capability.KEY_DELETION}
    assert target.profile == EMULATOR_PROFILE
    with pytest.raises(CapabilityMissing):
        target.advance(1)
    assert abs(target.now() - time.time()) < 5
    before = client(real_server.url, "kms").create_key()["KeyMetadata"]["KeyId"]
    target.start_scenario()  # no reset: other workers may share this server
    keys = [k["KeyId"] for k in client(real_server.url, "kms").list_keys()["Keys"]]
    assert before in keys


def test_parallel_workers_are_refused_on_a_manual_clock(
    fresh: ReferenceServer, real_server: ReferenceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "4")
    with pytest.raises(ValueError, match="manual clock"):
        EndpointTarget(endpoint_url=fresh.url)
    assert Capability.AT_REST in EndpointTarget(endpoint_url=real_server.url).capabilities


def test_no_control_plane_means_no_capabilities() -> None:
    assert ControlPlane.discover("http://127.0.0.1:9") is None  # nothing listens on port 9


def test_control_plane_refusals_are_target_misbehaviour(fresh: ReferenceServer) -> None:
    plane = ControlPlane.discover(fresh.url)
    assert plane is not None
    with pytest.raises(TargetMisbehaved, match="NotFoundException"):
        plane.delete_key("no-such-key")
