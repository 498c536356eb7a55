"""The run's pool of KMS keys: shared by scenarios that only use them, or lent to one scenario
at a time and restored after it (resources.py decides which, from the scenario's steps).

A pooled key is made the first time a scenario asks for it and entered in the run's ledger, so
it is removed (deletion scheduled) when the run ends, not after the scenario. A shared key is
never changed: a grant a scenario makes itself is revoked by its teardown
(actions.revoke_at_teardown). A lent key serves no other scenario until its scenario has ended,
everything of that scenario is removed, and ``actions.restore_key`` has brought it back (enabled,
deletion cancelled, the default policy, no grant left, KMS serving it again); one that cannot be
restored is never lent again. One pool per process (per target): parallel workers never share
one, and concurrent scenarios in one process each get a lent key of their own.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from firehose_conformance import actions
from firehose_conformance.errors import TargetMisbehaved
from firehose_conformance.resources import SYMMETRIC, PoolKey
from firehose_conformance.targets.base import KeyRef, Ledger, Target


class KeyPool:
    """Keys by (spec, usage, slot), made on first use into ``ledger`` (the run's).

    ``on_change`` is called (outside the pool's lock) after every hand-out and return, so that
    whoever records the run's resources sees each pooled key and its uses."""

    def __init__(self, ledger: Ledger, on_change: Callable[[], None] | None = None) -> None:
        self._ledger = ledger
        self._on_change = on_change
        self._keys: dict[PoolKey, KeyRef] = {}  # shared keys, and every lent key ever made
        self._free: dict[tuple[str, str], list[PoolKey]] = {}  # lent keys back in the pool
        self._lock = threading.Lock()
        self.uses: Counter[PoolKey] = Counter()  # how many times each was handed out
        self.closing = False  # the run is ending: a lent key is no longer restored
        self.retired: dict[PoolKey, str] = {}  # lent keys that could not be restored, and why

    def key(self, target: Target, wanted: PoolKey) -> KeyRef:
        if wanted.lent:
            return self._lend(target, wanted)
        with self._lock:
            found = self._keys.get(wanted)
            if found is None:
                found = self._make(target, wanted)
            self.uses[wanted] += 1
        self._changed()
        return found

    def _make(self, target: Target, wanted: PoolKey) -> KeyRef:
        usage = None if (wanted.spec, wanted.usage) == SYMMETRIC else wanted.usage
        made = actions.create_key(target, wanted.spec, usage, ledger=self._ledger)
        self._keys[wanted] = made
        return made

    def _lend(self, target: Target, wanted: PoolKey) -> KeyRef:
        """A key of that kind no other scenario holds, returned at the end of this scenario's
        teardown (after everything else it made is removed)."""
        kind = (wanted.spec, wanted.usage)
        with self._lock:
            free = self._free.setdefault(kind, [])
            if free:
                slot = free.pop(0)
                found = self._keys[slot]
            else:
                made = sum(1 for k in self._keys if k.lent and (k.spec, k.usage) == kind)
                slot = PoolKey(wanted.spec, wanted.usage, made, lent=True)
                found = self._make(target, slot)
            self.uses[slot] += 1
        # First in the scenario's ledger, so undone last: its streams are gone by then.
        target.ledger.entries.insert(
            0, (f"lent KMS key {found.arn}", lambda: self._give_back(target, slot))
        )
        self._changed()
        return found

    def _give_back(self, target: Target, slot: PoolKey) -> None:
        if self.closing:
            return  # the run ends: the key's deletion is scheduled with the run's ledger
        try:
            actions.restore_key(target, self._keys[slot])
        except (AssertionError, ClientError, TargetMisbehaved) as error:
            with self._lock:  # never lent again; its deletion is scheduled at the end
                self.retired[slot] = f"{type(error).__name__}: {error}"
        else:
            with self._lock:
                self._free.setdefault((slot.spec, slot.usage), []).append(slot)
        self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()

    def record(self) -> dict[str, dict[str, Any]]:
        """Each pooled key made: its ARN and how many times scenarios used it."""
        with self._lock:
            return {
                wanted.describe(): {
                    "arn": key.arn,
                    "uses": self.uses[wanted],
                    **({"retired": self.retired[wanted]} if wanted in self.retired else {}),
                }
                for wanted, key in sorted(self._keys.items())
            }
