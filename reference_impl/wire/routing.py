"""One app for every service: AWS JSON by X-Amz-Target, RPC v2 CBOR by its path and header, the
control plane by path (``/_reference/...``, and moto's ``POST /moto-api/reset``), STS
GetCallerIdentity by its query-protocol form, else S3; each
request in the account its credentials select. The
in-process transport calls ``handle``; the HTTP server calls the app as a WSGI application
(wsgi.py)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from reference_impl.wire import cbor_protocol, sts_query, wsgi
from reference_impl.wire.http import Request, Response, json_error
from reference_impl.wire.json_protocol import JsonRpcService

CONTROL_PREFIX = "/_reference/"
# moto's reset, which moto's own server-mode tests call between tests (and the harness's tests
# of other emulators): the control plane takes it as its own reset.
MOTO_RESET_PATH = "/moto-api/reset"


class RestService(Protocol):
    def handle(self, request: Request, request_id: str) -> Response: ...


class ControlService(Protocol):
    def handle(self, request: Request, request_id: str, account_id: str) -> Response: ...


class AccountRoutes:
    """One account's services: its AWS JSON services (also served as CBOR) and S3."""

    def __init__(self, json_services: Iterable[JsonRpcService], s3: RestService) -> None:
        services = list(json_services)
        self.by_prefix = {service.target_prefix: service for service in services}
        self.by_cbor_name = {
            cbor.name: cbor
            for cbor in (
                cbor_protocol.CborRpcService(s) for s in services if cbor_protocol.supports_cbor(s)
            )
        }
        self.s3 = s3


class ReferenceApp:
    """Routes a request to its account's service under one lock, so every model invariant holds.

    The account is the one the request's credentials select (reference_impl.accounts), unless
    the caller names it (the in-process transport of a client bound to an account); ``accounts``
    gives an account's routes, creating the account on first use.
    """

    def __init__(
        self,
        accounts: Callable[[str], AccountRoutes],
        account_of: Callable[[Request], str],
        lock: threading.RLock,
        control: ControlService | None = None,
        tick: Callable[[], None] | None = None,
        *,
        prefixes: Iterable[str] = (),
        cbor_names: Iterable[str] = (),
    ) -> None:
        """``tick`` runs under the lock before every request (the real clock catching up).
        ``prefixes`` and ``cbor_names``: the targets every account serves (to refuse the
        others before taking the lock)."""
        self.accounts = accounts
        self.account_of = account_of
        self.prefixes = frozenset(prefixes)
        self.cbor_names = frozenset(cbor_names)
        self.control = control
        self.lock = lock
        self.tick = tick

    def handle(self, request: Request, account_id: str | None = None) -> Response:
        request_id = str(uuid.uuid4())
        account = account_id or self.account_of(request)
        target = request.headers.get("x-amz-target")
        if target is not None:
            prefix, _, operation = target.partition(".")
            if prefix not in self.prefixes or request.method != "POST":
                return json_error(
                    400, "UnknownOperationException", f"Unknown target {target[:100]}.", request_id
                )
            with self.lock:
                self._tick()
                service = self.accounts(account).by_prefix[prefix]
                return service.handle(operation, request.body, request_id)
        rpc = cbor_protocol.is_cbor_request(request.path, request.headers)
        if rpc is not None:
            if rpc["service"] not in self.cbor_names:
                return cbor_protocol.unknown_service_response(rpc["service"], request_id)
            with self.lock:
                self._tick()
                cbor = self.accounts(account).by_cbor_name[rpc["service"]]
                return cbor.handle(
                    request.method, rpc["operation"], request.headers, request.body, request_id
                )
        if self.control is not None and (
            request.path.startswith(CONTROL_PREFIX) or request.path.rstrip("/") == MOTO_RESET_PATH
        ):
            with self.lock:
                self._tick()
                return self.control.handle(request, request_id, account)
        if sts_query.is_query_request(request):  # STS GetCallerIdentity: whose credentials
            return sts_query.handle(request, request_id, account)
        with self.lock:
            self._tick()
            return self.accounts(account).s3.handle(request, request_id)

    def _tick(self) -> None:
        if self.tick is not None:
            self.tick()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        """The WSGI entry point (the HTTP server)."""
        return wsgi.answer(self, environ, start_response)
