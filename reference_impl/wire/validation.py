"""Server-side input validation driven by the vendored service models (reference_impl.aws_models).

botocore checks only required members, types and minimum lengths on the client side; patterns,
enums and maximum lengths reach the service (AMB-21). AWS front-ends answer those with the
framework ``ValidationException`` and a "1 validation error detected: ..." message, and type
mismatches with ``SerializationException``. We answer the same way, so any SDK sees AWS's errors.
"""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass
from typing import Any

import regex
from botocore.model import Shape, StructureShape

from reference_impl.errors import serialization_error, validation_error

_PATTERNS: dict[str, regex.Pattern[str]] = {}


def _pattern(expr: str) -> regex.Pattern[str]:
    compiled = _PATTERNS.get(expr)
    if compiled is None:
        compiled = _PATTERNS[expr] = regex.compile(expr)
    return compiled


def _path_name(member: str) -> str:
    """AWS names members in validation messages in lowerCamelCase."""
    return member[:1].lower() + member[1:]


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 256 else text[:256] + "..."


@dataclass
class _Collector:
    problems: list[str]

    def add(self, value: Any, path: str, constraint: str) -> None:
        shown = "null" if value is None else f"'{_show(value)}'"
        self.problems.append(
            f"Value {shown} at '{path}' failed to satisfy constraint: Member must {constraint}"
        )


def validate_input(shape: StructureShape | None, params: Any) -> dict[str, Any]:
    """Check ``params`` (decoded JSON) against the operation's input shape; return them decoded.

    Blobs arrive base64-encoded in AWS JSON and are returned as bytes. Raises ``AwsError``.
    """
    if shape is None:
        return {} if params in (None, {}) else dict(params)
    if not isinstance(params, dict):
        raise serialization_error("Start of structure or map found where not expected.")
    collector = _Collector([])
    decoded = _structure(shape, params, "", collector)
    if collector.problems:
        count = len(collector.problems)
        noun = "error" if count == 1 else "errors"
        raise validation_error(
            f"{count} validation {noun} detected: " + "; ".join(collector.problems)
        )
    return decoded


def _structure(shape: StructureShape, value: dict[str, Any], path: str, c: _Collector) -> dict:
    out: dict[str, Any] = {}
    for name in shape.required_members:
        if value.get(name) is None:
            c.add(None, _join(path, name), "not be null")
    for name, item in value.items():
        member = shape.members.get(name)
        if member is None or item is None:
            continue  # AWS JSON ignores unknown members
        out[name] = _value(member, item, _join(path, name), c)
    return out


def _join(path: str, name: str) -> str:
    return f"{path}.{_path_name(name)}" if path else _path_name(name)


def _value(shape: Shape, value: Any, path: str, c: _Collector) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise serialization_error(f"Expected an object at '{path}'.")
        return _structure(shape, value, path, c)  # type: ignore[arg-type]
    if kind == "list":
        if not isinstance(value, list):
            raise serialization_error(f"Expected a list at '{path}'.")
        _length(shape, value, len(value), path, c)
        return [_value(shape.member, v, f"{path}.{i + 1}.member", c) for i, v in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise serialization_error(f"Expected a map at '{path}'.")
        _length(shape, value, len(value), path, c)
        return {
            _value(shape.key, k, path, c): _value(shape.value, v, f"{path}.{k}", c)
            for k, v in value.items()
        }
    if kind == "string":
        if not isinstance(value, str):
            raise serialization_error(f"Expected a string at '{path}'.")
        if not value.isascii() and not _encodable(value):
            raise serialization_error(f"Invalid UTF-16 surrogate in the string at '{path}'.")
        _length(shape, value, len(value), path, c)
        enum = shape.enum
        if enum and value not in enum:
            c.add(value, path, f"satisfy enum value set: [{', '.join(enum)}]")
        pattern = shape.metadata.get("pattern")
        if pattern and not _pattern(pattern).fullmatch(value):
            c.add(value, path, f"satisfy regular expression pattern: {pattern}")
        return value
    if kind == "blob":
        if not isinstance(value, str):
            raise serialization_error(f"Expected a base64 string at '{path}'.")
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serialization_error(f"Invalid base64 at '{path}'.") from None
        _length(shape, data, len(data), path, c)
        return data
    if kind == "boolean":
        if not isinstance(value, bool):
            raise serialization_error(f"Expected a boolean at '{path}'.")
        return value
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise serialization_error(f"Expected an integer at '{path}'.")
        _range(shape, value, path, c)
        return value
    if kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise serialization_error(f"Expected a number at '{path}'.")
        if not _finite(value):
            raise serialization_error(f"Expected a finite number at '{path}'.")
        _range(shape, value, path, c)
        return float(value)
    if kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise serialization_error(f"Expected a timestamp at '{path}'.")
        return _timestamp(value, path)
    return value


def _finite(value: float) -> bool:
    """False for NaN, the infinities, and integers past a double's range (10**400 in JSON)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _encodable(text: str) -> bool:
    """False for a lone surrogate (JSON "\\ud800"), which no UTF-8 service can carry on."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _timestamp(value: float | str, path: str) -> float:
    if isinstance(value, int | float):
        if not _finite(value):
            raise serialization_error(f"Invalid timestamp at '{path}'.")
        return float(value)
    from datetime import datetime

    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise serialization_error(f"Invalid timestamp at '{path}'.") from None


def _length(shape: Shape, value: Any, length: int, path: str, c: _Collector) -> None:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is not None and length < low:
        c.add(value, path, f"have length greater than or equal to {low}")
    if high is not None and length > high:
        c.add(
            value if not isinstance(value, bytes | list | dict) else f"<{length} items>",
            path,
            f"have length less than or equal to {high}",
        )


def _range(shape: Shape, value: float, path: str, c: _Collector) -> None:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is not None and value < low:
        c.add(value, path, f"have value greater than or equal to {low}")
    if high is not None and value > high:
        c.add(value, path, f"have value less than or equal to {high}")
