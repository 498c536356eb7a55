"""The WSGI side of the app (the HTTP server): read a body within bounds, answer, log a line.

The in-process transport never comes here: it hands ``Request`` objects to the app directly.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, Protocol

from reference_impl.wire.http import Request, Response, json_error

log = logging.getLogger(__name__)
# One line per request served over HTTP (the in-process transport calls ``handle`` directly).
access_log = logging.getLogger("reference_impl.access")

# Larger than any documented request (a PutRecordBatch is at most 4 MiB of data, ~5.4 MiB in
# base64), small enough that a hostile body cannot exhaust memory.
MAX_BODY_BYTES = 16 * 1024 * 1024


class Handler(Protocol):
    def handle(self, request: Request) -> Response: ...


def answer(
    app: Handler, environ: dict[str, Any], start_response: Callable[..., Any]
) -> list[bytes]:
    """Answer one WSGI request with ``app``: read the body within bounds, answer, log."""
    started = time.perf_counter()
    request_id = str(uuid.uuid4())
    try:
        response = _respond(app, environ, request_id)
    except Exception:  # a bug, not bad input: still an AWS-shaped answer, and logged
        log.exception("internal error serving %s", environ.get("PATH_INFO", "/"))
        response = json_error(500, "InternalFailure", "The server failed.", request_id)
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


def _respond(app: Handler, environ: dict[str, Any], request_id: str) -> Response:
    # Transfer-Encoding: chunked (which overrides any Content-Length), de-chunked by the
    # server into a stream that ends with the body.
    chunked = bool(environ.get("wsgi.input_terminated"))
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length < 0 and not chunked:
        return json_error(400, "BadRequest", "Invalid Content-Length.", request_id)
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
        return json_error(400, "BadRequest", "The request body could not be read.", request_id)
    if not chunked and len(body) < length:
        # S3's code for it; a body cut short must never be taken for a whole one.
        return json_error(
            400,
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header.",
            request_id,
        )
    return app.handle(_request_from_environ(environ, body))


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
    response = json_error(
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
