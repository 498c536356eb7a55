"""Make reasons stable across runs, for documents that are committed and checked for staleness.

A reason may name what the run created (``fsc-ab12cd-fh-3``: the run prefix is random), KMS key
IDs, request IDs, record payloads and wall-clock times; how many puts went through while a
wait lasted, and the counter in a bulk-made stream's name, depend on the machine's speed and on
what ran before in the process. Each becomes a fixed placeholder; the rest of the reason (what
was expected and observed) is kept word for word.
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bfsc-[0-9a-f]{6}-"), "fsc-…-"),
    # A reason cut short ("...") may end inside a run prefix.
    (re.compile(r"\bfsc-[0-9a-f]{0,6}(?=\.\.\.$)"), "fsc-…"),
    (
        re.compile(
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
        ),
        "{uuid}",
    ),
    (re.compile(r"\b[0-9a-fA-F]{32,}\b"), "{hex}"),
    (re.compile(r"\b\d+ put\(s\) accepted"), "{n} put(s) accepted"),
    (re.compile(r"(fsc-…-bulk-)\d+"), r"\1{n}"),
    (
        re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"),
        "{time}",
    ),
)


def stable_reason(reason: str) -> str:
    for pattern, replacement in _RULES:
        reason = pattern.sub(replacement, reason)
    return reason
