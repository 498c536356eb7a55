"""Do two runs of one selection say the same? A serial run and ``run -n N`` must.

Compared: every scenario (by nodeid) with its verdict, reason, observed and charged
requirements and cause; every requirement with its verdict; the summaries. Not compared: what
differs from run to run by design: durations and times, run ids and the names made from them
(``fsc-1a2b3c-stream-4``), accounts (a parallel worker has its own) and key ids, and the seconds a
reason says a wait took (``settled after 2.7 s``), and how many puts a wait on the wall clock
fitted in (``14 put(s) accepted``).
"""

from __future__ import annotations

import re
from typing import Any

from firehose_conformance.results import Results

_MASKS = (
    # a run id and the names made from it, also cut short in a long message ("fsc-4c8...")
    (re.compile(r"fsc-[0-9a-f]{1,6}(?:-[a-z0-9]+-\d+)?"), "fsc-…"),
    # a list of such names cut short at a length (names of other lengths: another cut)
    (re.compile(r"(?:'fsc-…', )+'?fsc-\S*"), "'fsc-…', ..."),
    # how many puts a wall-clock wait fitted in before the bound (timing, like a duration)
    (re.compile(r"\b\d+ put\(s\) accepted"), "<n> put(s) accepted"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<id>"),
    (re.compile(r"\b\d{12}\b"), "<account>"),
    (re.compile(r"\b\d+(?:\.\d+)? ?(?:s|ms|seconds?)\b"), "<n> s"),
)


def masked(text: str) -> str:
    """``text`` without what differs from run to run by design."""
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


def comparable(results: Results) -> dict[str, Any]:
    """What must be equal between two runs of the same selection on the same target."""
    return {
        "scenarios": [
            (
                s.nodeid,
                s.verdict,
                masked(s.reason),
                sorted(s.observed),
                sorted(s.charged),
                masked(s.cause),
            )
            for s in results.scenarios
        ],
        "requirements": [(r.id, r.verdict) for r in results.requirements],
        "summary": results.summary,
        "requirement_summary": results.requirement_summary,
    }


def differences(first: Results, second: Results) -> list[str]:
    """One line per scenario or requirement on which the two runs differ (empty: the same)."""
    a, b = comparable(first), comparable(second)
    found: list[str] = []
    left = {row[0]: row for row in a["scenarios"]}
    right = {row[0]: row for row in b["scenarios"]}
    for nodeid in sorted(set(left) | set(right)):
        if left.get(nodeid) != right.get(nodeid):
            found.append(f"{nodeid}: {_shown(left.get(nodeid))} vs {_shown(right.get(nodeid))}")
    for one, other in zip(a["requirements"], b["requirements"], strict=False):
        if one != other:
            found.append(f"{one[0]}: {one[1]} vs {other[1]}")
    return found


def _shown(row: Any) -> str:
    if row is None:
        return "absent"
    return f"{row[1]} ({row[2][:160]})" if row[2] else row[1]
