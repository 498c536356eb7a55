"""Shard iterators and ListShards tokens: opaque strings that carry their own position.

BC-KDS: "A shard iterator expires 5 minutes after it is returned to the requester"; ListShards
"Tokens expire after 300 seconds". Both are self-describing, so the model keeps no table of them.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from reference_impl.errors import AwsError

ITERATOR_LIFETIME = 300.0
TOKEN_LIFETIME = 300.0


def _encode(payload: list[object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def _decode(token: str) -> object:
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError):
        return None


@dataclass(frozen=True)
class ShardIterator:
    """Read the shard's records whose counter is greater than ``after``."""

    incarnation: str
    stream_name: str
    shard_index: int
    after: int
    issued: float

    def encode(self) -> str:
        return _encode(
            ["it", self.incarnation, self.stream_name, self.shard_index, self.after, self.issued]
        )

    @classmethod
    def decode(cls, token: str, now: float) -> ShardIterator:
        payload = _decode(token)
        if not (
            isinstance(payload, list)
            and len(payload) == 6
            and payload[0] == "it"
            and isinstance(payload[1], str)
            and isinstance(payload[2], str)
            and isinstance(payload[3], int)
            and isinstance(payload[4], int)
            and isinstance(payload[5], int | float)
        ):
            raise AwsError("InvalidArgumentException", f"Invalid ShardIterator: {token[:128]}")
        iterator = cls(payload[1], payload[2], payload[3], payload[4], float(payload[5]))
        if now - iterator.issued > ITERATOR_LIFETIME:
            raise AwsError(
                "ExpiredIteratorException",
                f"Iterator expired. The iterator was created at time {iterator.issued * 1000:.0f} "
                f"while right now it is {now * 1000:.0f} which is further in the future than the "
                f"tolerated delay of {ITERATOR_LIFETIME * 1000:.0f} milliseconds.",
            )
        return iterator


@dataclass(frozen=True)
class ListShardsToken:
    stream_name: str
    after_shard: int
    max_results: int
    issued: float

    def encode(self) -> str:
        return _encode(["ls", self.stream_name, self.after_shard, self.max_results, self.issued])

    @classmethod
    def decode(cls, token: str, now: float) -> ListShardsToken:
        payload = _decode(token)
        if not (
            isinstance(payload, list)
            and len(payload) == 5
            and payload[0] == "ls"
            and isinstance(payload[1], str)
            and isinstance(payload[2], int)
            and isinstance(payload[3], int)
            and isinstance(payload[4], int | float)
        ):
            raise AwsError("InvalidArgumentException", "Invalid NextToken.")
        parsed = cls(payload[1], payload[2], payload[3], float(payload[4]))
        if now - parsed.issued > TOKEN_LIFETIME:
            raise AwsError("ExpiredNextTokenException", "The NextToken has expired.")
        return parsed
