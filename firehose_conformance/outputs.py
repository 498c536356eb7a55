"""Where the commands write: output paths checked before anything runs, a standard output that
a closed pipe does not break, and whether to colour it.

- ``check_file``/``check_dir``: a path the command will write is checked up front, so a typo
  or a read-only directory is one line and exit 2 before a run of minutes or hours, not a
  traceback after it. Nothing is left by the check: where the directory exists, a scratch file
  is made in it and removed at once, as the results are written (permission bits alone do not
  tell: root may write anywhere by them, yet not into /proc).
- ``PipeSafe``: ``firehose-conformance requirements | head`` closes the pipe after ten lines;
  the rest of the output is dropped quietly and the command ends with the exit code it would
  have had (a reader that stops early is not an error; ``run | head`` still finishes its run,
  writes its files and exits with its verdict).
- ``colour_wanted``: colour on a terminal; none when piped, with ``NO_COLOR`` set
  (no-color.org) or ``TERM=dumb``; ``FORCE_COLOR`` (force-color.org) forces it when piped.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from firehose_conformance.errors import UsageError


def check_file(path: Path, what: str) -> Path:
    """``UsageError`` unless ``path`` can be written (created or replaced) as a file."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{what} {path}: is a directory")
    check_dir(path.parent, what, shown=path)
    return path


def check_dir(directory: Path, what: str, *, shown: Path | None = None) -> Path:
    """``UsageError`` unless files can be written in ``directory`` (made if missing)."""
    directory = Path(directory)
    shown = shown if shown is not None else directory
    existing = directory
    while not existing.exists():  # the nearest part that exists is where it will be made
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"{what} {shown}: {existing} is not a directory")
    action = "write in" if existing == directory else "create directories in"
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{what} {shown}: cannot {action} {existing} (permission denied)")
    if existing == directory:
        try:
            with tempfile.NamedTemporaryFile(prefix=".fsc-check-", dir=directory):
                pass
        except OSError as error:
            raise UsageError(
                f"{what} {shown}: cannot {action} {existing} ({error.strerror})"
            ) from None
    return directory


class PipeSafe:
    """A text stream that stops writing, quietly, once its reader has gone (a closed pipe).

    After the first ``BrokenPipeError`` the descriptor is pointed at /dev/null, so nothing
    else (buffered text flushed at exit, pytest's own writes) meets the closed pipe again.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._gone()
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._gone()

    def _gone(self) -> None:
        self.broken = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self._stream.fileno())
            finally:
                os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def pipe_safe_stdio() -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` as ``PipeSafe`` streams while inside."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = PipeSafe(sys.stdout), PipeSafe(sys.stderr)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def colour_wanted(stream: Any, environ: Mapping[str, str] = os.environ) -> bool:
    """Colour for ``stream``: a terminal, unless ``NO_COLOR`` is set (not empty) or ``TERM`` is
    ``dumb``; ``FORCE_COLOR`` (not empty) colours a pipe too. ``NO_COLOR`` wins over both."""
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):
        return False
