"""A request and a response as the services see them, in process and over HTTP alike."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes = b""


def json_error(status: int, code: str, message: str, request_id: str) -> Response:
    """An AWS JSON error answered before any service is reached (no route, unreadable body)."""
    body = json.dumps({"__type": code, "message": message}).encode()
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "x-amzn-RequestId": request_id,
        "x-amzn-ErrorType": code,
    }
    return Response(status, headers, body)
