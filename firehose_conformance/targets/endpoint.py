"""Any implementation behind one URL (an emulator such as moto_server, LocalStack, floci).

``--target endpoint --target-option endpoint_url=http://127.0.0.1:5000`` and optionally
``region=…``, ``account_id=…`` and the wait bounds in seconds (``transition_timeout=…``,
``delivery_timeout=…``, ``metric_timeout=…``, ``grant_timeout=…``, ``poll_initial=…``,
``poll_max=…``).
All services share the URL. The adapter adds no behaviour. It declares the capabilities the
endpoint says it has: a served reference implementation (``firehose-conformance serve``) lists them
at ``GET /_reference/health`` and carries them out through that control plane; any other endpoint
has none, and its capability scenarios are N/A.
"""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Any

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from firehose_conformance.aws_clients import (
    EMULATOR_TIMEOUTS,
    check_endpoint_url,
    client_config,
    make_client,
    or_dummy_credentials,
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
from reference_impl.aws_models import PinnedSession

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
OTHER_OPTIONS = frozenset({"endpoint_url", "region", "account_id"})
HTML_PAGE = re.compile(r"<(?:!doctype|html)\b.*", re.IGNORECASE | re.DOTALL)
HTML_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class EndpointTarget(Target):
    """boto3 clients against one URL, for an implementation the suite cannot look inside."""

    name = "endpoint"

    def __init__(self, **options: str) -> None:
        unknown = sorted(set(options) - OTHER_OPTIONS - WAIT_OPTIONS)
        if unknown:
            known = ", ".join(sorted(OTHER_OPTIONS | WAIT_OPTIONS))
            raise ValueError(f"unknown option(s) {', '.join(unknown)}; known: {known}")
        super().__init__()
        self.endpoint_url = _endpoint_url(options.get("endpoint_url"))
        self.region = options.get("region") or self.region
        self.account_id = options.get("account_id") or self.account_id
        if not re.fullmatch(r"\d{12}", self.account_id):
            raise ValueError(f"account_id must be 12 digits, got {self.account_id!r}")
        bounds = wait_overrides(options)
        self.control: ControlPlane | None = None
        self.capabilities = self.discover_capabilities()
        base = CLOCK_PROFILE if self.has(Capability.CLOCK) else EMULATOR_PROFILE
        self.profile = dataclasses.replace(base, **bounds)
        if self.control is not None:  # the server says who it is, unless told otherwise
            self.region = options.get("region") or self.control.health.get("region", self.region)
            self.account_id = options.get("account_id") or self.control.health.get(
                "account_id", self.account_id
            )
        # The usual credential chain; dummy credentials when it finds none (emulators accept any).
        self._session = or_dummy_credentials(PinnedSession(region_name=self.region))
        self._check_reachable()

    def identity(self) -> dict[str, str]:
        found = {**super().identity(), "endpoint_url": self.endpoint_url}
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
            error.args = (_tidy(str(error)),)  # the same exception (its kind decides the verdict)
            raise

    def _check_reachable(self) -> None:
        """Fail at once, in one line, when nothing answers at the URL (the CLI exits 2)."""
        try:
            self.client("firehose").raw.list_delivery_streams(Limit=1)
        except ClientError as error:
            # An AWS error (a code, even for a 5xx) is an answer: the scenarios judge it. A bare
            # status, whose code botocore had to make up from it, is some other web server.
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code.isdigit():
                raise ValueError(
                    f"the endpoint {self.endpoint_url} does not answer as the Firehose API "
                    f"(ListDeliveryStreams got HTTP {code} without an AWS error)"
                ) from None
        except (ConnectionError, ConnectionClosedError, ReadTimeoutError) as error:
            cause = _cause(error)
            raise ValueError(f"cannot reach the endpoint {self.endpoint_url}: {cause}") from None
        except ResponseParserError as error:
            raise ValueError(
                f"the endpoint {self.endpoint_url} does not answer as the Firehose API: "
                f"{_tidy(str(error))[:200]}"
            ) from None


def _parallel_workers() -> int:
    """How many pytest-xdist workers share this run (1 when it is not parallel)."""
    try:
        return int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    except ValueError:
        return 1


def _endpoint_url(value: str | None) -> str:
    if not value:
        raise ValueError("needs --target-option endpoint_url=URL (e.g. http://127.0.0.1:5000)")
    return check_endpoint_url(value)


def _cause(error: BaseException) -> str:
    """The root cause in a few words: 'connection refused', 'timed out after 5 s', ..."""
    if isinstance(error, ReadTimeoutError):
        return f"no answer within {EMULATOR_TIMEOUTS.read:g} s"
    if isinstance(error, ConnectTimeoutError):
        return f"no connection within {EMULATOR_TIMEOUTS.connect:g} s"
    seen: BaseException | None = error
    root: BaseException = error
    while seen is not None:
        root = seen
        seen = seen.__cause__ or seen.__context__
    inner = getattr(error, "kwargs", {}).get("error")
    if isinstance(root, OSError) and root.strerror:
        return root.strerror.lower()
    if isinstance(inner, BaseException):
        text = str(inner)
        return text.split(": ", 1)[-1].strip() or type(inner).__name__
    return str(error)


def _tidy(message: str) -> str:
    """One line: an HTML error page becomes its title, whitespace runs become one space."""

    def title(match: re.Match[str]) -> str:
        found = HTML_TITLE.search(match.group(0))
        return f"an HTML page titled {found.group(1).strip()!r}" if found else "an HTML page"

    return " ".join(HTML_PAGE.sub(title, message).split())
