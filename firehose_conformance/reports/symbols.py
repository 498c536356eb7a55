"""Verdict symbols, their ASCII fallbacks, and the legend every report prints with them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

from firehose_conformance.verdicts import Verdict


@dataclass(frozen=True)
class VerdictStyle:
    symbol: str
    ascii: str  # for terminals whose encoding has no room for the symbol
    label: str
    meaning: str


STYLES: dict[str, VerdictStyle] = {
    Verdict.PASSED: VerdictStyle(
        "✔", "ok", "passed", "the implementation did what the documents say"
    ),
    Verdict.FAILED: VerdictStyle(
        "✘", "FAIL", "failed", "it did not; the reason says what was observed"
    ),
    Verdict.ERROR: VerdictStyle(
        "!",
        "ERR",
        "error",
        "the target misbehaved (5xx, dropped connection, timeout, crash), does not implement "
        "an operation, or could not be set up; or the suite is at fault",
    ),
    Verdict.NOT_APPLICABLE: VerdictStyle(
        "–",
        "n/a",
        "not applicable",
        "the target lacks a capability the scenario needs, or took another documented path, "
        "so what the requirement states never arose",
    ),
    Verdict.UNTESTED: VerdictStyle("?", "?", "untested", "no scenario checks the requirement"),
}
"""In the order reports list them: the worst news first after a pass."""

VERDICTS: tuple[str, ...] = tuple(STYLES)


def symbol(verdict: str, *, ascii: bool = False) -> str:
    style = STYLES.get(verdict)
    if style is None:
        return verdict
    return style.ascii if ascii else style.symbol


def label(verdict: str) -> str:
    style = STYLES.get(verdict)
    return style.label if style else verdict


def legend_line(*, ascii: bool = False, separator: str = "   ") -> str:
    """One line, e.g. ``✔ passed   ✘ failed   ! error   – not applicable   ? untested``."""
    return separator.join(f"{symbol(v, ascii=ascii)} {s.label}" for v, s in STYLES.items())


def needs_ascii(stream: TextIO) -> bool:
    """Whether the stream's encoding cannot print the symbols (a C locale, a legacy console)."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "".join(s.symbol for s in STYLES.values()).encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return True
    return False
