"""run -n N against an endpoint: each worker acts in an account of its own, the one its
credentials select (STS GetCallerIdentity's on moto_server, the health's on a reference server),
so that workers never share a quota or a rate limit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from firehose_conformance.runner import Selection, run_suite, workers_share
from firehose_conformance.targets.endpoint import EndpointTarget, worker_account
from reference_impl.clock import ClockMode
from reference_impl.wire.server import ReferenceServer, ServerOptions


@pytest.fixture(scope="module")
def real_clock_server() -> Iterator[str]:
    with ReferenceServer(
        ServerOptions(port=0, clock=ClockMode.REAL, transition_seconds=0.2)
    ) as running:
        yield running.url


def _worker(
    monkeypatch: pytest.MonkeyPatch, index: int, url: str, **options: str
) -> EndpointTarget:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", f"gw{index}")
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "4")
    return EndpointTarget(endpoint_url=url, worker_accounts="on", **options)


def _streams(target: EndpointTarget) -> list[str]:
    return target.firehose.list_delivery_streams()["DeliveryStreamNames"]


def test_a_worker_account_is_twelve_digits_per_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert worker_account() is None
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    assert worker_account() == "100000000001"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw15")
    assert worker_account() == "100000000016"


@pytest.mark.parametrize("server", ["moto", "reference"])
def test_each_worker_sees_its_own_account_and_only_its_own_streams(
    server: str, moto_url: str, real_clock_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = moto_url if server == "moto" else real_clock_server
    one, two = _worker(monkeypatch, 0, url), _worker(monkeypatch, 1, url)
    assert (one.account_id, two.account_id) == ("100000000001", "100000000002")
    assert one.account_source == "STS GetCallerIdentity"  # both answer it for each key
    assert "one per worker" in one.identity()["accounts"]
    bucket = f"fsc-accounts-{server}"
    one.s3.create_bucket(Bucket=bucket)
    one.firehose.create_delivery_stream(
        DeliveryStreamName="fsc-mine",
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": one.delivery_role_arn(),
            "BucketARN": f"arn:aws:s3:::{bucket}",
        },
    )
    assert _streams(one) == ["fsc-mine"]
    assert _streams(two) == []  # another account: neither its quota nor its streams
    for target in (one, two):
        target.close()


def test_without_the_option_or_outside_a_worker_the_usual_credentials_act(
    moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")  # e.g. this test's own xdist worker
    assert EndpointTarget(endpoint_url=moto_url).account_id == "123456789012"
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert EndpointTarget(endpoint_url=moto_url, worker_accounts="on").account_id == "123456789012"
    with pytest.raises(ValueError, match="worker_accounts must be on or off"):
        EndpointTarget(endpoint_url=moto_url, worker_accounts="yes")


def test_a_pinned_account_is_not_replaced_by_a_worker_account(
    moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _worker(monkeypatch, 2, moto_url, account_id="123456789012")
    assert target.account_id == "123456789012"
    assert "accounts" not in target.identity()


@pytest.mark.slow
def test_the_workers_of_a_run_each_have_an_account(moto_url: str) -> None:
    run = run_suite(
        "endpoint",
        {"endpoint_url": moto_url, "transition_timeout": "5", "poll_initial": "0.2"},
        Selection.requirements(["API-03", "API-08"]),
        workers=2,
    )
    target = run.results.provenance["target"]
    assert target["account"] in ("100000000001", "100000000002")
    assert target["accounts"].startswith("one per worker")
    # The API-08 scenarios ran each in its own account: no call was refused for another's.
    verdicts = {s.name: s.verdict for s in run.results.scenarios if "API-08" in s.requirements}
    assert set(verdicts.values()) == {"passed"}, verdicts


def test_the_runner_asks_whether_workers_would_share_an_account(
    moto_url: str, real_clock_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert not workers_share("reference", {}) and not workers_share("moto", {})
    assert workers_share("aws", {})
    for url in (moto_url, real_clock_server):
        assert not workers_share("endpoint", {"endpoint_url": url, "worker_accounts": "on"})
        assert workers_share("endpoint", {"endpoint_url": url, "worker_accounts": "off"})
    # An endpoint with one account whatever the credentials (moto told so by MOTO_ACCOUNT_ID):
    # then the @alone scenarios run by themselves.
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")
    target = _worker(monkeypatch, 0, moto_url)
    assert target.accounts_shared and target.identity()["accounts"].startswith("shared")
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert workers_share("endpoint", {"endpoint_url": moto_url, "worker_accounts": "on"})
