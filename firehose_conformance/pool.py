"""The run's pool of KMS keys that scenarios only use (resources.py decides which).

A pooled key is made the first time a scenario asks for it and entered in the run's ledger, so
it is removed (deletion scheduled) when the run ends, not after the scenario. Scenarios never
change a pooled key: resources.py gives every key a scenario changes, or whose grants it reads,
to that scenario alone; a grant a scenario makes itself is revoked by its teardown
(actions.revoke_at_teardown). One pool per process (per target), so parallel workers never
share one.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from firehose_conformance import actions
from firehose_conformance.resources import SYMMETRIC, PoolKey
from firehose_conformance.targets.base import KeyRef, Ledger, Target


class KeyPool:
    """Keys by (spec, usage, slot), made on first use into ``ledger`` (the run's).

    ``on_change`` is called (outside the pool's lock) after every hand-out, so that whoever
    records the run's resources sees each pooled key and its uses."""

    def __init__(self, ledger: Ledger, on_change: Callable[[], None] | None = None) -> None:
        self._ledger = ledger
        self._on_change = on_change
        self._keys: dict[PoolKey, KeyRef] = {}
        self._lock = threading.Lock()
        self.uses: Counter[PoolKey] = Counter()  # how many times each was handed out

    def key(self, target: Target, wanted: PoolKey) -> KeyRef:
        with self._lock:
            found = self._keys.get(wanted)
            if found is None:
                usage = None if (wanted.spec, wanted.usage) == SYMMETRIC else wanted.usage
                found = actions.create_key(target, wanted.spec, usage, ledger=self._ledger)
                self._keys[wanted] = found
            self.uses[wanted] += 1
        if self._on_change is not None:
            self._on_change()
        return found

    def record(self) -> dict[str, dict[str, Any]]:
        """Each pooled key made: its ARN and how many times scenarios used it."""
        with self._lock:
            return {
                wanted.describe(): {"arn": key.arn, "uses": self.uses[wanted]}
                for wanted, key in sorted(self._keys.items())
            }
