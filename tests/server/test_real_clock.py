"""RealClock: a VirtualClock that follows wall time, its timers run by a background thread."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from reference_impl.clock import ClockMode, ClockNotControllable, RealClock, VirtualClock
from reference_impl.cloud import ReferenceCloud


def _wait(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_time_follows_the_wall_clock_and_cannot_be_advanced() -> None:
    clock = RealClock()
    assert isinstance(clock, VirtualClock)
    assert abs(clock.wall_now() - time.time()) < 1
    before = clock.now()
    time.sleep(0.02)
    clock.sync()
    assert clock.now() >= before + 0.02
    with pytest.raises(ClockNotControllable):
        clock.advance(1)


def test_start_instant_may_be_given() -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    clock = RealClock(start)
    assert clock.now() == start.timestamp()
    assert clock.wall_now() >= start.timestamp()


def test_the_runner_runs_timers_in_order_at_their_due_instant() -> None:
    lock = threading.RLock()
    clock = RealClock()
    seen: list[tuple[str, float]] = []
    with lock:
        base = clock.now()
        clock.call_later(0.15, lambda: seen.append(("b", clock.now())))
        clock.call_later(0.05, lambda: seen.append(("a", clock.now())))
    clock.start(lock)
    try:
        assert _wait(lambda: len(seen) == 2)
    finally:
        clock.stop()
        clock.join(2)
    assert [name for name, _ in seen] == ["a", "b"]
    assert seen[0][1] == pytest.approx(base + 0.05)
    assert seen[1][1] == pytest.approx(base + 0.15)


def test_a_failing_timer_is_logged_and_does_not_stop_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = RealClock()
    ran: list[str] = []

    def boom() -> None:
        raise RuntimeError("boom")

    clock.call_later(0, boom)
    clock.call_later(0, lambda: ran.append("after"))
    clock.sync()
    assert ran == ["after"]
    assert "a timer failed" in caplog.text


def test_cloud_on_the_real_clock_reset_replaces_the_runner() -> None:
    cloud = ReferenceCloud(clock_mode=ClockMode.REAL)
    try:
        first = cloud.clock
        assert isinstance(first, RealClock)
        cloud.reset()
        assert cloud.clock is not first
        first.join(2)
        assert first._runner is not None and not first._runner.is_alive()
        with pytest.raises(ClockNotControllable):
            cloud.advance(1)
    finally:
        cloud.close()
    assert not cloud.clock._runner.is_alive()  # type: ignore[attr-defined]


def test_in_process_default_is_unchanged() -> None:
    cloud = ReferenceCloud()
    assert type(cloud.clock) is VirtualClock
    assert cloud.clock_mode is ClockMode.MANUAL
    assert cloud.app.tick is None
    cloud.close()  # a no-op on the manual clock
