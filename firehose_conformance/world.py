"""What one scenario has made and seen, by the names its steps use ("S", "K", "D")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from firehose_conformance.outcome import Outcome
from firehose_conformance.targets.base import KeyRef, StreamRef


@dataclass
class Put:
    """One put call and the records it carried."""

    stream: str
    records: list[bytes]
    outcome: Outcome

    @property
    def encrypted(self) -> bool | None:
        """The Encrypted flag as answered; None when the member was left out (AMB-23)."""
        if not self.outcome.ok:
            return None
        return (self.outcome.response or {}).get("Encrypted")


@dataclass
class World:
    keys: dict[str, KeyRef] = field(default_factory=dict)
    streams: dict[str, StreamRef] = field(default_factory=dict)
    data_streams: dict[str, str] = field(default_factory=dict)  # alias -> stream name
    data_records: dict[str, list[bytes]] = field(default_factory=dict)
    data_puts: dict[str, list[Outcome]] = field(default_factory=dict)
    puts: list[Put] = field(default_factory=list)
    batches: dict[str, list[bytes]] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    buffer_seconds: dict[str, int] = field(default_factory=dict)
    burst: list[tuple[float, Outcome]] = field(default_factory=list)  # (time, outcome)
    other_client: Any = None  # a client with other credentials (@needs-iam, aged credentials)

    @property
    def last(self) -> Outcome:
        if not self.outcomes:
            raise AssertionError("suite defect: no call has been made yet")
        return self.outcomes[-1]

    def record(self, outcome: Outcome) -> Outcome:
        self.outcomes.append(outcome)
        return outcome

    def key(self, alias: str) -> KeyRef:
        return _lookup(self.keys, alias, "key")

    def stream(self, alias: str) -> StreamRef:
        return _lookup(self.streams, alias, "delivery stream")

    def records_put_to(self, alias: str) -> list[bytes]:
        return [r for p in self.puts if p.stream == alias and p.outcome.ok for r in p.records]


def _lookup(table: dict, alias: str, kind: str):
    try:
        return table[alias]
    except KeyError:
        raise AssertionError(f"suite defect: no {kind} named {alias!r} in this scenario") from None
