"""What one scenario has made and seen, by the aliases its steps use ("K", "S", "D").

Four parts, so a step finds what it reads in one place: the resources the scenario made, the
calls it made (the last one is what "the call" means), the records it sent, and what its checks
observed requirement by requirement (``Observations``: a verdict is earned by an exercised path).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from firehose_conformance.errors import SuiteDefect
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
    granted: set[str] = field(default_factory=set)  # keys seen holding a grant in this scenario


@dataclass
class Calls:
    """Every call's outcome in order, and the last burst of calls with when each was answered."""

    outcomes: list[Outcome] = field(default_factory=list)
    burst: list[tuple[float, Outcome]] = field(default_factory=list)
    burst_target: str = ""  # the delivery stream the burst described
    note: str = ""  # how the last call came about, when it was retried (e.g. "after 12 s")

    @property
    def last(self) -> Outcome:
        if not self.outcomes:
            raise SuiteDefect("no call has been made yet")
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
class Observations:
    """What the scenario's checks established, requirement by requirement.

    ``tags`` are the requirement IDs the scenario is tagged with. A check that held adds the
    requirements it checks to ``observed``; a step that finds the target took another documented
    path, on which the situation some requirements state never arises, names them in
    ``unexercised`` with that path, and they can then not be observed in this scenario. The
    plugin turns this into the scenario's verdict and its ``observed`` list (verdicts.py).
    """

    tags: frozenset[str] = frozenset()
    observed: set[str] = field(default_factory=set)
    unexercised: dict[str, str] = field(default_factory=dict)  # requirement -> the path taken
    notes: list[str] = field(default_factory=list)  # what the reason should also say

    def observe(self, requirements: Iterable[str]) -> None:
        self.observed |= {r for r in requirements if r in self.tags and r not in self.unexercised}

    def not_exercised(self, requirements: Iterable[str], why: str) -> None:
        for rid in requirements:
            if rid in self.tags and rid not in self.observed:
                self.unexercised.setdefault(rid, why)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


@dataclass
class World:
    resources: Resources = field(default_factory=Resources)
    calls: Calls = field(default_factory=Calls)
    sent: Sent = field(default_factory=Sent)
    observations: Observations = field(default_factory=Observations)

    def observe(self, *requirements: str) -> None:
        """Record that the scenario observed what these requirements state (and it held)."""
        self.observations.observe(requirements)

    def not_exercised(self, requirements: Iterable[str], why: str) -> None:
        """The target took another documented path (``why``): these requirements' situation
        never arises in this scenario, so the scenario cannot pass them (not applicable)."""
        self.observations.not_exercised(requirements, why)

    def note(self, text: str) -> None:
        """Something the scenario's reason should say (e.g. how long a wait took)."""
        self.observations.note(text)

    def key(self, alias: str) -> KeyRef:
        return _lookup(self.resources.keys, alias, "key")

    def stream(self, alias: str) -> StreamRef:
        return _lookup(self.resources.streams, alias, "delivery stream")

    def data_stream(self, alias: str) -> str:
        """The name of the Kinesis data stream of that alias."""
        return _lookup(self.resources.data_streams, alias, "Kinesis data stream")

    def records_put_to(self, alias: str, *, refused_too: bool = False) -> list[bytes]:
        """Every record put to that data stream, or accepted by that delivery stream (with
        ``refused_too``, also those it refused)."""
        if alias in self.resources.data_streams:
            return [r for p in self.sent.data_puts_to(alias) for r in p.records]
        puts = self.sent.puts_to(alias)
        return [r for p in puts if refused_too or p.outcome.ok for r in p.records]

    def refused(self, records: list[bytes]) -> list[bytes]:
        """Those of ``records`` that a delivery stream refused when they were put."""
        wanted = set(records)
        return [r for p in self.sent.puts if not p.outcome.ok for r in p.records if r in wanted]


def _lookup(table: dict[str, V], alias: str, kind: str) -> V:
    try:
        return table[alias]
    except KeyError:
        raise SuiteDefect(f"no {kind} named {alias!r} in this scenario") from None
