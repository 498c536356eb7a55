"""Virtual time: the only source of "now" in the reference, so 24 hours take milliseconds."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

log = logging.getLogger(__name__)

# A fixed instant after 2026-04-20, so the dated SSE-CMK rules (PUT-03) apply to new streams.
DEFAULT_START = datetime(2026, 11, 1, tzinfo=UTC)


class ClockMode(StrEnum):
    """MANUAL: time moves only when advanced (in process, and ``serve --clock manual``).
    REAL: time follows the wall clock (``serve --clock real``)."""

    MANUAL = "manual"
    REAL = "real"


@dataclass(order=True, slots=True)
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
        # A heap of (when, seq, timer): tuples compare in C, a timer's own ordering in Python
        # (ties cannot reach the timer: every seq is unique).
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        """Seconds since the epoch, as a float."""
        return self._now

    def now_datetime(self) -> datetime:
        return datetime.fromtimestamp(self._now, tz=UTC)

    def call_at(self, when: float, callback: Callable[[], None], label: str = "") -> Timer:
        when = max(when, self._now)
        seq = next(self._seq)
        timer = Timer(when, seq, callback, label)
        heapq.heappush(self._heap, (when, seq, timer))
        return timer

    def call_later(self, delay: float, callback: Callable[[], None], label: str = "") -> Timer:
        return self.call_at(self._now + delay, callback, label)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"time cannot go backwards ({seconds} s)")
        self._run_until(self._now + seconds)

    def next_due(self) -> float | None:
        """When the next live timer is due, or None if nothing is scheduled."""
        heap = self._heap
        while heap and heap[0][2].cancelled:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def scheduled(self) -> list[Timer]:
        """The live timers, in the order they will run."""
        return [timer for _, _, timer in sorted(self._heap) if not timer.cancelled]

    def _run_until(self, target: float) -> None:
        heap, pop = self._heap, heapq.heappop
        while heap and heap[0][0] <= target:
            when, _, timer = pop(heap)
            if timer.cancelled:
                continue
            if when > self._now:
                self._now = when
            timer.callback()
        if target > self._now:
            self._now = target


class ClockNotControllable(RuntimeError):
    """Raised by ``RealClock.advance``: a clock that follows wall time cannot be moved by hand."""


class RealClock(VirtualClock):
    """A VirtualClock that follows wall time, for the reference served over HTTP (``--clock real``).

    It keeps every rule of the virtual clock (timers run in due order, each seeing ``now()`` equal
    to its due time; time never goes backwards) because it is one: ``sync()`` advances it to the
    wall-clock instant, running what fell due. The server calls ``sync()`` before each request,
    so a request never sees a state older than its own instant, and a background thread calls it
    when the next timer falls due between requests. Both run under the owner's lock. Wall time is
    read from the monotonic clock, so an adjustment of the system clock never moves it back.
    """

    # The runner also wakes this often when nothing is scheduled (a cheap safety net).
    IDLE_SECONDS = 1.0

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__(start or datetime.now(tz=UTC))
        self._origin = self._now
        self._monotonic_origin = time.monotonic()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._runner: threading.Thread | None = None

    def wall_now(self) -> float:
        return self._origin + (time.monotonic() - self._monotonic_origin)

    def call_at(self, when: float, callback: Callable[[], None], label: str = "") -> Timer:
        timer = super().call_at(when, callback, label)
        self._wake.set()  # the runner may be waiting for a later timer
        return timer

    def advance(self, seconds: float) -> None:
        raise ClockNotControllable("the clock follows wall time; it cannot be advanced")

    def sync(self) -> None:
        """Move to the wall-clock instant, running every timer due on the way.

        A timer whose callback raises is logged and dropped, never retried: one reference bug
        must not stop time for everything else.
        """
        target = self.wall_now()
        while True:
            try:
                self._run_until(target)
                return
            except Exception:
                log.exception("a timer failed on the real clock")

    # ---- the background runner ----------------------------------------------------------------
    def start(self, lock: threading.RLock) -> None:
        """Run due timers in a daemon thread, under ``lock``, until ``stop()``."""
        if self._runner is None:
            self._runner = threading.Thread(
                target=self._run, args=(lock,), name="reference-clock", daemon=True
            )
            self._runner.start()

    def stop(self) -> None:
        """Ask the runner to end; it does so without taking the lock (safe to call under it)."""
        self._stopped.set()
        self._wake.set()

    def join(self, timeout: float | None = None) -> None:
        if self._runner is not None:
            self._runner.join(timeout)

    def _run(self, lock: threading.RLock) -> None:
        while not self._stopped.is_set():
            self._wake.clear()
            with lock:
                if self._stopped.is_set():
                    return
                self.sync()
                due = self.next_due()
            wait = self.IDLE_SECONDS if due is None else due - self.wall_now()
            self._wake.wait(min(max(wait, 0.0), self.IDLE_SECONDS))
