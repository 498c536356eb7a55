"""Progress during ``run``: a live line on a terminal, plain lines in CI or when piped, or none.

A pytest plugin object that ``run`` hands to ``pytest.main``. It replaces pytest's dots (so the
two never share a line) and shows, per scenario, its number of N, its name and the time spent.
A ticker thread keeps the live line's clock moving, and in plain mode prints a "still running"
line every ``alive_every`` seconds, so a run against a slow endpoint shows it is alive.

The stream is a duplicate of the terminal's file descriptor, taken before pytest starts: while a
scenario runs pytest redirects descriptor 1 into its capture, and the ticker must write past it.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TextIO

import pytest

from firehose_conformance.verdicts import Verdict

_VERDICT_KEY = "fsc_verdict"  # set by firehose_conformance.plugin on each phase's report
_IDENTITY_KEY = "fsc_identity"


class Mode(StrEnum):
    LIVE = "live"  # one line, rewritten in place
    PLAIN = "plain"  # one line per finished scenario, and "still running" lines
    QUIET = "quiet"  # nothing


def choose_mode(*, quiet: bool, stream: TextIO, environ: Mapping[str, str] = os.environ) -> Mode:
    if quiet:
        return Mode.QUIET
    interactive = getattr(stream, "isatty", lambda: False)()
    if not interactive or environ.get("CI") or environ.get("TERM") == "dumb":
        return Mode.PLAIN
    return Mode.LIVE


def duplicate(stream: TextIO) -> tuple[TextIO, bool]:
    """A writer on a duplicate of the stream's descriptor, and whether the caller must close it.

    Streams without a descriptor (pytest's own capture, a StringIO) are used as they are.
    """
    try:
        fd = os.dup(stream.fileno())
    except (AttributeError, OSError, io.UnsupportedOperation):
        return stream, False
    encoding = getattr(stream, "encoding", None) or "utf-8"
    return open(fd, "w", encoding=encoding, errors="replace", buffering=1), True


@dataclass
class _Running:
    name: str
    started: float
    verdict: str | None = None
    alive_lines: int = 0


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """The plugin. ``clock`` and ``width`` are injectable so tests need no terminal or waiting."""

    def __init__(
        self,
        mode: Mode,
        stream: TextIO,
        *,
        owns_stream: bool = False,
        clock: Callable[[], float] = time.monotonic,
        tick: float = 0.5,
        alive_every: float = 30.0,
        width: Callable[[], int] | None = None,
    ) -> None:
        self.mode = mode
        self.stream = stream
        self.owns_stream = owns_stream
        self.clock = clock
        self.tick = tick
        self.alive_every = alive_every
        self.width = width or (lambda: shutil.get_terminal_size((100, 24)).columns)
        self.total = 0
        self.done = 0
        self.started = clock()
        self.running: dict[str, _Running] = {}
        self.current = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._live_shown = False

    @classmethod
    def for_terminal(cls, *, quiet: bool) -> Progress:
        mode = choose_mode(quiet=quiet, stream=sys.stdout)
        if mode is Mode.QUIET:
            return cls(mode, sys.stdout)
        stream, owned = duplicate(sys.stdout)
        return cls(mode, stream, owns_stream=owned)

    def close(self) -> None:
        self.stop()
        if self.owns_stream:
            # the reader may have gone away (a closed pipe): what was left is not worth a crash
            with contextlib.suppress(OSError, ValueError):
                self.stream.close()

    # ---- pytest hooks -------------------------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(
        self, report: pytest.TestReport, config: pytest.Config
    ) -> Generator[None, Any, Any]:
        """Keep the category (pytest's counts) but drop the dot: this plugin shows progress."""
        category, letter, word = yield
        if config.get_verbosity() <= 0:
            return category, "", ""
        return category, letter, word

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = len(session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.total = len(ids)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, Any, Any]:
        self.start()
        try:
            return (yield)
        finally:
            self.stop()

    def pytest_runtest_logstart(self, nodeid: str, location: tuple) -> None:
        with self._lock:
            self.running[nodeid] = _Running(nodeid.rpartition("::")[2], self.clock())
            self.current = nodeid
            self._render_live()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        with self._lock:
            entry = self.running.get(report.nodeid)
            if entry is None:
                return
            identity = props.get(_IDENTITY_KEY)
            if identity and identity.get("name"):
                entry.name = identity["name"]
                self._render_live()
            found = props.get(_VERDICT_KEY)
            # As the results collector does: the first verdict other than a pass stands.
            if found and entry.verdict in (None, Verdict.PASSED.value):
                entry.verdict = found["verdict"]

    def pytest_runtest_logfinish(self, nodeid: str, location: tuple) -> None:
        with self._lock:
            entry = self.running.pop(nodeid, None)
            self.done += 1
            if entry is None:
                return
            if self.mode is Mode.PLAIN:
                verdict = entry.verdict or Verdict.ERROR.value
                seconds = self.clock() - entry.started
                line = f"{self._prefix(self.done)} {verdict:<14} {seconds:6.1f} s  {entry.name}"
                self._write(line + "\n")
            if self.current == nodeid:
                self.current = next(reversed(self.running), "")
            self._render_live()

    # ---- output -------------------------------------------------------------------------

    def start(self) -> None:
        self.started = self.clock()
        if self.mode is Mode.QUIET or self._ticker is not None:
            return
        self._stop.clear()
        self._ticker = threading.Thread(target=self._tick, name="fsc-progress", daemon=True)
        self._ticker.start()

    def stop(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        with self._lock:
            if self._live_shown:
                self._write("\r\x1b[K")
                self._live_shown = False

    def _tick(self) -> None:
        while not self._stop.wait(self.tick):
            with self._lock:
                self._render_live()
                self._report_alive()

    def _prefix(self, n: int) -> str:
        width = len(str(self.total or n))
        return f"[{n:>{width}}/{self.total or '?'} {_clock(self.clock() - self.started)}]"

    def live_text(self) -> str:
        """The live line, cut to the terminal's width."""
        entry = self.running.get(self.current)
        n = min(self.done + 1, self.total) if entry else self.done
        text = f"scenario {n} of {self.total or '?'} · {_clock(self.clock() - self.started)}"
        if entry is not None:
            text += f" · {entry.name} · {self.clock() - entry.started:.0f} s"
        if len(self.running) > 1:
            text += f" (+{len(self.running) - 1} running)"
        width = max(20, self.width() - 1)
        return text if len(text) <= width else text[: width - 1] + "…"

    def _render_live(self) -> None:
        if self.mode is not Mode.LIVE:
            return
        self._write(f"\r{self.live_text()}\x1b[K")
        self._live_shown = True

    def _report_alive(self) -> None:
        """Plain mode: a line each time a scenario has run another ``alive_every`` seconds."""
        if self.mode is not Mode.PLAIN:
            return
        now = self.clock()
        for entry in self.running.values():
            due = int((now - entry.started) // self.alive_every)
            if due > entry.alive_lines:
                entry.alive_lines = due
                seconds = now - entry.started
                self._write(
                    f"{self._prefix(self.done + 1)} still running after {seconds:.0f} s: "
                    f"{entry.name}\n"
                )

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass  # the terminal went away (a closed pipe): progress is not worth a crash
