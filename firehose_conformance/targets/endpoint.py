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
from typing import Any

from firehose_conformance.aws_clients import (
    EMULATOR_TIMEOUTS,
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
# A clock the suite moves (a reference server on a manual clock): waiting costs no wall time, so
# the bounds are the in-process reference target's, and every verdict can match its verdicts.
CLOCK_PROFILE = WaitProfile(poll_initial=1.0, poll_max=30.0)
OTHER_OPTIONS = frozenset({"endpoint_url", "region", "account_id", "aws_profile"})
ACCOUNT_ID = re.compile(r"\d{12}")
NO_ENDPOINT = (
    "needs an endpoint URL: --endpoint-url URL, AWS_ENDPOINT_URL, or --target-option "
    "endpoint_url=URL (e.g. http://127.0.0.1:5000); it never falls back to AWS"
)


class EndpointTarget(Target):
    """boto3 clients against one URL, for an implementation the suite cannot look inside."""

    name = "endpoint"

    def __init__(self, **options: str) -> None:
        unknown = sorted(set(options) - OTHER_OPTIONS - WAIT_OPTIONS)
        if unknown:
            known = ", ".join(sorted(OTHER_OPTIONS | WAIT_OPTIONS))
            raise ValueError(f"unknown option(s) {', '.join(unknown)}; known: {known}")
        super().__init__()
        given_account = options.get("account_id") or None
        if given_account is not None and not ACCOUNT_ID.fullmatch(given_account):
            raise ValueError(f"account_id must be 12 digits, got {given_account!r}")
        aws_profile = options.get("aws_profile") or None
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
        # The usual credential chain; dummy credentials when it finds none (emulators accept any).
        self._session = or_dummy_credentials(profile_session(aws_profile, self.region))
        headers = check_firehose(self.client("firehose").raw, self.endpoint_url)
        self.account_id, self.account_source = self._account(given_account, health)
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

    def start_scenario(self) -> None:
        """On a manual clock the run has the server to itself: each scenario starts afresh."""
        if self.has(Capability.CLOCK):
            self._control(Capability.CLOCK).reset()

    def finish_scenario(self) -> list[str]:
        if self.has(Capability.CLOCK):
            self.ledger.entries.clear()  # the next reset removes everything at once
            return []
        return super().finish_scenario()

    def make_client(self, service: str, *, validate: bool) -> Any:
        config = client_config(
            self.region, validate=validate, timeouts=EMULATOR_TIMEOUTS, path_style=True
        )
        return make_client(self._session, service, config, self.endpoint_url)

    def invoke(self, client: Any, method: str, params: dict[str, Any], *, retry_throttling: bool):
        """As ``Target.invoke``; an HTML error page in a 5xx is shown by its title only."""
        try:
            return super().invoke(client, method, params, retry_throttling=retry_throttling)
        except TargetMisbehaved as error:
            error.args = (tidy(str(error)),)  # the same exception (its kind decides the verdict)
            raise


def _parallel_workers() -> int:
    """How many pytest-xdist workers share this run (1 when it is not parallel)."""
    try:
        return int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    except ValueError:
        return 1
