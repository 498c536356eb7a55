"""The control plane of a served reference implementation, seen from the harness.

``python -m reference_impl`` (or ``firehose-conformance serve``) answers JSON under
``/_reference/``: ``GET health`` lists the capabilities it offers (``needs-clock`` only on a manual
clock, ``needs-at-rest``, ``needs-key-deletion``), and the other endpoints carry them out. The
endpoint target asks once, at construction; an endpoint that is not a reference server answers
404 (or anything but that JSON) and offers none.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from firehose_conformance.capabilities import Capability
from firehose_conformance.errors import TargetMisbehaved

PREFIX = "/_reference/"
TIMEOUT_SECONDS = 30.0  # advancing a day of a busy cloud's timers may take seconds
DISCOVERY_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class ControlPlane:
    """JSON calls to ``<endpoint>/_reference/...``; a refusal or a 5xx is ``TargetMisbehaved``."""

    endpoint_url: str
    capabilities: frozenset[Capability] = frozenset()
    health: dict[str, Any] = field(default_factory=dict)
    # The account the calls act on (a parallel worker's own); None: the server's default one.
    account_id: str | None = None

    def in_account(self, account_id: str) -> ControlPlane:
        """The same control plane, acting on ``account_id`` (at-rest, key deletion, reset)."""
        return ControlPlane(self.endpoint_url, self.capabilities, self.health, account_id)

    def _scope(self) -> dict[str, str]:
        return {"account_id": self.account_id} if self.account_id else {}

    def caller_account(self) -> str | None:
        """The account ``health`` says a request signed with our access key id acts in (the
        server's rule: a 12-digit key id is that account), as STS would say it."""
        found = self.call("GET", "health").get("account_id")
        return str(found) if found else None

    @staticmethod
    def discover(endpoint_url: str) -> ControlPlane | None:
        """The control plane at ``endpoint_url``, or None when there is none to speak to."""
        probe = ControlPlane(endpoint_url.rstrip("/"))
        try:
            health = probe.call("GET", "health", timeout=DISCOVERY_TIMEOUT_SECONDS)
        except TargetMisbehaved:
            return None
        if not isinstance(health, dict) or health.get("status") != "ok":
            return None
        offered = health.get("capabilities")
        known = {c.value: c for c in Capability}
        names = offered if isinstance(offered, list) else []
        capabilities = frozenset(known[n] for n in names if isinstance(n, str) and n in known)
        return ControlPlane(probe.endpoint_url, capabilities, health)

    # ---- the capabilities --------------------------------------------------------------------
    def advance(self, seconds: float) -> float:
        """Move the server's clock (``needs-clock``); returns its new time."""
        return float(self.call("POST", "clock/advance", {"seconds": seconds})["now"])

    def now(self) -> float:
        return float(self.call("GET", "clock")["now"])

    def at_rest(self) -> dict[str, list[bytes]]:
        query = f"?account_id={self.account_id}" if self.account_id else ""
        resources = self.call("GET", f"at-rest{query}")["resources"]
        return {arn: [base64.b64decode(b) for b in blobs] for arn, blobs in resources.items()}

    def delete_key(self, key_id: str) -> None:
        self.call("POST", "kms/delete-key", {"KeyId": key_id, **self._scope()})

    def reset(self) -> None:
        """Forget the account acted on (``account_id``), or every account and the clock."""
        self.call("POST", "reset", self._scope())

    # ---- the wire ---------------------------------------------------------------------------
    def _credentials(self) -> dict[str, str]:
        return _credential_header(self.account_id) if self.account_id else {}

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: float = TIMEOUT_SECONDS,
    ) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.endpoint_url}{PREFIX}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"}
            | self._credentials(),
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            detail = _error_text(error.read())
            raise TargetMisbehaved(
                f"control plane {method} {PREFIX}{path}: HTTP {error.code} {detail}".strip()
            ) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise TargetMisbehaved(f"control plane {PREFIX}{path} unreachable: {reason}") from None
        try:
            return json.loads(raw)
        except ValueError:
            raise TargetMisbehaved(
                f"control plane {PREFIX}{path} answered something other than JSON"
            ) from None


def _credential_header(account_id: str) -> dict[str, str]:
    """An unsigned SigV4 ``Authorization`` header naming ``account_id`` as the access key id
    (the server reads the key id and verifies no signature)."""
    scope = f"{account_id}/20260101/us-east-1/firehose/aws4_request"
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"
    }


def _error_text(raw: bytes) -> str:
    try:
        document = json.loads(raw)
    except ValueError:
        return ""
    if isinstance(document, dict):
        return f"{document.get('__type', '')}: {document.get('message', '')}".strip(": ")
    return ""
