"""Who answers at an endpoint: the Firehose API or something else, which account, which server.

The endpoint target asks once, when it is made:

- ``check_firehose``: a single-attempt ListDeliveryStreams must get an answer of the Firehose API:
  the document its model defines (``DeliveryStreamNames``, ``HasMoreDeliveryStreams``) or an AWS
  error (a code, even with a 5xx, which the scenarios then judge). A refused connection, a bare
  HTTP status, an HTML page or any other JSON (a health page such as LocalStack's
  ``/_localstack/health`` given as the URL) is a ValueError (``Unreachable`` when nothing
  answers): one line, exit 2.
- ``caller_account``: STS GetCallerIdentity's account, or None where STS is not offered.
- ``describe_server``: what the server says it is, where it says: its ``Server`` header,
  LocalStack's ``GET /_localstack/health`` (``version``, ``edition``), moto's
  ``GET /moto-api/data.json``. (A reference server says it at ``/_reference/health``, which the
  control plane reads.)
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from firehose_conformance.aws_clients import EMULATOR_TIMEOUTS

PROBE_TIMEOUT_SECONDS = 5.0
ACCOUNT_ID = re.compile(r"\d{12}")
HTML_PAGE = re.compile(r"<(?:!doctype|html)\b.*", re.IGNORECASE | re.DOTALL)
HTML_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class Unreachable(ValueError):
    """Nothing answers at the URL (refused, dropped, timed out)."""


def check_firehose(client: Any, url: str) -> Mapping[str, str]:
    """The HTTP headers of an answer of the Firehose API at ``url``; ValueError, in one line,
    when nothing answers there or something that is not the Firehose API does."""
    not_firehose = f"the endpoint {url} does not answer as the Firehose API"
    try:
        answer = client.list_delivery_streams(Limit=1)
    except ClientError as error:
        # An AWS error (a code, even for a 5xx) is an answer: the scenarios judge it. A bare
        # status, whose code botocore had to make up from it, is some other web server.
        code = str(error.response.get("Error", {}).get("Code", ""))
        if not code or code.isdigit():
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
            raise ValueError(
                f"{not_firehose} (ListDeliveryStreams got HTTP {status} without an AWS error)"
            ) from None
        return _headers(error.response)
    except (ConnectionError, ConnectionClosedError, ReadTimeoutError) as error:
        raise Unreachable(f"cannot reach the endpoint {url}: {cause(error)}") from None
    except ResponseParserError as error:
        raise ValueError(f"{not_firehose}: {tidy(str(error))[:200]}") from None
    if not isinstance(answer.get("DeliveryStreamNames"), list) or not isinstance(
        answer.get("HasMoreDeliveryStreams"), bool
    ):
        headers = _headers(answer)
        status = answer.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
        kind = headers.get("content-type", "no Content-Type")
        raise ValueError(
            f"{not_firehose} (ListDeliveryStreams got HTTP {status}, {kind}, without "
            "DeliveryStreamNames: is the URL a page of the server rather than its API root?)"
        )
    return _headers(answer)


def caller_account(sts: Any) -> str | None:
    """The account STS GetCallerIdentity names, or None when the endpoint offers no STS (an
    error, an unparsable answer, no 12-digit account)."""
    try:
        answer = sts.get_caller_identity()
    except (ClientError, BotoCoreError, ResponseParserError):
        return None
    account = str(answer.get("Account", ""))
    return account if ACCOUNT_ID.fullmatch(account) else None


def describe_server(url: str, headers: Mapping[str, str]) -> dict[str, str]:
    """``implementation`` (e.g. "LocalStack 2026.3.0 (community)", "moto server") and
    ``server`` (the ``Server`` header), for what the server says; {} when it says nothing."""
    found: dict[str, str] = {}
    if headers.get("server"):
        found["server"] = headers["server"]
    base = url.rstrip("/")
    health = _get_json(f"{base}/_localstack/health")
    if isinstance(health, dict) and isinstance(health.get("version"), str):
        edition = health.get("edition")
        # A LocalStack run on the host (not its Docker image) has no edition marker file and
        # says "unknown" (localstack/utils/analytics/metadata.py): that says nothing.
        said = isinstance(edition, str) and edition not in ("", "unknown")
        suffix = f" ({edition})" if said else ""
        found["implementation"] = f"LocalStack {health['version']}{suffix}"
    elif isinstance(_get_json(f"{base}/moto-api/data.json"), dict):
        found["implementation"] = "moto server"
    return found


def _headers(response: Mapping[str, Any]) -> dict[str, str]:
    raw = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
    return {str(k).lower(): str(v) for k, v in raw.items()}


def _get_json(url: str) -> Any:
    """The JSON document at ``url`` (GET), or None for anything else (an error, not JSON)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT_SECONDS) as response:
            if response.status != 200:
                return None
            return json.loads(response.read(1 << 20))
    except (urllib.error.URLError, OSError, ValueError):
        return None


def cause(error: BaseException) -> str:
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


def tidy(message: str) -> str:
    """One line: an HTML error page becomes its title, whitespace runs become one space."""

    def title(match: re.Match[str]) -> str:
        found = HTML_TITLE.search(match.group(0))
        return f"an HTML page titled {found.group(1).strip()!r}" if found else "an HTML page"

    return " ".join(HTML_PAGE.sub(title, message).split())
