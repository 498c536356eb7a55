"""AWS JSON 1.0 and 1.1: route by X-Amz-Target, validate, call the API layer, serialise."""

from __future__ import annotations

import base64
import json
import logging
from datetime import datetime
from typing import Any

from botocore import xform_name

from reference_impl.aws_models import service_model
from reference_impl.errors import AwsError, serialization_error
from reference_impl.wire.http import Response
from reference_impl.wire.throttling import RateLimiter
from reference_impl.wire.validation import validate_input

log = logging.getLogger(__name__)


def _default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"cannot serialise {type(value).__name__}")


class JsonRpcService:
    """One AWS JSON service (Firehose, KMS, Kinesis, CloudWatch) in front of its API layer."""

    def __init__(
        self,
        name: str,
        api: object,
        *,
        query_compatible: bool = False,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.model = service_model(name)
        self.limiter = limiter
        self.api = api
        self.target_prefix: str = self.model.metadata["targetPrefix"]
        self.content_type = f"application/x-amz-json-{self.model.metadata['jsonVersion']}"
        self.query_compatible = query_compatible

    def handle(self, operation: str, body: bytes, request_id: str) -> Response:
        try:
            result = self._dispatch(operation, body)
        except AwsError as error:
            return self.error_response(error, request_id)
        except Exception:  # the reference must never leak a traceback onto the wire
            log.exception("internal error in %s.%s", self.target_prefix, operation)
            return self.error_response(
                AwsError("InternalFailure", "The request processing has failed.", 500), request_id
            )
        payload = json.dumps(result, default=_default, separators=(",", ":")).encode()
        return Response(200, self._headers(request_id), payload)

    def _dispatch(self, operation: str, body: bytes) -> dict[str, Any]:
        if operation not in self.model.operation_names:
            raise AwsError("UnknownOperationException", f"Unknown operation {operation}.")
        handler = getattr(self.api, xform_name(operation), None)
        if handler is None:
            raise AwsError(
                "UnknownOperationException",
                f"The operation {operation} is not supported by this reference implementation.",
            )
        try:
            params = json.loads(body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise serialization_error("The request body is not valid JSON.") from None
        except RecursionError:
            raise serialization_error("The request body is nested too deeply.") from None
        if self.limiter is not None:
            self.limiter.check(operation)
        shape = self.model.operation_model(operation).input_shape
        return handler(validate_input(shape, params)) or {}

    def _headers(self, request_id: str) -> dict[str, str]:
        return {"Content-Type": self.content_type, "x-amzn-RequestId": request_id}

    def error_response(self, error: AwsError, request_id: str) -> Response:
        headers = self._headers(request_id)
        headers["x-amzn-ErrorType"] = error.code
        if self.query_compatible:
            headers["x-amzn-query-error"] = (
                f"{error.code};{'Sender' if error.sender_fault else 'Receiver'}"
            )
        body = json.dumps({"__type": error.code, "message": error.message}).encode()
        return Response(error.status, headers, body)
