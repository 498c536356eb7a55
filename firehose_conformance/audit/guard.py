"""Read-only by construction: the audit's clients can make only the reads it needs.

Two fences, each sufficient on its own:

1. ``ReadOnlyClient`` wraps a boto3 client and exposes only the methods of permitted operations;
   any other attribute (``delete_delivery_stream``, ``put_key_policy``, ``meta``, paginators,
   waiters) raises ``WriteRefused`` at once.
2. ``fence`` registers a botocore ``before-call`` handler on the client itself, so even a call
   made on the raw client (``client._make_api_call("DeleteDeliveryStream", …)``) is refused
   before any request is built, signed or sent.

An operation is permitted when its name starts with Describe, List or Get **and** it is one of
the reads the audit makes (``AUDIT_READS``): the prefix alone would admit reads of data
(``kinesis:GetRecords``) or reads with side effects (``sts:GetSessionToken``). The IAM policy in
README is exactly ``iam_actions()``; a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

READ_PREFIXES = ("Describe", "List", "Get")
AUDIT_READS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "firehose": frozenset({"ListDeliveryStreams", "DescribeDeliveryStream"}),
        "kinesis": frozenset({"DescribeStreamSummary"}),
        "kms": frozenset({"DescribeKey", "GetKeyPolicy"}),
        "cloudwatch": frozenset({"DescribeAlarmsForMetric"}),
        # Whose credentials these are, for the report's summary; allowed to every caller.
        "sts": frozenset({"GetCallerIdentity"}),
    }
)
for _service, _operations in AUDIT_READS.items():  # the allow-list itself must be all reads
    for _operation in _operations:
        if not _operation.startswith(READ_PREFIXES):
            raise AssertionError(f"{_service}:{_operation} is in AUDIT_READS but is no read")


class WriteRefused(Exception):
    """An operation the read-only audit may not make; raised before any request exists."""


def is_permitted(service: str, operation: str) -> bool:
    return operation.startswith(READ_PREFIXES) and operation in AUDIT_READS.get(service, ())


def iam_actions() -> list[str]:
    """The IAM actions the audit needs: its whole allow-list, as ``service:Operation``."""
    return sorted(f"{service}:{op}" for service, ops in AUDIT_READS.items() for op in ops)


def _refusal(service: str, operation: str) -> WriteRefused:
    allowed = ", ".join(sorted(AUDIT_READS.get(service, ()))) or "none"
    return WriteRefused(
        f"{service}:{operation} refused: the audit is read-only "
        f"(permitted {service} operations: {allowed})"
    )


def fence(client: Any) -> Any:
    """Register the second fence on ``client`` (idempotent) and return it."""
    service = client.meta.service_model.service_name

    def refuse_writes(model: Any, **_: Any) -> None:
        if not is_permitted(service, model.name):
            raise _refusal(service, model.name)

    # First among the before-call handlers; the unique id makes a second registration a no-op.
    client.meta.events.register_first("before-call", refuse_writes, unique_id="audit-read-only")
    return client


class ReadOnlyClient:
    """A boto3 client reduced to the permitted reads of its service.

    Only the snake_case methods of permitted operations are reachable; everything else raises
    ``WriteRefused`` without touching the client. The wrapped client is fenced as well.
    ``patience`` (``reads.Patience``) says how its reads wait out throttling.
    """

    __slots__ = ("_client", "_methods", "patience", "region", "service")

    def __init__(self, client: Any, patience: Any = None) -> None:
        fence(client)
        self._client = client
        self.patience = patience
        self.service: str = client.meta.service_model.service_name
        self.region: str = client.meta.region_name
        mapping: dict[str, str] = dict(client.meta.method_to_api_mapping)
        self._methods = {
            method: op for method, op in mapping.items() if is_permitted(self.service, op)
        }

    def operation_name(self, method: str) -> str:
        """The API name of a snake_case method (``describe_key`` -> ``DescribeKey``)."""
        return self._methods.get(method) or method

    def __getattr__(self, name: str) -> Any:
        if name in ReadOnlyClient.__slots__:  # not set yet (a half-built instance)
            raise AttributeError(name)
        if name in self._methods:
            return getattr(self._client, name)
        if name.startswith("__"):  # protocol probes (copy, pickle, hasattr): no operation
            raise AttributeError(name)
        mapping = self._client.meta.method_to_api_mapping
        raise _refusal(self.service, mapping.get(name, name))

    def __repr__(self) -> str:
        return f"ReadOnlyClient({self.service}, {self.region})"
