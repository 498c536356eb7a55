"""The part of the AWS models the reference implementation serves: its operations and their shapes.

The JSON services of the reference dispatch an operation to the method of the same name in
snake case on their API class (``reference_impl.json_protocol``), so the operations it
implements are read off those classes. S3 (a REST stand-in for the destination, routed by path
and method) and STS (not served) have no such table and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from botocore import xform_name

from reference_impl.cloudwatch.api import CloudWatchApi
from reference_impl.firehose.api import FirehoseApi
from reference_impl.kinesis.api import KinesisApi
from reference_impl.kms.api import KmsApi

__all__ = ["API_CLASSES", "implemented_operations", "reachable_shapes"]

API_CLASSES: dict[str, type] = {
    "firehose": FirehoseApi,
    "kms": KmsApi,
    "kinesis": KinesisApi,
    "cloudwatch": CloudWatchApi,
}
"""The reference's API class of each service whose operations it dispatches by name."""


def implemented_operations(service: str, model: Mapping[str, Any]) -> tuple[str, ...]:
    """The operations of ``model`` that the reference implements for ``service``, sorted."""
    api = API_CLASSES.get(service)
    if api is None:
        return ()
    return tuple(sorted(op for op in model.get("operations", {}) if hasattr(api, xform_name(op))))


def reachable_shapes(model: Mapping[str, Any], operations: Iterable[str]) -> frozenset[str]:
    """Every shape reachable from the operations' input, output and errors."""
    shapes = model.get("shapes", {})
    pending: list[str] = []
    for name in operations:
        operation = model.get("operations", {}).get(name, {})
        pending += [operation[k]["shape"] for k in ("input", "output") if k in operation]
        pending += [error["shape"] for error in operation.get("errors", [])]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen or name not in shapes:
            continue
        seen.add(name)
        shape = shapes[name]
        pending += [member["shape"] for member in shape.get("members", {}).values()]
        pending += [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
    return frozenset(seen)
