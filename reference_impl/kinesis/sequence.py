"""Shard ids, hash key ranges and sequence numbers.

Sequence numbers are 56-digit decimals, as KDS's are: ``49``, a 46-digit counter that increases
across the whole stream (so arrival order is counter order), and the 8-digit shard index. They
increase within a shard and are unique within the stream, which is what BC-KDS promises.
"""

from __future__ import annotations

import hashlib

from reference_impl.errors import AwsError

HASH_KEY_SPACE = 2**128
_PREFIX = "49"
_COUNTER_DIGITS = 46
_SHARD_DIGITS = 8


def shard_id(index: int) -> str:
    return f"shardId-{index:012d}"


def hash_ranges(count: int) -> list[tuple[int, int]]:
    """Split the 128-bit hash key space evenly over ``count`` shards."""
    size = HASH_KEY_SPACE // count
    ranges = [(i * size, (i + 1) * size - 1) for i in range(count)]
    ranges[-1] = (ranges[-1][0], HASH_KEY_SPACE - 1)
    return ranges


def partition_hash(partition_key: str) -> int:
    """BC-KDS: "An MD5 hash function is used to map partition keys to 128-bit integer values"."""
    digest = hashlib.md5(partition_key.encode("utf-8"), usedforsecurity=False).digest()
    return int.from_bytes(digest)


def explicit_hash(value: str) -> int:
    number = int(value)
    if not 0 <= number < HASH_KEY_SPACE:
        raise AwsError(
            "InvalidArgumentException",
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            f"Specified value was {value}",
        )
    return number


def sequence_number(counter: int, shard_index: int) -> str:
    return f"{_PREFIX}{counter:0{_COUNTER_DIGITS}d}{shard_index:0{_SHARD_DIGITS}d}"


def parse_sequence_number(value: str) -> tuple[int, int] | None:
    """(counter, shard index) of a sequence number this reference issued, else None."""
    if len(value) != len(_PREFIX) + _COUNTER_DIGITS + _SHARD_DIGITS or not value.isdigit():
        return None
    if not value.startswith(_PREFIX):
        return None
    return int(value[len(_PREFIX) : -_SHARD_DIGITS]), int(value[-_SHARD_DIGITS:])
