"""Smithy RPC v2 CBOR (``smithy.protocols#rpcv2Cbor``) in front of an AWS JSON service's API layer.

CloudWatch lists ``smithy-rpc-v2-cbor`` first among its protocols, and current AWS SDKs for Go,
Java 2.x, .NET, C++, Kotlin and Swift speak it (boto3 still picks AWS JSON). A request is
``POST /service/<service>/operation/<Operation>`` with the header ``smithy-protocol: rpc-v2-cbor``
and a CBOR map as body; the answer carries the same header, ``Content-Type: application/cbor`` and
a CBOR map; an error is a CBOR map with ``__type`` and ``message`` (plus ``x-amzn-query-error`` for
a query-compatible service, as in AWS JSON). Timestamps travel as tag 1 (epoch seconds), blobs as
byte strings.

The CBOR document is turned into the AWS JSON document the same API layer reads (blobs to base64,
tag-1 timestamps to epoch seconds), so validation, service rules and errors are those of AWS JSON;
the output is encoded along the output shape.
"""

from __future__ import annotations

import base64
import logging
import re
from datetime import UTC, datetime
from typing import Any

import cbor2
from botocore import xform_name
from botocore.model import Shape

from reference_impl.errors import AwsError, serialization_error
from reference_impl.wire.http import Response
from reference_impl.wire.json_protocol import JsonRpcService
from reference_impl.wire.validation import validate_input

log = logging.getLogger(__name__)

PROTOCOL = "smithy-rpc-v2-cbor"
PROTOCOL_HEADER = "smithy-protocol"
PROTOCOL_VALUE = "rpc-v2-cbor"
CONTENT_TYPE = "application/cbor"
PATH = re.compile(r"/service/(?P<service>[^/]+)/operation/(?P<operation>[^/]+)")
EPOCH_TAG = 1


def is_cbor_request(path: str, headers: dict[str, str]) -> re.Match[str] | None:
    """The path match when the request is RPC v2 CBOR (path and ``smithy-protocol`` header).

    The header decides: without it, ``/service/...`` is an S3 path-style key in bucket "service".
    """
    if PROTOCOL_HEADER not in headers:
        return None
    return PATH.fullmatch(path)


def supports_cbor(service: JsonRpcService) -> bool:
    return PROTOCOL in (service.model.metadata.get("protocols") or [])


class CborRpcService:
    """One AWS JSON service (its API layer and validation) answering in RPC v2 CBOR."""

    def __init__(self, service: JsonRpcService) -> None:
        self.json = service
        self.model = service.model
        # botocore (and the Smithy service shape) name the service by its target prefix.
        self.name: str = self.model.metadata["targetPrefix"]

    def handle(
        self, method: str, operation: str, headers: dict[str, str], body: bytes, request_id: str
    ) -> Response:
        try:
            return self._dispatch(method, operation, headers, body, request_id)
        except AwsError as error:
            return self.error_response(error, request_id)
        except Exception:  # never a traceback on the wire
            log.exception("internal error in %s.%s (CBOR)", self.name, operation)
            return self.error_response(
                AwsError("InternalFailure", "The request processing has failed.", 500), request_id
            )

    def _dispatch(
        self, method: str, operation: str, headers: dict[str, str], body: bytes, request_id: str
    ) -> Response:
        if method != "POST":
            raise AwsError("MethodNotAllowed", "RPC v2 requests must use POST.", 405)
        if headers.get(PROTOCOL_HEADER, "").strip().lower() != PROTOCOL_VALUE:
            raise AwsError(
                "UnsupportedProtocol", f"smithy-protocol must be {PROTOCOL_VALUE!r}.", 400
            )
        content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if body and content_type != CONTENT_TYPE:
            raise AwsError(
                "UnsupportedMediaTypeException", f"Content-Type must be {CONTENT_TYPE}.", 415
            )
        if operation not in self.model.operation_names:
            raise AwsError("UnknownOperationException", f"Unknown operation {operation}.", 404)
        handler = getattr(self.json.api, xform_name(operation), None)
        if handler is None:
            raise AwsError(
                "UnknownOperationException",
                f"The operation {operation} is not supported by this reference implementation.",
            )
        document = _decode(body)
        if self.json.limiter is not None:
            self.json.limiter.check(operation)
        operation_model = self.model.operation_model(operation)
        input_shape = operation_model.input_shape
        params = _to_json_form(input_shape, document, "") if input_shape is not None else document
        result = handler(validate_input(input_shape, params)) or {}
        output_shape = operation_model.output_shape
        headers_out = self._headers(request_id)
        if output_shape is None:
            return Response(200, headers_out, b"")
        headers_out["Content-Type"] = CONTENT_TYPE
        return Response(200, headers_out, cbor2.dumps(_encode(output_shape, result)))

    def _headers(self, request_id: str) -> dict[str, str]:
        return {PROTOCOL_HEADER: PROTOCOL_VALUE, "x-amzn-RequestId": request_id}

    def error_response(self, error: AwsError, request_id: str) -> Response:
        headers = self._headers(request_id)
        headers["Content-Type"] = CONTENT_TYPE
        if self.json.query_compatible:
            fault = "Sender" if error.sender_fault else "Receiver"
            headers["x-amzn-query-error"] = f"{error.code};{fault}"
        body = cbor2.dumps({"__type": error.code, "message": error.message})
        return Response(error.status, headers, body)


def unknown_service_response(name: str, request_id: str) -> Response:
    body = cbor2.dumps(
        {"__type": "UnknownOperationException", "message": f"Unknown service {name[:100]}."}
    )
    headers = {
        PROTOCOL_HEADER: PROTOCOL_VALUE,
        "Content-Type": CONTENT_TYPE,
        "x-amzn-RequestId": request_id,
    }
    return Response(404, headers, body)


def _decode(body: bytes) -> Any:
    """The CBOR data item of the body ({} when empty); any malformation is the sender's fault."""
    if not body:
        return {}
    try:
        return cbor2.loads(body)
    except RecursionError:
        raise serialization_error("The CBOR body is nested too deeply.") from None
    except Exception:  # CBORDecodeError, EOF, bad UTF-8, invalid tags, huge lengths, ...
        raise serialization_error("The request body is not a valid CBOR data item.") from None


def _to_json_form(shape: Shape, value: Any, path: str) -> Any:
    """The value as the AWS JSON document would carry it, following ``shape``.

    Byte strings become base64 text only where the shape is a blob and tag-1 timestamps become
    epoch seconds only where it is a timestamp; anything else of a foreign type is left as it is,
    so validation answers SerializationException for it as it would in AWS JSON.
    """
    if value is None or value is cbor2.undefined:
        return None
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members  # type: ignore[attr-defined]
        return {
            name: _to_json_form(members[name], item, f"{path}.{name}")
            for name, item in value.items()
            if isinstance(name, str) and name in members
        }
    if kind == "list" and isinstance(value, list):
        member = shape.member  # type: ignore[attr-defined]
        return [_to_json_form(member, item, path) for item in value]
    if kind == "map" and isinstance(value, dict):
        target = shape.value  # type: ignore[attr-defined]
        return {key: _to_json_form(target, item, path) for key, item in value.items()}
    if kind == "blob":
        if isinstance(value, bytes | bytearray):
            return base64.b64encode(value).decode("ascii")
        raise serialization_error(f"Expected a byte string at '{path.lstrip('.')}'.")
    if kind == "timestamp":
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise serialization_error(f"Expected a timestamp at '{path.lstrip('.')}'.")
        return value
    if kind in ("string", "integer", "long", "double", "float", "boolean"):
        return value if isinstance(value, str | int | float | bool) else _foreign(value, path)
    return value


def _foreign(value: Any, path: str) -> Any:
    raise serialization_error(
        f"Unexpected CBOR value of type {type(value).__name__} at '{path.lstrip('.')}'."
    )


def _encode(shape: Shape, value: Any) -> Any:
    """The API layer's output as CBOR wants it: tag-1 timestamps, byte strings, doubles."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members  # type: ignore[attr-defined]
        return {
            name: _encode(members[name], item) if name in members else item
            for name, item in value.items()
            if item is not None
        }
    if kind == "list" and isinstance(value, list | tuple):
        return [_encode(shape.member, item) for item in value]  # type: ignore[attr-defined]
    if kind == "map" and isinstance(value, dict):
        return {k: _encode(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    if kind == "timestamp":
        if isinstance(value, datetime):
            value = value.timestamp()
        return cbor2.CBORTag(EPOCH_TAG, float(value))
    if kind == "blob" and isinstance(value, str):
        return value.encode("utf-8")
    if kind in ("double", "float") and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value
