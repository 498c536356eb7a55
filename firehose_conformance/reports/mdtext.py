"""Markdown helpers shared by the results report and the rendered spec."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*<>\[\]|])")
_NOT_SLUG = re.compile(r"[^\w\- ]", re.UNICODE)


def escape(text: str) -> str:
    """Plain text safe inside Markdown prose and table cells, on one line.

    Escapes what would otherwise turn into markup here: emphasis, code, HTML tags, links and
    table pipes. ``_`` is left alone: inside words (``start_delivery_stream``) it is literal.
    """
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return _NOT_SLUG.sub("", heading.strip().lower()).replace(" ", "-")


def fence(text: str, language: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run inside the text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language}\n{text}\n{ticks}"
