"""One WSGI app for every service: AWS JSON by X-Amz-Target, RPC v2 CBOR by its path and header,
the control plane by path, else S3."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Protocol

from reference_impl import cbor_protocol
from reference_impl.json_protocol import JsonRpcService, Response

log = logging.getLogger(__name__)
# One line per request served over HTTP (the in-process transport calls ``handle`` directly).
access_log = logging.getLogger("reference_impl.access")

# Larger than any documented request (a PutRecordBatch is at most 4 MiB of data, ~5.4 MiB in
# base64), small enough that a hostile body cannot exhaust memory.
MAX_BODY_BYTES = 16 * 1024 * 1024
CONTROL_PREFIX = "/_reference/"


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes


class RestService(Protocol):
    def handle(self, request: Request, request_id: str) -> Response: ...


def _json_error(status: int, code: str, message: str, request_id: str) -> Response:
    body = json.dumps({"__type": code, "message": message}).encode()
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "x-amzn-RequestId": request_id,
        "x-amzn-ErrorType": code,
    }
    return Response(status, headers, body)


class ReferenceApp:
    """Routes a request to its service under one lock, so every model invariant holds."""

    def __init__(
        self,
        json_services: Iterable[JsonRpcService],
        s3: RestService,
        lock: threading.RLock,
        control: RestService | None = None,
        tick: Callable[[], None] | None = None,
    ) -> None:
        """``tick`` runs under the lock before every request (the real clock catching up)."""
        services = list(json_services)
        self.by_prefix = {service.target_prefix: service for service in services}
        self.by_cbor_name = {
            cbor.name: cbor
            for cbor in (
                cbor_protocol.CborRpcService(s) for s in services if cbor_protocol.supports_cbor(s)
            )
        }
        self.s3 = s3
        self.control = control
        self.lock = lock
        self.tick = tick

    def handle(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        target = request.headers.get("x-amz-target")
        if target is not None:
            prefix, _, operation = target.partition(".")
            service = self.by_prefix.get(prefix)
            if service is None or request.method != "POST":
                return _json_error(
                    400, "UnknownOperationException", f"Unknown target {target[:100]}.", request_id
                )
            with self.lock:
                self._tick()
                return service.handle(operation, request.body, request_id)
        rpc = cbor_protocol.is_cbor_request(request.path, request.headers)
        if rpc is not None:
            cbor = self.by_cbor_name.get(rpc["service"])
            if cbor is None:
                return cbor_protocol.unknown_service_response(rpc["service"], request_id)
            with self.lock:
                self._tick()
                return cbor.handle(
                    request.method, rpc["operation"], request.headers, request.body, request_id
                )
        if request.path.startswith(CONTROL_PREFIX) and self.control is not None:
            with self.lock:
                self._tick()
                return self.control.handle(request, request_id)
        with self.lock:
            self._tick()
            return self.s3.handle(request, request_id)

    def _tick(self) -> None:
        if self.tick is not None:
            self.tick()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        """The WSGI entry point (the HTTP server): read the body within bounds, answer, log."""
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        try:
            response = self._respond(environ, request_id)
        except Exception:  # a bug, not bad input: still an AWS-shaped answer, and logged
            log.exception("internal error serving %s", environ.get("PATH_INFO", "/"))
            response = _json_error(500, "InternalFailure", "The server failed.", request_id)
        try:
            phrase = HTTPStatus(response.status).phrase
        except ValueError:
            phrase = ""
        headers = dict(response.headers)
        headers.setdefault("Content-Length", str(len(response.body)))  # HEAD keeps its own
        start_response(f"{response.status} {phrase}".rstrip(), list(headers.items()))
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                "%s %s %s %s %d %d %.1fms %s",
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD", "-"),
                _shown_path(environ),
                _operation(environ),
                response.status,
                len(response.body),
                (time.perf_counter() - started) * 1000.0,
                _response_id(response) or request_id,
            )
        return [response.body]

    def _respond(self, environ: dict[str, Any], request_id: str) -> Response:
        # Transfer-Encoding: chunked (which overrides any Content-Length), de-chunked by the
        # server into a stream that ends with the body.
        chunked = bool(environ.get("wsgi.input_terminated"))
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 and not chunked:
            return _json_error(400, "BadRequest", "Invalid Content-Length.", request_id)
        if length > MAX_BODY_BYTES and not chunked:
            return _too_large(request_id)
        stream = environ["wsgi.input"]
        try:
            if chunked:
                body = _read_to_end(stream, MAX_BODY_BYTES + 1)
                if len(body) > MAX_BODY_BYTES:
                    return _too_large(request_id)
            else:
                body = stream.read(length) if length else b""
        except (OSError, ValueError):  # a malformed chunk, or the client went away
            return _json_error(400, "BadRequest", "The request body could not be read.", request_id)
        if not chunked and len(body) < length:
            # S3's code for it; a body cut short must never be taken for a whole one.
            return _json_error(
                400,
                "IncompleteBody",
                "You did not provide the number of bytes specified by the Content-Length "
                "HTTP header.",
                request_id,
            )
        return self.handle(_request_from_environ(environ, body))


def _read_to_end(stream: Any, limit: int) -> bytes:
    """Up to ``limit`` bytes of a stream that may return less than asked (one chunk a read)."""
    parts: list[bytes] = []
    size = 0
    while size < limit:
        part = stream.read(limit - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _too_large(request_id: str) -> Response:
    response = _json_error(
        413, "RequestEntityTooLarge", "The request body is too large.", request_id
    )
    response.headers["Connection"] = "close"
    return response


def _response_id(response: Response) -> str | None:
    return response.headers.get("x-amzn-RequestId") or response.headers.get("x-amz-request-id")


def _shown_path(environ: dict[str, Any]) -> str:
    path = environ.get("PATH_INFO", "/") or "/"
    return path if len(path) <= 200 else path[:200] + "..."


def _operation(environ: dict[str, Any]) -> str:
    """What the request asked for, for the log: the X-Amz-Target, the RPC v2 operation, or -."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target[:100]
    if "HTTP_SMITHY_PROTOCOL" in environ:
        return (environ.get("PATH_INFO") or "").rsplit("/", 1)[-1][:100] or "-"
    return "-"


def _request_from_environ(environ: dict[str, Any], body: bytes) -> Request:
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    raw_path = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    path = environ.get("PATH_INFO", "/")
    if raw_path:
        path = raw_path.split("?", 1)[0]
    return Request(
        method=environ.get("REQUEST_METHOD", "GET"),
        path=path,
        query=environ.get("QUERY_STRING", ""),
        headers=headers,
        body=body,
    )
