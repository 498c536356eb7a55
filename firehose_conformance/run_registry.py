"""What a run makes once for all of its processes, in one file they share under a lock.

The aws target makes some resources once per run, whichever process needs them first: the
delivery and caller IAM roles and the pooled KMS keys (pool.py). Under ``run -n N`` every
pytest-xdist worker is a target of its own, so they meet here: a JSON file in a directory the
xdist controller names (shared_run.py; a serial run uses a temporary one of its own), read and
rewritten whole under an exclusive ``fcntl.flock`` on a lock file beside it. flock locks belong
to an open file, and every ``RunRegistry.open`` opens its own, so two threads of one process
exclude each other as two processes do. Where there is no ``fcntl`` (Windows) a lock of this
process stands in: a serial run works, and ``run -n N`` on the aws target is refused
(``SHARED_ACROSS_PROCESSES``).

The registry also keeps what each process made (summed for the results and the run's last line)
and which processes joined and finished: the xdist controller removes the run-level resources
once every worker is down (shared_run.py), and its last line names a worker that never finished.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from firehose_conformance.resources import PoolKey

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

FILE = "registry.json"
LOCK = "registry.lock"
SHARED_ACROSS_PROCESSES = fcntl is not None
_IN_PROCESS = threading.Lock()  # without fcntl: one process's threads only


@dataclass
class PooledKey:
    """A pooled KMS key of the run: which it is, and who holds it (a lent key)."""

    spec: str
    usage: str
    slot: int
    lent: bool
    key_id: str
    arn: str
    uses: int = 0
    holder: str = ""  # a lent key: the lending that holds it ("" while it is free)
    retired: str = ""  # a lent key that could not be restored, and why: never lent again

    @property
    def pool_key(self) -> PoolKey:
        return PoolKey(self.spec, self.usage, self.slot, self.lent)


@dataclass
class RunRole:
    """An IAM role of the run, and when IAM is expected to let it be assumed."""

    name: str
    arn: str
    ready_at: float = 0.0  # time.time(): a new role may not be usable at once


@dataclass
class RunState:
    """The registry's content: everything a process of the run may need from the others."""

    run_id: str = ""
    plan_printed: bool = False
    planned: dict[str, Any] | None = None  # the plan's counts (every process computes the same)
    roles: dict[str, RunRole] = field(default_factory=dict)  # "delivery", "caller"
    keys: dict[str, PooledKey] = field(default_factory=dict)  # by key_name(PoolKey)
    created: dict[str, dict[str, int]] = field(default_factory=dict)  # process -> kind -> count
    problems: dict[str, list[str]] = field(default_factory=dict)  # process -> what it left
    joined: list[str] = field(default_factory=list)  # processes whose target joined the run
    finished: list[str] = field(default_factory=list)  # processes that closed their target
    removed: bool = False  # the run-level resources were removed (or their removal tried)

    def pooled(self, wanted: PoolKey) -> PooledKey | None:
        return self.keys.get(key_name(wanted))

    def free_lent(self, spec: str, usage: str) -> PooledKey | None:
        """The lowest lent key of that kind that nobody holds and that was restored."""
        free = [
            k
            for k in self.keys.values()
            if k.lent and (k.spec, k.usage) == (spec, usage) and not k.holder and not k.retired
        ]
        return min(free, key=lambda k: k.slot, default=None)

    def lent_count(self, spec: str, usage: str) -> int:
        return sum(1 for k in self.keys.values() if k.lent and (k.spec, k.usage) == (spec, usage))

    def total_created(self) -> dict[str, int]:
        """What all processes made, summed by kind."""
        total: dict[str, int] = {}
        for counts in self.created.values():
            for kind, count in counts.items():
                total[kind] = total.get(kind, 0) + count
        return total

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunState:
        return cls(
            **{
                **data,
                "roles": {k: RunRole(**v) for k, v in data.get("roles", {}).items()},
                "keys": {k: PooledKey(**v) for k, v in data.get("keys", {}).items()},
            }
        )


def key_name(wanted: PoolKey) -> str:
    return f"{'lent' if wanted.lent else 'shared'}/{wanted.spec}/{wanted.usage}/{wanted.slot}"


class RunRegistry:
    """The run's registry file in ``directory`` (which must exist)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._file = self.directory / FILE
        self._lock = self.directory / LOCK

    @contextmanager
    def open(self) -> Iterator[RunState]:
        """The state, to read and change while no other process or thread can; written back
        when the block ends, also by an exception (what was recorded before it stands: a role
        entered before its creation failed is still removed at the end)."""
        with _locked(self._lock):
            state = self._load()
            try:
                yield state
            finally:
                scratch = self._file.with_suffix(".tmp")
                scratch.write_text(json.dumps(state.to_json(), sort_keys=True), encoding="utf-8")
                os.replace(scratch, self._file)  # a reader never sees half a file

    def read(self) -> RunState:
        """The state as it is now (a copy: changing it changes nothing)."""
        with _locked(self._lock):
            return self._load()

    def _load(self) -> RunState:
        try:
            text = self._file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return RunState()
        return RunState.from_json(json.loads(text))


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (a file of its own: released when it is closed)."""
    if fcntl is None:
        with _IN_PROCESS:
            yield
        return
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
