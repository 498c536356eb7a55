"""The run's pool of KMS keys: shared by scenarios that only use them, or lent to one scenario
at a time and restored after it (resources.py decides which, from the scenario's steps).

One pool per run, also under ``run -n N``: its keys live in the run's registry
(run_registry.py), which every pytest-xdist worker of the run reads and changes under one lock.
A pooled key is made the first time any scenario of the run asks for it, by whichever process
runs that scenario, and every other scenario of every worker uses that same key. It is removed
(deletion scheduled) with the run's other run-level resources, by the process that closes the
run once no worker can still use it (targets/aws.py), not after the scenario. A shared key is
never changed: a grant a scenario makes itself is revoked by its teardown
(actions.revoke_at_teardown). A lent key serves no other scenario, in any worker, until its
scenario has ended, everything of that scenario is removed, and ``actions.restore_key`` has
brought it back (enabled, deletion cancelled, the default policy, no grant left, KMS serving it
again); one that cannot be restored is never lent again. Scenarios in flight at once (several
workers, or threads of one) that need a lent key of the same kind each get one of their own, so
a run may make more lent keys than a serial run does (the plan says how many at most).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from firehose_conformance import actions
from firehose_conformance.errors import TargetMisbehaved
from firehose_conformance.resources import SYMMETRIC, PoolKey
from firehose_conformance.run_registry import PooledKey, RunRegistry, RunState, key_name
from firehose_conformance.targets.base import KeyRef, Ledger, Target


class KeyPool:
    """Keys by (spec, usage, slot), kept in the run's ``registry``; ``holder`` names this
    process there (a lent key's holder is the lending itself, so no two scenarios share one).

    ``on_change`` is called (outside the registry's lock) after every hand-out and return, so
    that whoever records the run's resources sees each pooled key and its uses."""

    def __init__(
        self, registry: RunRegistry, holder: str, on_change: Callable[[], None] | None = None
    ) -> None:
        self._registry = registry
        self._holder = holder
        self._on_change = on_change
        self.closing = False  # this process is ending: a lent key is no longer restored

    def key(self, target: Target, wanted: PoolKey) -> KeyRef:
        if wanted.lent:
            return self._lend(target, wanted)
        with self._registry.open() as state:  # made under the lock: once per run
            found = state.pooled(wanted) or self._make(target, wanted, state)
            found.uses += 1
        self._changed()
        return KeyRef(found.key_id, found.arn)

    @staticmethod
    def _make(target: Target, wanted: PoolKey, state: RunState) -> PooledKey:
        """A new key, entered in the registry (whoever closes the run removes it from there)."""
        usage = None if (wanted.spec, wanted.usage) == SYMMETRIC else wanted.usage
        made = actions.create_key(target, wanted.spec, usage, ledger=Ledger())
        entry = PooledKey(
            wanted.spec, wanted.usage, wanted.slot, wanted.lent, made.key_id, made.arn
        )
        state.keys[key_name(wanted)] = entry
        return entry

    def _lend(self, target: Target, wanted: PoolKey) -> KeyRef:
        """A key of that kind no other scenario of the run holds, returned at the end of this
        scenario's teardown (after everything else it made is removed)."""
        lending = f"{self._holder}:{uuid.uuid4().hex[:8]}"
        with self._registry.open() as state:
            found = state.free_lent(wanted.spec, wanted.usage)
            if found is None:
                slot = PoolKey(
                    wanted.spec, wanted.usage, state.lent_count(wanted.spec, wanted.usage), True
                )
                found = self._make(target, slot, state)
            found.holder = lending
            found.uses += 1
        slot, key = found.pool_key, KeyRef(found.key_id, found.arn)
        # First in the scenario's ledger, so undone last: its streams are gone by then.
        target.ledger.entries.insert(
            0, (f"lent KMS key {key.arn}", lambda: self._give_back(target, slot, key, lending))
        )
        self._changed()
        return key

    def _give_back(self, target: Target, slot: PoolKey, key: KeyRef, lending: str) -> None:
        if self.closing:
            return  # stays held, never lent again; it is removed with the run's resources
        why = ""
        try:
            actions.restore_key(target, key)
        except (AssertionError, ClientError, TargetMisbehaved) as error:
            why = f"{type(error).__name__}: {error}"  # never lent again
        with self._registry.open() as state:
            found = state.pooled(slot)
            if found is not None and found.holder == lending:
                found.holder = ""
                found.retired = found.retired or why
        self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()

    def record(self) -> dict[str, dict[str, Any]]:
        """Each pooled key the run made (whichever process made it): its ARN and how many
        times scenarios of the run used it."""
        return record(self._registry.read())


def record(state: RunState) -> dict[str, dict[str, Any]]:
    """The pooled keys of a registry's state, as the results record them."""
    return {
        entry.pool_key.describe(): {
            "arn": entry.arn,
            "uses": entry.uses,
            **({"retired": entry.retired} if entry.retired else {}),
        }
        for entry in sorted(state.keys.values(), key=lambda k: k.pool_key)
    }
