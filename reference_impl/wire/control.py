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
CLOCK = "needs-clock"
AT_REST = "needs-at-rest"
KEY_DELETION = "needs-key-deletion"


class _KmsModel(Protocol):
    def delete_key_now(self, key_id: str) -> None: ...


class ControlledCloud(Protocol):
    """What the control plane needs of ``ReferenceCloud`` (kept structural: no import cycle)."""

    lock: threading.RLock
    clock: VirtualClock
    clock_mode: ClockMode
    settings: FirehoseSettings
    account_id: str
    region: str
    variant: str | None
    kms: _KmsModel

    def advance(self, seconds: float = 0.0) -> None: ...
    def at_rest(self) -> dict[str, list[bytes]]: ...
    def reset(self) -> None: ...


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
        self.routes: dict[tuple[str, str], Callable[[Any], dict[str, Any]]] = {
            ("GET", "health"): self.health,
            ("GET", "clock"): self.clock,
            ("POST", "clock/advance"): self.advance,
            ("GET", "at-rest"): self.at_rest,
            ("POST", "kms/delete-key"): self.delete_key,
            ("POST", "reset"): self.reset,
            ("POST", MOTO_RESET_PATH): self.moto_reset,  # absolute: no name under the prefix
        }

    def handle(self, request: Request, request_id: str) -> Response:
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
            payload = route(_body(request.body) if method == "POST" else {})
        except AwsError as error:
            body = {"__type": error.code, "message": error.message}
            return _json(error.status, body, request_id)
        response = _json(200, payload, request_id)
        if request.method == "HEAD":
            response.headers["Content-Length"] = str(len(response.body))
            response.body = b""
        return response

    # ---- endpoints ----------------------------------------------------------------------------
    def health(self, _: Any) -> dict[str, Any]:
        cloud = self.cloud
        variant = {"variant": cloud.variant} if cloud.variant else {}
        return {
            "status": "ok",
            "implementation": "reference_impl",
            "models": SNAPSHOT.name,
            "clock": cloud.clock_mode.value,
            "now": cloud.clock.now(),
            "transition_seconds": cloud.settings.transition_seconds,
            "account_id": cloud.account_id,
            "region": cloud.region,
            "capabilities": capabilities(cloud.clock_mode),
            **variant,
        }

    def clock(self, _: Any) -> dict[str, Any]:
        clock = self.cloud.clock
        return {
            "mode": self.cloud.clock_mode.value,
            "now": clock.now(),
            "iso": clock.now_datetime().isoformat(),
        }

    def advance(self, body: Any) -> dict[str, Any]:
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
        return self.clock({})

    def at_rest(self, _: Any) -> dict[str, Any]:
        held = self.cloud.at_rest()
        return {
            "resources": {
                arn: [base64.b64encode(blob).decode("ascii") for blob in blobs]
                for arn, blobs in held.items()
            }
        }

    def delete_key(self, body: Any) -> dict[str, Any]:
        key_id = _field(body, "KeyId", (str,))
        if not key_id:
            raise AwsError("ValidationException", "KeyId must not be empty.")
        self.cloud.kms.delete_key_now(key_id)  # NotFoundException etc. as KMS answers them
        return {"KeyId": key_id, "deleted": True}

    def reset(self, _: Any) -> dict[str, Any]:
        self.cloud.reset()
        return self.clock({})

    def moto_reset(self, _: Any) -> dict[str, Any]:
        """moto's ``POST /moto-api/reset``: the same reset, moto's answer."""
        self.cloud.reset()
        return {"status": "ok"}


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
