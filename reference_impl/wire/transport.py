"""In-process transport: botocore's serialised request goes to the app without a socket.

A ``before-send`` handler returns the app's answer as an ``AWSResponse``, so botocore parses
it, errors included, exactly as it would an HTTP response from AWS.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any, Protocol
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from reference_impl.wire.http import Request
from reference_impl.wire.routing import ReferenceApp


class _HasApp(Protocol):
    app: ReferenceApp


class _RawBody(BytesIO):
    """What botocore reads a response body from (``stream`` is used for streaming bodies)."""

    def stream(self, **_: Any) -> Any:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def _text(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


class InProcessTransport:
    """Hands each request to ``owner.app``, read per request so the owner may rebuild its app.

    ``account_id``: every request acts in that account, signed or not (a client bound to an
    account); None: the account its credentials select.
    """

    def __init__(self, owner: _HasApp, account_id: str | None = None) -> None:
        self.owner = owner
        self.account_id = account_id

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        url = urlsplit(request.url)
        body = request.body
        if body is None:
            body = b""
        elif hasattr(body, "read"):
            body = body.read()
        elif isinstance(body, str):
            body = body.encode("utf-8")
        headers = {_text(k).lower(): _text(v) for k, v in request.headers.items()}
        response = self.owner.app.handle(
            Request(request.method, url.path or "/", url.query, headers, bytes(body)),
            self.account_id,
        )
        return AWSResponse(request.url, response.status, response.headers, _RawBody(response.body))
