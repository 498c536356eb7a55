"""What one scenario has made and seen, by the aliases its steps use ("K", "S", "D").

Three parts, so a step finds what it reads in one place: the resources the scenario made, the
calls it made (the last one is what "the call" means), and the records it sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from firehose_conformance.outcome import Outcome
from firehose_conformance.targets.base import KeyRef, StreamRef

V = TypeVar("V")


@dataclass
class Put:
    """One put call and the records it carried, to the stream of that alias."""

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
class Resources:
    """What the scenario made, by alias."""

    keys: dict[str, KeyRef] = field(default_factory=dict)
    streams: dict[str, StreamRef] = field(default_factory=dict)  # delivery streams
    data_streams: dict[str, str] = field(default_factory=dict)  # Kinesis: alias -> stream name
    buffer_seconds: dict[str, int] = field(default_factory=dict)  # streams with their own interval
    other_caller: Any = None  # a client with other credentials (@needs-iam, aged credentials)


@dataclass
class Calls:
    """Every call's outcome in order, and the last burst of calls with when each was answered."""

    outcomes: list[Outcome] = field(default_factory=list)
    burst: list[tuple[float, Outcome]] = field(default_factory=list)

    @property
    def last(self) -> Outcome:
        if not self.outcomes:
            raise AssertionError("suite defect: no call has been made yet")
        return self.outcomes[-1]

    def record(self, outcome: Outcome) -> Outcome:
        self.outcomes.append(outcome)
        return outcome


@dataclass
class Sent:
    """The records the scenario put, call by call, and the batches it named."""

    puts: list[Put] = field(default_factory=list)  # to delivery streams
    data_puts: list[Put] = field(default_factory=list)  # to Kinesis data streams
    batches: dict[str, list[bytes]] = field(default_factory=dict)

    def puts_to(self, alias: str) -> list[Put]:
        return [p for p in self.puts if p.stream == alias]

    def data_puts_to(self, alias: str) -> list[Put]:
        return [p for p in self.data_puts if p.stream == alias]

    def batch(self, name: str) -> list[bytes]:
        return _lookup(self.batches, name, "batch")


@dataclass
class World:
    resources: Resources = field(default_factory=Resources)
    calls: Calls = field(default_factory=Calls)
    sent: Sent = field(default_factory=Sent)

    def key(self, alias: str) -> KeyRef:
        return _lookup(self.resources.keys, alias, "key")

    def stream(self, alias: str) -> StreamRef:
        return _lookup(self.resources.streams, alias, "delivery stream")

    def data_stream(self, alias: str) -> str:
        """The name of the Kinesis data stream of that alias."""
        return _lookup(self.resources.data_streams, alias, "Kinesis data stream")

    def records_put_to(self, alias: str) -> list[bytes]:
        """Every record put to that data stream, or accepted by that delivery stream."""
        if alias in self.resources.data_streams:
            return [r for p in self.sent.data_puts_to(alias) for r in p.records]
        return [r for p in self.sent.puts_to(alias) if p.outcome.ok for r in p.records]


def _lookup(table: dict[str, V], alias: str, kind: str) -> V:
    try:
        return table[alias]
    except KeyError:
        raise AssertionError(f"suite defect: no {kind} named {alias!r} in this scenario") from None
