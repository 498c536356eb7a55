"""A Kinesis data stream: its shards, its records as stored at rest, and its SSE state."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum

from reference_impl.clock import Timer


class StreamStatus(StrEnum):
    CREATING = "CREATING"
    DELETING = "DELETING"
    ACTIVE = "ACTIVE"
    UPDATING = "UPDATING"


class EncryptionType(StrEnum):
    NONE = "NONE"
    KMS = "KMS"


class StreamMode(StrEnum):
    PROVISIONED = "PROVISIONED"
    ON_DEMAND = "ON_DEMAND"


class RecordDistribution(StrEnum):
    """``RecordDistributionStrategy``: who picks a record's shard."""

    USER_PARTITION_KEY = "USER_PARTITION_KEY"  # the producer's partition key (the default)
    AUTO = "AUTO"  # the service, ignoring PartitionKey and ExplicitHashKey (on-demand only)


@dataclass(frozen=True)
class Envelope:
    """How one encrypted record is sealed: its data key wrapped by KMS, and the AES-GCM nonce."""

    wrapped_key: bytes
    key_arn: str
    nonce: bytes


@dataclass
class StoredRecord:
    """A record as the stream holds it at rest: ``blob`` is ciphertext iff ``envelope`` is set."""

    counter: int
    sequence_number: str
    partition_key: str | None  # None: written without one to an AUTO stream
    arrival: float
    blob: bytes
    envelope: Envelope | None = None

    @property
    def encryption_type(self) -> EncryptionType:
        return EncryptionType.NONE if self.envelope is None else EncryptionType.KMS

    def at_rest(self) -> bytes:
        """Every byte held for this record: wrapped data key, nonce and ciphertext, or plaintext."""
        if self.envelope is None:
            return self.blob
        return self.envelope.wrapped_key + self.envelope.nonce + self.blob


@dataclass(frozen=True)
class KinesisRecord:
    """A decrypted record as a consumer (Firehose's Kinesis-source reader) receives it."""

    data: bytes
    sequence_number: str
    arrival: float
    partition_key: str | None
    encryption_type: EncryptionType = EncryptionType.NONE


@dataclass(eq=False)
class Shard:
    shard_id: str
    index: int
    starting_hash_key: int
    ending_hash_key: int
    starting_sequence_number: str
    records: list[StoredRecord] = field(default_factory=list)

    def owns(self, hash_key: int) -> bool:
        return self.starting_hash_key <= hash_key <= self.ending_hash_key


@dataclass(eq=False)
class Stream:
    name: str
    arn: str
    incarnation: str  # tells a re-created stream of the same name from the old one
    created: float
    mode: StreamMode
    shards: list[Shard]
    max_record_kib: int = 1024
    distribution: RecordDistribution = RecordDistribution.USER_PARTITION_KEY
    # AUTO: the index (modulo the shard count) of the shard the next record goes to.
    next_auto_shard: int = 0
    status: StreamStatus = StreamStatus.CREATING
    retention_hours: int = 24
    # What Describe shows: the requested encryption and the KeyId exactly as the caller gave it.
    encryption_type: EncryptionType = EncryptionType.NONE
    key_id: str | None = None
    # What new records are encrypted under right now (None: stored in plaintext). It follows
    # ``key_id`` only once an SSE transition has completed (SRC-04, SRC-05).
    effective_key: str | None = None
    # SRC-04: successful key applications / disables within the rolling 24 hours.
    key_applications: deque[float] = field(default_factory=deque)
    disables: deque[float] = field(default_factory=deque)
    # Per consumer name: the counter of the last record handed to it (read_for_consumer).
    checkpoints: dict[str, int] = field(default_factory=dict)
    last_counter: int = 0
    timers: list[Timer] = field(default_factory=list)

    @property
    def open_shard_count(self) -> int:
        return len(self.shards)

    def records_in_order(self) -> list[StoredRecord]:
        """Every record still held, in arrival order (counters increase across the stream)."""
        merged = [record for shard in self.shards for record in shard.records]
        return sorted(merged, key=lambda record: record.counter)

    def cancel_timers(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()
