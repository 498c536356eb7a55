"""One WSGI app for every service: AWS JSON by X-Amz-Target, the control plane by path, else S3."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Protocol

from reference_impl.json_protocol import JsonRpcService, Response

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
    ) -> None:
        self.by_prefix = {service.target_prefix: service for service in json_services}
        self.s3 = s3
        self.control = control
        self.lock = lock

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
                return service.handle(operation, request.body, request_id)
        if request.path.startswith(CONTROL_PREFIX) and self.control is not None:
            with self.lock:
                return self.control.handle(request, request_id)
        with self.lock:
            return self.s3.handle(request, request_id)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        request_id = str(uuid.uuid4())
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:
            response = _json_error(400, "BadRequest", "Invalid Content-Length.", request_id)
        elif length > MAX_BODY_BYTES:
            response = _json_error(
                413, "RequestEntityTooLarge", "The request body is too large.", request_id
            )
        else:
            body = environ["wsgi.input"].read(length) if length else b""
            response = self.handle(_request_from_environ(environ, body))
        status = f"{response.status} {HTTPStatus(response.status).phrase}"
        headers = dict(response.headers)
        headers.setdefault("Content-Length", str(len(response.body)))  # HEAD keeps its own
        start_response(status, list(headers.items()))
        return [response.body]


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
