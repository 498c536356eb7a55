"""Any implementation behind one URL (an emulator such as moto_server, LocalStack, floci).

``run --endpoint-url http://127.0.0.1:5000`` (or ``AWS_ENDPOINT_URL``, or ``--target endpoint
--target-option endpoint_url=…``), optionally ``--region``, ``--profile``, ``--account-id`` and the
wait bounds in seconds as target options (``transition_timeout=…``, ``delivery_timeout=…``,
``metric_timeout=…``, ``grant_timeout=…``, ``poll_initial=…``, ``poll_max=…``).

All services share the URL, and it must be given: without one (flag, option, or an endpoint
configured as boto3 reads it, see ``aws_clients.one_endpoint``) the target refuses to start, and
it never talks to AWS's own hosts. The adapter adds no behaviour. It declares the capabilities the
endpoint says it has: a served reference implementation (``firehose-conformance serve``) lists them
at ``GET /_reference/health`` and carries them out through that control plane; any other endpoint
has none, and its capability scenarios are N/A.

Whom it talks to (``identity()``, the results' ``provenance.target``): the URL, the region and the
account, each with where it came from. The account is STS GetCallerIdentity's (LocalStack's is
000000000000, moto's 123456789012 unless ``MOTO_ACCOUNT_ID`` says otherwise); only where STS is
not offered does it come from ``account_id``, the server's health, or the default. The server's
name and version are added where it says them (``endpoint_probe.describe_server``).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from firehose_conformance.aws_clients import (
    EMULATOR_TIMEOUTS,
    account_session,
    add_account_header,
    client_config,
    configured_region,
    is_aws_host,
    make_client,
    one_endpoint,
    or_dummy_credentials,
    profile_session,
)
from firehose_conformance.capabilities import Capability
from firehose_conformance.errors import CapabilityMissing, TargetMisbehaved
from firehose_conformance.targets.base import (
    WAIT_OPTIONS,
    KeyRef,
    Target,
    WaitProfile,
    wait_overrides,
)
from firehose_conformance.targets.control_plane import ControlPlane
from firehose_conformance.targets.endpoint_probe import (
    caller_account,
    check_firehose,
    describe_server,
    tidy,
)

# Emulators answer quickly but may honour buffering (the suite's streams buffer 60 s), so the
# bounds are tighter than for AWS yet leave room for one buffer interval and a retry.
EMULATOR_PROFILE = WaitProfile(
    transition_timeout=30.0,
    delivery_timeout=120.0,
    metric_timeout=120.0,
    grant_timeout=60.0,
    poll_initial=0.5,
    poll_max=5.0,
)
# The bounds README's CI job gives moto_server, which answers at once (as --target-option values;
# tests/packaging/test_ci_example.py checks README's block against them).
FAST_EMULATOR_OPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "transition_timeout": "5",
        "delivery_timeout": "10",
        "metric_timeout": "10",
        "grant_timeout": "10",
        "poll_initial": "0.2",
        "poll_max": "1",
    }
)
# A clock the suite moves (a reference server on a manual clock): waiting costs no wall time, so
# the bounds are the in-process reference target's, and every verdict can match its verdicts.
CLOCK_PROFILE = WaitProfile(poll_initial=1.0, poll_max=30.0)
OTHER_OPTIONS = frozenset(
    {"endpoint_url", "region", "account_id", "aws_profile", "worker_accounts"}
)
ACCOUNT_ID = re.compile(r"\d{12}")
NO_ENDPOINT = (
    "needs an endpoint URL: --endpoint-url URL, AWS_ENDPOINT_URL, or --target-option "
    "endpoint_url=URL (e.g. http://127.0.0.1:5000); it never falls back to AWS"
)


class EndpointTarget(Target):
    """boto3 clients against one URL, for an implementation the suite cannot look inside."""

    name = "endpoint"

    def __init__(self, *, worker_id: str | None = None, **options: str) -> None:
        """``worker_id`` (``gw3``): act as that xdist worker would (the runner's probe);
        by default, the worker this process is, if any."""
        unknown = sorted(set(options) - OTHER_OPTIONS - WAIT_OPTIONS)
        if unknown:
            known = ", ".join(sorted(OTHER_OPTIONS | WAIT_OPTIONS))
            raise ValueError(f"unknown option(s) {', '.join(unknown)}; known: {known}")
        super().__init__()
        given_account = options.get("account_id") or None
        if given_account is not None and not ACCOUNT_ID.fullmatch(given_account):
            raise ValueError(f"account_id must be 12 digits, got {given_account!r}")
        aws_profile = options.get("aws_profile") or None
        # "on": the runner's workers (run -n N) each act in an account of their own.
        per_worker = options.get("worker_accounts", "off")
        if per_worker not in ("on", "off"):
            raise ValueError(f"worker_accounts must be on or off, got {per_worker!r}")
        # A parallel worker acts in an account of its own, unless an account was pinned.
        self.worker_account = (
            worker_account(worker_id) if per_worker == "on" and given_account is None else None
        )
        self.accounts_shared = False  # the endpoint ignored the worker's own account
        configured = profile_session(aws_profile)
        endpoint = one_endpoint(configured, options.get("endpoint_url"))
        if endpoint is None:
            raise ValueError(NO_ENDPOINT)
        if is_aws_host(endpoint.value):
            raise ValueError(
                f"{endpoint.value} ({endpoint.source}) is AWS itself: the endpoint target is for "
                "emulators; a real account is --target aws"
            )
        self.endpoint_url, self.endpoint_source = endpoint.value, endpoint.source
        region = configured_region(configured, options.get("region"))
        bounds = wait_overrides(options)
        self.control: ControlPlane | None = None
        self.capabilities = self.discover_capabilities()
        base = CLOCK_PROFILE if self.has(Capability.CLOCK) else EMULATOR_PROFILE
        self.profile = dataclasses.replace(base, **bounds)
        health = self.control.health if self.control is not None else {}
        if region is not None:
            self.region, self.region_source = region.value, region.source
        elif health.get("region"):  # the server says where it is, unless told otherwise
            self.region, self.region_source = str(health["region"]), "the server's health"
        else:
            self.region_source = "default"
        if self.worker_account is not None:  # the access key id, and moto's header, name it
            self._session = account_session(self.worker_account, self.region)
            if self.control is not None:
                self.control = self.control.in_account(self.worker_account)
        else:  # the usual chain; dummy credentials when it finds none (emulators accept any)
            self._session = or_dummy_credentials(profile_session(aws_profile, self.region))
        headers = check_firehose(self.client("firehose").raw, self.endpoint_url)
        self.account_id, self.account_source = self._account(given_account, health)
        if self.worker_account is not None and self.account_id != self.worker_account:
            self.accounts_shared = True  # e.g. an emulator with one account whatever the key
        self.server = describe_server(self.endpoint_url, headers) if self.control is None else {}

    def _account(self, given: str | None, health: dict[str, Any]) -> tuple[str, str]:
        """The account and where it came from: STS where the endpoint offers it, else
        ``account_id``, else the server's health, else the default."""
        found = caller_account(self.client("sts").raw)
        if found is not None:
            if given is not None and given != found:
                raise ValueError(
                    f"account_id {given} was given, but STS GetCallerIdentity at "
                    f"{self.endpoint_url} answers {found} for these credentials"
                )
            return found, "STS GetCallerIdentity"
        if given is not None:
            return given, "account_id (no STS)"
        if self.worker_account is not None and self.control is not None:
            found = self.control.caller_account()  # asked with the worker's access key id
            if found:
                return found, "the server's health for these credentials (no STS)"
        if health.get("account_id"):
            return str(health["account_id"]), "the server's health (no STS)"
        return self.account_id, "default (no STS)"

    def identity(self) -> dict[str, str]:
        found = {
            **super().identity(),
            "endpoint_url": self.endpoint_url,
            "endpoint_source": self.endpoint_source,
            "region_source": self.region_source,
            "account_source": self.account_source,
            **self.server,
        }
        if self.worker_account is not None:
            found["accounts"] = (
                "shared: the endpoint ignored each worker's own account (access key id "
                f"{self.worker_account}, x-moto-account-id); STS answered {self.account_id}"
                if self.accounts_shared
                else "one per worker (12-digit access key id and x-moto-account-id): "
                f"{WORKER_ACCOUNT_BASE + 1}, {WORKER_ACCOUNT_BASE + 2}, ..."
            )
        if self.control is not None:  # the reference server says what it is
            health = self.control.health
            found["implementation"] = f"{health.get('implementation', '?')} server"
            found["models"] = str(health.get("models", "?"))
        return found

    def discover_capabilities(self) -> frozenset[Capability]:
        """The capabilities the endpoint's control plane offers; none without one.

        A reference server lists them at ``GET /_reference/health``: ``needs-clock`` on a manual
        clock only, ``needs-at-rest``, ``needs-key-deletion``. A plain emulator answers 404 there.
        """
        self.control = ControlPlane.discover(self.endpoint_url)
        if self.control is None:
            return frozenset()
        if Capability.CLOCK in self.control.capabilities and _parallel_workers() > 1:
            raise ValueError(
                "the server runs on a manual clock, which one run moves and resets scenario by "
                "scenario: run it without -n, or serve with --clock real for parallel workers"
            )
        return self.control.capabilities

    def _control(self, capability: Capability) -> ControlPlane:
        if self.control is None or capability not in self.capabilities:
            raise CapabilityMissing(f"target {self.name!r} lacks @{capability.value}")
        return self.control

    # ---- the capabilities, through the control plane --------------------------------------------
    def advance(self, seconds: float) -> None:
        self._control(Capability.CLOCK).advance(seconds)

    def now(self) -> float:
        if self.has(Capability.CLOCK):
            return self._control(Capability.CLOCK).now()
        return super().now()

    def at_rest(self) -> dict[str, list[bytes]]:
        return self._control(Capability.AT_REST).at_rest()

    def delete_key_now(self, key: KeyRef) -> None:
        self._control(Capability.KEY_DELETION).delete_key(key.key_id)

    def _resets_own_account(self) -> bool:
        """A parallel worker on a reference server has an account nobody else uses: it starts
        each scenario with that account emptied and empties it afterwards, at once."""
        return (
            self.control is not None
            and self.worker_account is not None
            and not (self.accounts_shared)
        )

    def start_scenario(self) -> None:
        """On a manual clock the run has the server to itself: each scenario starts afresh.
        A worker's own account on a reference server starts empty too."""
        if self.has(Capability.CLOCK) or self._resets_own_account():
            assert self.control is not None
            self.control.reset()

    def finish_scenario(self) -> list[str]:
        if self.has(Capability.CLOCK):
            self.ledger.entries.clear()  # the next reset removes everything at once
            return []
        if self._resets_own_account():
            assert self.control is not None
            self.ledger.entries.clear()  # the worker's account, emptied at once
            self.control.reset()
            return []
        return super().finish_scenario()

    def make_client(self, service: str, *, validate: bool) -> Any:
        config = client_config(
            self.region, validate=validate, timeouts=EMULATOR_TIMEOUTS, path_style=True
        )
        made = make_client(self._session, service, config, self.endpoint_url)
        if self.worker_account is not None:
            add_account_header(made, self.worker_account)
        return made

    def invoke(self, client: Any, method: str, params: dict[str, Any], *, retry_throttling: bool):
        """As ``Target.invoke``; an HTML error page in a 5xx is shown by its title only."""
        try:
            return super().invoke(client, method, params, retry_throttling=retry_throttling)
        except TargetMisbehaved as error:
            error.args = (tidy(str(error)),)  # the same exception (its kind decides the verdict)
            raise


# Parallel workers' accounts: gw0 acts in 100000000001, gw1 in 100000000002, ... (12 digits:
# the reference server and LocalStack take a 12-digit access key id as the account, moto_server
# the header x-moto-account-id).
WORKER_ACCOUNT_BASE = 100_000_000_000


def worker_account(worker_id: str | None = None) -> str | None:
    """The account of pytest-xdist worker ``worker_id`` (by default this process's, if it is
    one): ``gwK`` -> ``WORKER_ACCOUNT_BASE + K + 1``; None outside a worker."""
    found = re.fullmatch(r"gw(\d+)", worker_id or os.environ.get("PYTEST_XDIST_WORKER", ""))
    return str(WORKER_ACCOUNT_BASE + int(found.group(1)) + 1) if found else None


def workers_have_own_accounts(**options: str) -> bool:
    """Would two workers of a run with these options act in accounts of their own? Asked of
    the endpoint itself, as two workers would ask it; False when it cannot tell."""
    accounts = []
    for worker in ("gw0", "gw1"):
        try:
            probe = EndpointTarget(worker_id=worker, **options)
        except Exception:
            return False
        accounts.append(None if probe.accounts_shared else probe.worker_account)
        probe.close()
    return None not in accounts and accounts[0] != accounts[1]


def _parallel_workers() -> int:
    """How many pytest-xdist workers share this run (1 when it is not parallel)."""
    try:
        return int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    except ValueError:
        return 1
