"""The fate of every accepted record: pending, delivered or discarded, exactly one at a time.

White-box bookkeeping for property tests ("every accepted record is delivered, still pending, or
discarded for a documented reason; never lost, never counted twice"). It holds no record data,
only sizes and where each record landed, so it never becomes a second copy of the data at rest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple


class Fate(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DISCARDED = "discarded"


# Read once: an enum member costs an attribute lookup on its class each time.
_PENDING = Fate.PENDING
_DELIVERED = Fate.DELIVERED


class DiscardReason(StrEnum):
    KMS_FAILURE_PAST_RETENTION = "kms-failure-past-retention"  # RET-02, RET-03
    DESTINATION_UNREACHABLE_PAST_RETENTION = "destination-unreachable-past-retention"  # RET-04
    STREAM_DELETED = "stream-deleted"  # BC-FH Delete: "Deletes a Firehose stream and its data."


class Location(NamedTuple):
    """Where a delivered record's bytes are: ``body[offset:offset + size]`` of that object.

    Immutable; a named tuple rather than a frozen dataclass because one is made per delivered
    record, and a tuple is several times cheaper to make."""

    bucket: str
    key: str
    offset: int


# ``Location(bucket, key, offset)`` without the Python frame of a named tuple's ``__new__``.
_location = tuple.__new__


@dataclass(slots=True)
class RecordFate:
    record_id: str
    ingested_at: float
    encrypted: bool  # the Encrypted flag returned for the put (False for Kinesis-sourced records)
    size: int
    state: Fate = Fate.PENDING
    reason: DiscardReason | None = None
    resolved_at: float | None = None
    location: Location | None = None


class Ledger:
    """All record fates of one stream name, kept after the stream is deleted."""

    def __init__(self) -> None:
        self.fates: dict[str, RecordFate] = {}
        self.counts: Counter[Fate] = Counter()

    def accept(self, record_id: str, ingested_at: float, encrypted: bool, size: int) -> None:
        if record_id in self.fates:
            raise RuntimeError(f"record {record_id} accepted twice")
        self.fates[record_id] = RecordFate(record_id, ingested_at, encrypted, size)
        self.counts[Fate.PENDING] += 1

    def _resolve(self, record_id: str, state: Fate, now: float) -> RecordFate:
        fate = self.fates[record_id]
        if fate.state is not Fate.PENDING:
            raise RuntimeError(f"record {record_id} resolved twice ({fate.state} then {state})")
        fate.state = state
        fate.resolved_at = now
        self.counts[Fate.PENDING] -= 1
        self.counts[state] += 1
        return fate

    def deliver(self, record_id: str, now: float, location: Location) -> None:
        self._resolve(record_id, Fate.DELIVERED, now).location = location

    def deliver_object(
        self, records: Iterable[tuple[Any, bytes]], now: float, bucket: str, key: str
    ) -> None:
        """``deliver`` for every record of one object, given as (record, its data) in the order
        of their bytes in the body (a record has ``record_id``): the same fates, without a call
        per record."""
        fates, pending, delivered = self.fates, _PENDING, _DELIVERED
        offset = count = 0
        for record, data in records:
            record_id = record.record_id
            fate = fates[record_id]
            if fate.state is not pending:
                raise RuntimeError(
                    f"record {record_id} resolved twice ({fate.state} then {delivered})"
                )
            fate.state = delivered
            fate.resolved_at = now
            fate.location = _location(Location, (bucket, key, offset))
            offset += len(data)
            count += 1
        self.counts[pending] -= count
        self.counts[delivered] += count

    def discard(self, record_id: str, now: float, reason: DiscardReason) -> None:
        self._resolve(record_id, Fate.DISCARDED, now).reason = reason

    def summary(self) -> dict[str, int]:
        return {fate.value: self.counts[fate] for fate in Fate}
