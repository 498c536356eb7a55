"""The xdist scheduler of ``run -n N`` (see ``scheduling.py``): ``@alone`` items first, alone;
the rest longest first when a previous run's durations are known."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from xdist.scheduler.load import LoadScheduling


def longest_first(
    indices: list[int], collection: Sequence[str], durations: Mapping[str, float]
) -> list[int]:
    """``indices`` by their item's previous duration, longest first; an item without one
    counts as the longest (it may be); ties keep the collection order."""
    if not durations:
        return indices
    return sorted(indices, key=lambda i: -durations.get(collection[i], math.inf))


class AloneFirstScheduling(LoadScheduling):
    """LoadScheduling, except that the ``@alone`` items go first to one worker, with nothing
    sent to any other until the last of them has finished; afterwards each worker is kept at
    two items (the one it runs and the next: an xdist worker starts an item only once it knows
    the next one or is told to stop), so that a long scenario never holds a queue behind it.

    With durations (a previous run's, or the typical ones shipped with the package), the item
    queued behind one that took longer than their average is the shortest left, and any other
    slot gets the longest left: topping a
    worker up with the two longest items would run them one after the other (moto_server at
    -n 16: ten ~27 s scenarios paired on five workers held the end of the run by ~13 s)."""

    def __init__(
        self,
        config: Any,
        log: Any,
        alone: Callable[[], set[str]],
        durations: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__(config, log)
        self.alone = alone  # the @alone nodeids, known once every worker has collected
        self.alone_left: set[int] = set()
        self.durations = dict(durations or {})  # to hand out longest first
        known = self.durations.values()
        self.average = sum(known) / len(known) if known else math.inf

    def schedule(self) -> None:
        assert self.collection_is_completed
        if self.collection is not None:
            for node in self.nodes:
                self.check_schedule(node)
            return
        if not self._check_nodes_have_same_collection():
            self.log("**Different tests collected, aborting run**")
            return
        self.collection = next(iter(self.node2collection.values()))
        wanted = self.alone()
        alone = [i for i, nodeid in enumerate(self.collection) if nodeid in wanted]
        self.alone_left = set(alone)
        self.pending[:] = longest_first(
            [i for i in range(len(self.collection)) if i not in self.alone_left],
            self.collection,
            self.durations,
        )
        if not self.collection:
            return
        if alone:
            first = self.nodes[0]
            self.node2pending[first].extend(alone)
            first.send_runtest_some(alone)
            if self.pending:  # its successor, so that the last alone item starts
                self._send_next(first)
            else:
                first.shutdown()
            for node in self.nodes[1:]:
                if not self.pending:
                    node.shutdown()
            return
        for node in self.nodes:
            self.check_schedule(node)

    def mark_test_complete(self, node: Any, item_index: int, duration: float = 0) -> None:
        self.node2pending[node].remove(item_index)
        if item_index in self.alone_left:
            self.alone_left.discard(item_index)
            if not self.alone_left:  # the last one is done: everyone starts
                for each in self.nodes:
                    self.check_schedule(each)
            return
        self.check_schedule(node, duration=duration)

    def check_schedule(self, node: Any, duration: float = 0) -> None:
        if node.shutting_down or self.alone_left:
            return
        if self.pending:
            while self.pending and len(self.node2pending[node]) < 2:
                self._send_next(node)
        else:
            node.shutdown()

    def _send_next(self, node: Any) -> None:
        """One more item for ``node``: the shortest left if it will wait behind a long one,
        else the longest left (``pending`` is longest first)."""
        held = self.node2pending[node]
        behind_long = bool(held) and self._expected(held[-1]) > self.average
        index = self.pending.pop() if behind_long else self.pending.pop(0)
        held.append(index)
        node.send_runtest_some([index])

    def _expected(self, index: int) -> float:
        assert self.collection is not None
        return self.durations.get(self.collection[index], math.inf)

    def remove_pending_tests_from_node(self, node: Any, indices: Sequence[int]) -> None:
        raise NotImplementedError()

    def remove_node(self, node: Any) -> str | None:
        """A crashed worker's items go back to the queue, to run as any other (the crash is
        reported for the item it was running); only alone items still held by a live worker
        are waited for."""
        crashed = super().remove_node(node)
        held = {i for pending in self.node2pending.values() for i in pending}
        if self.alone_left and not self.alone_left & held:
            self.alone_left.clear()
            for each in self.nodes:
                self.check_schedule(each)
        self.alone_left &= held
        return crashed
