"""Verdict symbols, their ASCII fallbacks, colours, and the legend every report prints with them.

Every word of ``verdicts.Verdict`` a report can show has a style here. The legend lists the
five words every run can give (``ALWAYS_SHOWN``) and, when a report shows them, the words of a
run that did not get to judge everything (``interrupted``, ``not_run``, ``not_selected``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from firehose_conformance.verdicts import Verdict


@dataclass(frozen=True)
class VerdictStyle:
    symbol: str
    ascii: str  # for terminals whose encoding has no room for the symbol
    label: str
    meaning: str
    colour: str = ""  # an ANSI SGR code for terminals that want colour ("1;31": bold red)


STYLES: dict[str, VerdictStyle] = {
    Verdict.PASSED: VerdictStyle(
        "✔", "ok", "passed", "the implementation did what the documents say", "32"
    ),
    Verdict.FAILED: VerdictStyle(
        "✘", "FAIL", "failed", "it did not; the reason says what was observed", "1;31"
    ),
    Verdict.ERROR: VerdictStyle(
        "!",
        "ERR",
        "error",
        "the target misbehaved (5xx, dropped connection, timeout, crash), does not implement "
        "an operation, or could not be set up; or the suite is at fault",
        "1;33",
    ),
    Verdict.NOT_APPLICABLE: VerdictStyle(
        "–",
        "n/a",
        "not applicable",
        "the target lacks a capability the scenario needs, or took another documented path, "
        "so what the requirement states never arose",
        "2",
    ),
    Verdict.UNTESTED: VerdictStyle(
        "?", "?", "untested", "no scenario checks the requirement", "34"
    ),
    Verdict.INTERRUPTED: VerdictStyle(
        "⊘",
        "INT",
        "interrupted",
        "the scenario was running when the run was stopped (SIGINT, SIGTERM); never charged "
        "to the target",
        "35",
    ),
    Verdict.NOT_RUN: VerdictStyle(
        "○",
        "-",
        "not run",
        "the run was stopped before it ran the scenario (or, for a requirement, one of its "
        "scenarios)",
        "35",
    ),
    Verdict.NOT_SELECTED: VerdictStyle(
        "·", ".", "not selected", "the selection (-m, -k) took none of its scenarios", "2"
    ),
}
"""In the order reports list them: the worst news first after a pass."""

VERDICTS: tuple[str, ...] = tuple(STYLES)
ALWAYS_SHOWN: tuple[str, ...] = (
    Verdict.PASSED,
    Verdict.FAILED,
    Verdict.ERROR,
    Verdict.NOT_APPLICABLE,
    Verdict.UNTESTED,
)
"""The words every legend lists; the others only where a report shows them."""


def shown(present: Iterable[str] = ()) -> tuple[str, ...]:
    """The words a legend or a count lists: ``ALWAYS_SHOWN``, and the others in ``present``."""
    present = set(present)
    return tuple(v for v in STYLES if v in ALWAYS_SHOWN or v in present)


def symbol(verdict: str, *, ascii: bool = False) -> str:
    style = STYLES.get(verdict)
    if style is None:
        return verdict
    return style.ascii if ascii else style.symbol


def label(verdict: str) -> str:
    style = STYLES.get(verdict)
    return style.label if style else verdict


def paint(text: str, verdict: str, *, colour: bool = True) -> str:
    """``text`` in the verdict's colour (ANSI), or as it is without ``colour``."""
    style = STYLES.get(verdict)
    if not colour or style is None or not style.colour:
        return text
    return f"\x1b[{style.colour}m{text}\x1b[0m"


def legend_line(
    *,
    ascii: bool = False,
    separator: str = "   ",
    verdicts: Iterable[str] | None = None,
    colour: bool = False,
) -> str:
    """One line, e.g. ``✔ passed   ✘ failed   ! error   – not applicable   ? untested``, then
    the other words among ``verdicts``."""
    return separator.join(
        paint(f"{symbol(v, ascii=ascii)} {STYLES[v].label}", v, colour=colour)
        for v in shown(verdicts or ())
    )


def needs_ascii(stream: TextIO) -> bool:
    """Whether the stream's encoding cannot print the symbols (a C locale, a legacy console)."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "".join(s.symbol for s in STYLES.values()).encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return True
    return False
