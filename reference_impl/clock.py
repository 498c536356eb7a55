"""Virtual time: the only source of "now" in the reference, so 24 hours take milliseconds."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

# A fixed instant after 2026-04-20, so the dated SSE-CMK rules (PUT-03) apply to new streams.
DEFAULT_START = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(order=True)
class Timer:
    """A callback due at a virtual instant; ``cancel()`` makes it a no-op."""

    when: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    label: str = field(default="", compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class VirtualClock:
    """A clock that moves only when told to, running every timer that falls due on the way.

    Timers run in order of their due time (ties in the order they were set), with ``now()``
    equal to their due time, so a callback sees the instant it was scheduled for and may set
    further timers that also run within the same ``advance``.
    """

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        self._now = start.timestamp()
        self._timers: list[Timer] = []
        self._seq = itertools.count()

    def now(self) -> float:
        """Seconds since the epoch, as a float."""
        return self._now

    def now_datetime(self) -> datetime:
        return datetime.fromtimestamp(self._now, tz=UTC)

    def call_at(self, when: float, callback: Callable[[], None], label: str = "") -> Timer:
        timer = Timer(max(when, self._now), next(self._seq), callback, label)
        heapq.heappush(self._timers, timer)
        return timer

    def call_later(self, delay: float, callback: Callable[[], None], label: str = "") -> Timer:
        return self.call_at(self._now + delay, callback, label)

    def run_due(self) -> None:
        """Run timers already due at the current instant (e.g. ones set with a zero delay)."""
        self._run_until(self._now)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"time cannot go backwards ({seconds} s)")
        self._run_until(self._now + seconds)

    def next_due(self) -> float | None:
        """When the next live timer is due, or None if nothing is scheduled."""
        while self._timers and self._timers[0].cancelled:
            heapq.heappop(self._timers)
        return self._timers[0].when if self._timers else None

    def _run_until(self, target: float) -> None:
        while self._timers and self._timers[0].when <= target:
            timer = heapq.heappop(self._timers)
            if timer.cancelled:
                continue
            self._now = max(self._now, timer.when)
            timer.callback()
        self._now = max(self._now, target)
