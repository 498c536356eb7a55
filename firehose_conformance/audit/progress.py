"""What a long audit says on stderr while it runs: a line per stream, and every wait.

The lines per stream appear when stderr is a terminal, or with ``--progress`` (for CI logs);
the waits (throttling, a failing endpoint) whenever the audit is not ``--quiet``, so that it
never spends minutes in silence. ``--quiet`` says nothing; the report itself goes to stdout.
"""

from __future__ import annotations

import sys
from typing import TextIO

from firehose_conformance.audit.findings import StreamAudit
from firehose_conformance.verdicts import Verdict

PREFIX = "audit: "


class AuditProgress:
    """Progress lines on ``stream``; ``per_stream`` for the line per stream, ``waits`` for the
    lines about waiting."""

    def __init__(self, stream: TextIO | None, *, per_stream: bool, waits: bool) -> None:
        self.stream = stream
        self.per_stream = per_stream
        self.waits = waits

    @classmethod
    def silent(cls) -> AuditProgress:
        return cls(None, per_stream=False, waits=False)

    @classmethod
    def for_cli(cls, *, quiet: bool, progress: bool, stream: TextIO | None = None) -> AuditProgress:
        stream = stream or sys.stderr
        if quiet:
            return cls.silent()
        tty = bool(getattr(stream, "isatty", lambda: False)())
        return cls(stream, per_stream=progress or tty, waits=True)

    def _line(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(f"{PREFIX}{text}\n")
            self.stream.flush()

    def listed(self, region: str, count: int) -> None:
        if self.per_stream:
            self._line(f"{region}: {count} delivery stream(s) to audit")

    def stream_done(self, index: int, total: int, audited: StreamAudit) -> None:
        if not self.per_stream:
            return
        counts = [
            f"{n} {verdict.value}"
            for verdict in (Verdict.FAILED, Verdict.ERROR, Verdict.WARN)
            if (n := sum(f.verdict is verdict for f in audited.findings))
        ]
        detail = f" ({', '.join(counts)})" if counts else ""
        self._line(
            f"[{index}/{total}] {audited.region} {audited.name}: {audited.verdict.value}{detail}"
        )

    def say(self, text: str) -> None:
        """A wait, or the end of waiting: shown unless quiet."""
        if self.waits:
            self._line(text)
