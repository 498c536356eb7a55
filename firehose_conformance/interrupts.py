"""Stopping a command cleanly: SIGINT (Ctrl-C) and SIGTERM both become a ``KeyboardInterrupt``
in the main thread, so that whatever is running unwinds through its ``finally`` blocks (pytest
tears the scenario and the target down, the results are written with ``"interrupted": true``).

Every command that is stopped this way exits ``INTERRUPTED`` (130), whichever of the two
signals stopped it: the code says "stopped before the end, cleaned up", as the results document
does; 128 + the signal's number (143 for SIGTERM) is what a shell reports for a process the
signal *killed*, which this one was not.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

INTERRUPTED = 130
"""The exit code of a command stopped by SIGINT or SIGTERM."""


def raise_interrupt(signum: int, frame: FrameType | None) -> None:
    """A signal handler: the signal as a ``KeyboardInterrupt`` naming it."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


def signal_name(error: BaseException) -> str:
    """``SIGTERM`` for the interrupt raised on SIGTERM, else ``SIGINT`` (Ctrl-C)."""
    words = str(error).split()
    return words[0] if words and words[0].startswith("SIG") else "SIGINT"


@contextmanager
def interruptible(*, sigint: bool = True) -> Iterator[None]:
    """While inside: SIGTERM raises ``KeyboardInterrupt("SIGTERM")``, and (with ``sigint``)
    SIGINT raises ``KeyboardInterrupt`` even where the process was started with SIGINT ignored
    (a background job of a non-interactive shell). Outside the main thread, nothing changes
    (only the main thread can have signal handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, raise_interrupt)}
    if sigint:
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
