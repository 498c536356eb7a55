"""Limit/Marker paging for the List* operations.

A marker names the creation sequence number of the first item of the next page, so paging stays
correct when items are added or removed between pages. KMS "might return fewer" items than the
Limit asks for, so a Limit above an operation's documented maximum is clamped, not refused.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from reference_impl.kms import faults

T = TypeVar("T")
_PREFIX = "rkms-page:"


def _encode(position: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{position}".encode()).decode("ascii")


def _decode(marker: str) -> int:
    try:
        text = base64.urlsafe_b64decode(marker.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        raise faults.invalid_marker() from None
    if not text.startswith(_PREFIX) or not text[len(_PREFIX) :].isdigit():
        raise faults.invalid_marker()
    return int(text[len(_PREFIX) :])


def paginate(
    items: Sequence[T],
    position: Callable[[T], int],
    *,
    limit: int | None,
    marker: str | None,
    default: int,
    maximum: int,
) -> tuple[list[T], str | None]:
    """``items`` sorted by ``position``; returns the page and the NextMarker (None if last)."""
    start = _decode(marker) if marker else 0
    remaining = [item for item in items if position(item) >= start]
    size = min(limit or default, maximum)
    page, rest = remaining[:size], remaining[size:]
    return page, (_encode(position(rest[0])) if rest else None)


def page_output(name: str, page: list[dict], next_marker: str | None) -> dict:
    out: dict = {name: page, "Truncated": next_marker is not None}
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out
