"""Quotas: the 25 Start/Stop calls per stream per rolling 24 h, and the streams per CMK/Region."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from reference_impl.errors import AwsError


class RollingWindow:
    """API-01: at most ``limit`` accepted calls in any ``window`` seconds.

    AMB-17 (chosen): the window is rolling, as in Kinesis's "25 times in a rolling 24-hour
    period"; only accepted calls are recorded, so a refused call never uses up the quota.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._calls: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self._calls and self._calls[0] <= now - self.window:
            self._calls.popleft()

    def check(self, now: float, stream_name: str) -> None:
        self._expire(now)
        if len(self._calls) >= self.limit:
            raise AwsError(
                "LimitExceededException",
                f"StartDeliveryStreamEncryption and StopDeliveryStreamEncryption have a combined "
                f"limit of {self.limit} calls per Firehose stream per 24 hours; Firehose stream "
                f"{stream_name} has reached it.",
            )

    def record(self, now: float) -> None:
        self._expire(now)
        self._calls.append(now)

    def used(self, now: float) -> int:
        self._expire(now)
        return len(self._calls)


def check_cmk_quota(key_arn: str, users: Iterable[str], limit: int) -> None:
    """API-02: a customer managed CMK encrypts at most ``limit`` streams (500 by default)."""
    count = sum(1 for _ in users)
    if count >= limit:
        raise AwsError(
            "LimitExceededException",
            f"KMS key {key_arn} is already used to encrypt {count} Firehose streams; a customer "
            f"managed CMK can encrypt at most {limit} Firehose streams.",
        )


def check_region_quota(count: int, limit: int, region: str) -> None:
    """API-11: "By default, you can create up to 5,000 Firehose streams per ... Region."."""
    if count >= limit:
        raise AwsError(
            "LimitExceededException",
            f"You have already created {count} Firehose streams in {region}; the limit is {limit}.",
        )
