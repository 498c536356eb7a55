"""The control plane of the served reference, under ``/_reference/``: what no AWS API offers.

A conformance run needs a few things a real account cannot give (the ``@needs-*`` capabilities):
moving the clock, reading the bytes held at rest, deleting a KMS key at once, and a clean slate per
scenario. Over HTTP they are JSON endpoints beside the AWS APIs:

    GET  /_reference/health            {"status": "ok", "clock": "manual", "capabilities": [...]}
                                       (and "variant": NAME when the server runs one)
    GET  /_reference/clock             {"mode": "manual", "now": 1793491200.0, "iso": "..."}
    POST /_reference/clock/advance     {"seconds": 90}      (manual clock only; else 409)
    GET  /_reference/at-rest           {"resources": {ARN: [base64 blob, ...]}}
    POST /_reference/kms/delete-key    {"KeyId": "..."}     (id, ARN or alias)
    POST /_reference/reset             forget everything, back to the start instant
                                       ({"account_id": "..."}: forget that account only)

Accounts (reference_impl.accounts): an endpoint that acts on one account's resources acts on
the account named by ``account_id`` (in the JSON body of a POST, in the query of a GET), else the
one the request's credentials select (a 12-digit access key id), else the default account:
``health`` reports that account as ``account_id``; ``at-rest`` shows that account's bytes
(``account_id=all``: every account's); ``kms/delete-key`` deletes in that account (a key ARN
names its own account). Two endpoints act on the whole cloud: the clock (one for all accounts),
and ``reset``, which without an ``account_id`` in its body forgets every account and returns
the clock to its start; with one, it forgets that account only and the clock goes on.
    POST /moto-api/reset               the same, answered as moto answers it: {"status": "ok"}
                                       (moto's server-mode tests call it between tests)

Errors are JSON ``{"__type": code, "message": ...}`` with a 4xx status, as the AWS JSON services
answer. The capability names are the feature tags the conformance suite uses.
"""

from __future__ import annotations

import base64
import json
import math
import threading
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import parse_qs

from reference_impl.accounts import is_account_id
from reference_impl.aws_models import SNAPSHOT
from reference_impl.clock import ClockMode, VirtualClock
from reference_impl.errors import AwsError
from reference_impl.firehose.settings import FirehoseSettings
from reference_impl.wire.http import Request, Response
from reference_impl.wire.routing import CONTROL_PREFIX, MOTO_RESET_PATH

CONTENT_TYPE = "application/json"
# One call may skip at most a year: far more than any documented wait (KMS's 30-day deletion
# window), little enough that a typo cannot keep the server busy running timers for hours.
MAX_ADVANCE_SECONDS = 366 * 86400.0
ALL = "all"  # account_id=all: every account (at-rest, reset)
ACCOUNT_RULE = (
    "an access key id of 12 digits acts in that account; any other access key id, and a "
    "request without credentials, in the default account"
)
CLOCK = "needs-clock"
AT_REST = "needs-at-rest"
KEY_DELETION = "needs-key-deletion"


class _KmsModel(Protocol):
    def delete_key_now(self, key_id: str) -> None: ...


class _Account(Protocol):
    kms: _KmsModel

    def at_rest(self) -> dict[str, list[bytes]]: ...


class ControlledCloud(Protocol):
    """What the control plane needs of ``ReferenceCloud`` (kept structural: no import cycle)."""

    lock: threading.RLock
    clock: VirtualClock
    clock_mode: ClockMode
    settings: FirehoseSettings
    latency: Any  # reference_impl.latency.Latency
    account_id: str  # the default account
    region: str
    variant: str | None

    def advance(self, seconds: float = 0.0) -> None: ...
    def account(self, account_id: str | None = None) -> _Account: ...
    def account_ids(self) -> list[str]: ...
    def at_rest(self, account_id: str | None = None) -> dict[str, list[bytes]]: ...
    def reset(self, account_id: str | None = None) -> None: ...


def capabilities(mode: ClockMode) -> list[str]:
    """A clock the suite may move only exists in manual mode; the white-box views in both."""
    offered = [AT_REST, KEY_DELETION]
    return [CLOCK, *offered] if mode is ClockMode.MANUAL else offered


def _json(status: int, payload: dict[str, Any], request_id: str) -> Response:
    headers = {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id}
    return Response(status, headers, json.dumps(payload, separators=(",", ":")).encode())


class ControlPlane:
    """JSON endpoints under ``CONTROL_PREFIX``; the app calls ``handle`` under the cloud's lock."""

    def __init__(self, cloud: ControlledCloud) -> None:
        self.cloud = cloud
        self.routes: dict[tuple[str, str], Callable[[Any, str], dict[str, Any]]] = {
            ("GET", "health"): self.health,
            ("GET", "clock"): self.clock,
            ("POST", "clock/advance"): self.advance,
            ("GET", "at-rest"): self.at_rest,
            ("POST", "kms/delete-key"): self.delete_key,
            ("POST", "reset"): self.reset,
            ("POST", MOTO_RESET_PATH): self.moto_reset,  # absolute: no name under the prefix
        }

    def handle(self, request: Request, request_id: str, account_id: str | None = None) -> Response:
        """``account_id``: the account the request's credentials select (the default one if
        None); an ``account_id`` in the body or query names another."""
        if request.path.rstrip("/") == MOTO_RESET_PATH:
            name = MOTO_RESET_PATH
        else:
            name = request.path[len(CONTROL_PREFIX) :].strip("/")
        method = "GET" if request.method == "HEAD" else request.method
        route = self.routes.get((method, name))
        try:
            if route is None:
                if any(path == name for _, path in self.routes):
                    allowed = ", ".join(sorted(m for m, path in self.routes if path == name))
                    raise AwsError("MethodNotAllowed", f"Use {allowed} for {name}.", 405)
                raise AwsError("NotFound", f"No control endpoint {request.path[:200]!r}.", 404)
            body = _body(request.body) if method == "POST" else _query(request.query)
            payload = route(body, self._account(body, account_id))
        except AwsError as error:
            body = {"__type": error.code, "message": error.message}
            return _json(error.status, body, request_id)
        response = _json(200, payload, request_id)
        if request.method == "HEAD":
            response.headers["Content-Length"] = str(len(response.body))
            response.body = b""
        return response

    def _account(self, body: Any, account_id: str | None) -> str:
        """The account a call acts on: the ``account_id`` it names (or "all"), else the one of
        its credentials, else the default."""
        named = body.get("account_id") if isinstance(body, dict) else None
        if named is None:
            return account_id or self.cloud.account_id
        if not isinstance(named, str) or not (named == ALL or is_account_id(named)):
            raise AwsError(
                "ValidationException", f"account_id must be 12 digits or {ALL!r}, got {named!r}."
            )
        return named

    # ---- endpoints ----------------------------------------------------------------------------
    def health(self, _: Any, account_id: str) -> dict[str, Any]:
        cloud = self.cloud
        variant = {"variant": cloud.variant} if cloud.variant else {}
        return {
            "status": "ok",
            "implementation": "reference_impl",
            "models": SNAPSHOT.name,
            "clock": cloud.clock_mode.value,
            "now": cloud.clock.now(),
            "transition_seconds": cloud.settings.transition_seconds,
            "latency": cloud.latency.describe(),
            "account_id": cloud.account_id if account_id == ALL else account_id,
            "default_account_id": cloud.account_id,
            "accounts": cloud.account_ids(),
            "account_rule": ACCOUNT_RULE,
            "region": cloud.region,
            "capabilities": capabilities(cloud.clock_mode),
            **variant,
        }

    def clock(self, *_: Any) -> dict[str, Any]:
        clock = self.cloud.clock
        return {
            "mode": self.cloud.clock_mode.value,
            "now": clock.now(),
            "iso": clock.now_datetime().isoformat(),
        }

    def advance(self, body: Any, _: str) -> dict[str, Any]:
        if self.cloud.clock_mode is not ClockMode.MANUAL:
            raise AwsError(
                "ClockNotControllable",
                "The server runs on the real clock (--clock real); time cannot be advanced.",
                409,
            )
        seconds = _field(body, "seconds", (int, float))
        if isinstance(seconds, bool) or not math.isfinite(seconds) or seconds < 0:
            raise AwsError("ValidationException", "seconds must be a finite number >= 0.")
        if seconds > MAX_ADVANCE_SECONDS:
            raise AwsError(
                "ValidationException",
                f"seconds must be at most {MAX_ADVANCE_SECONDS:.0f} (366 days) per call.",
            )
        self.cloud.advance(float(seconds))
        return self.clock()

    def at_rest(self, _: Any, account_id: str) -> dict[str, Any]:
        held = self.cloud.at_rest(None if account_id == ALL else account_id)
        return {
            "resources": {
                arn: [base64.b64encode(blob).decode("ascii") for blob in blobs]
                for arn, blobs in held.items()
            }
        }

    def delete_key(self, body: Any, account_id: str) -> dict[str, Any]:
        key_id = _field(body, "KeyId", (str,))
        if not key_id:
            raise AwsError("ValidationException", "KeyId must not be empty.")
        parts = key_id.split(":")
        if key_id.startswith("arn:") and len(parts) > 4 and is_account_id(parts[4]):
            account_id = parts[4]  # an ARN names its account
        elif account_id == ALL:
            raise AwsError("ValidationException", "Name one account (or give a key ARN).")
        # NotFoundException etc. as KMS answers them
        self.cloud.account(account_id).kms.delete_key_now(key_id)
        return {"KeyId": key_id, "deleted": True, "account_id": account_id}

    def reset(self, body: Any, account_id: str) -> dict[str, Any]:
        named = body.get("account_id") if isinstance(body, dict) else None
        self.cloud.reset(None if named in (None, ALL) else account_id)
        return self.clock()

    def moto_reset(self, *_: Any) -> dict[str, Any]:
        """moto's ``POST /moto-api/reset``: the same reset (of every account), moto's answer."""
        self.cloud.reset()
        return {"status": "ok"}


def _query(raw: str) -> dict[str, str]:
    """A GET's query parameters (the first value of each)."""
    return {name: values[0] for name, values in parse_qs(raw).items()} if raw else {}


def _body(raw: bytes) -> Any:
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise AwsError("SerializationException", "The request body is not valid JSON.") from None


def _field(body: Any, name: str, types: tuple[type, ...]) -> Any:
    if not isinstance(body, dict) or name not in body:
        raise AwsError("ValidationException", f"The body must be a JSON object with {name!r}.")
    value = body[name]
    if not isinstance(value, types):
        kinds = " or ".join(t.__name__ for t in types)
        raise AwsError("ValidationException", f"{name} must be a {kinds}.")
    return value
