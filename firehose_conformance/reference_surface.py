"""The part of the AWS models the reference implementation serves: its operations and their shapes.

The reference says which operations of its model snapshot it serves
(``reference_impl.implemented_operations``); S3 (a REST stand-in for the destination, routed by
path and method) and STS (not served) have none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import reference_impl

__all__ = ["implemented_operations", "reachable_shapes"]


def implemented_operations(service: str, model: Mapping[str, Any]) -> tuple[str, ...]:
    """The operations of ``model`` that the reference implements for ``service``, sorted."""
    served = reference_impl.implemented_operations(service)
    return tuple(sorted(op for op in model.get("operations", {}) if op in served))


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
