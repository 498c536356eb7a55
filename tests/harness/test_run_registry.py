"""One pool per run across processes (run_registry.py, pool.py): processes asking for the same
shared key at once get one key, made once; a lent key is never held by two scenarios at once.

Each process here is what an xdist worker is: a KeyPool of its own on the run's registry
directory. KMS is a stand-in that writes each key it makes to a file (so the count spans
processes) and is slow to answer, which widens every race the lock must close.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from firehose_conformance import actions
from firehose_conformance.pool import KeyPool
from firehose_conformance.resources import SYMMETRIC, PoolKey, RunPlan, ScenarioDemand
from firehose_conformance.run_registry import RunRegistry
from firehose_conformance.targets.base import Ledger

WORKERS = 6
SHARED = PoolKey(*SYMMETRIC)
LENT = PoolKey(*SYMMETRIC, lent=True)


class SlowKms:
    def __init__(self, made: Path) -> None:
        self.made = made

    def create_key(self, **params: Any) -> dict[str, Any]:
        time.sleep(0.05)
        key_id = uuid.uuid4().hex
        with self.made.open("a") as out:
            out.write(key_id + "\n")
        return {"KeyMetadata": {"KeyId": key_id, "Arn": f"arn:aws:kms:r:1:key/{key_id}"}}


class FakeTarget:
    """What KeyPool and actions.create_key need of a target."""

    run_id = "abc123"

    def __init__(self, made: Path) -> None:
        self.kms = SlowKms(made)
        self.ledger = Ledger()

    def resource_tags(self) -> dict[str, str]:
        return {}

    def made(self, kind: str, name: str) -> None:
        pass


def _ask_shared(directory: str, worker: str, start: float, made: str) -> None:
    pool = KeyPool(RunRegistry(directory), worker)
    time.sleep(max(0.0, start - time.time()))  # every process asks at the same moment
    for _ in range(3):
        pool.key(FakeTarget(Path(made)), SHARED)


def _borrow(directory: str, worker: str, start: float, made: str, held: str) -> None:
    """Three scenarios one after the other, each holding a lent key for a while."""
    pool = KeyPool(RunRegistry(directory), worker)
    time.sleep(max(0.0, start - time.time()))
    for _ in range(3):
        target = FakeTarget(Path(made))
        key = pool.key(target, LENT)
        began = time.time()
        time.sleep(0.03)
        ended = time.time()
        with open(held, "a") as out:  # the hold ends before the key is given back
            out.write(json.dumps([key.key_id, began, ended]) + "\n")
        assert target.ledger.unwind() == []  # the scenario's teardown gives it back


def _processes(target: Any, *args: Any) -> None:
    context = multiprocessing.get_context("fork")  # the test's stand-in for restore_key too
    start = time.time() + 0.5
    procs = [
        context.Process(target=target, args=(args[0], f"gw{n}", start, *args[1:]))
        for n in range(WORKERS)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0


def test_processes_asking_at_once_for_a_shared_key_get_one_key_made_once(tmp_path: Path) -> None:
    made = tmp_path / "made"
    _processes(_ask_shared, str(tmp_path), str(made))
    assert len(made.read_text().split()) == 1
    state = RunRegistry(tmp_path).read()
    (entry,) = state.keys.values()
    assert entry.uses == 3 * WORKERS and entry.key_id == made.read_text().strip()


def test_a_lent_key_is_never_held_by_two_scenarios_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(actions, "restore_key", lambda target, key: time.sleep(0.01))
    made, held = tmp_path / "made", tmp_path / "held"
    _processes(_borrow, str(tmp_path), str(made), str(held))
    holds = [json.loads(line) for line in held.read_text().splitlines()]
    assert len(holds) == 3 * WORKERS
    by_key: dict[str, list[tuple[float, float]]] = {}
    for key_id, began, ended in holds:
        by_key.setdefault(key_id, []).append((began, ended))
    for spans in by_key.values():
        spans.sort()
        for (_, ended), (began, _) in itertools.pairwise(spans):
            assert ended <= began, "one lent key held by two scenarios at once"
    keys = made.read_text().split()
    assert set(by_key) <= set(keys) and 1 < len(keys) <= WORKERS  # reused, never more than held
    state = RunRegistry(tmp_path).read()
    assert all(not k.holder for k in state.keys.values())  # every one given back
    assert sum(k.uses for k in state.keys.values()) == 3 * WORKERS


def test_a_key_that_cannot_be_restored_is_never_lent_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(target: Any, key: Any) -> None:
        raise AssertionError("the key stays disabled")

    monkeypatch.setattr(actions, "restore_key", broken)
    pool = KeyPool(RunRegistry(tmp_path), "serial")
    first_target = FakeTarget(tmp_path / "made")
    first = pool.key(first_target, LENT)
    first_target.ledger.unwind()
    second = pool.key(FakeTarget(tmp_path / "made"), LENT)
    assert second != first
    record = pool.record()
    assert record["lent symmetric #1"]["retired"] == "AssertionError: the key stays disabled"
    assert "retired" not in record["lent symmetric #2"]


def test_the_lent_keys_a_run_makes_at_most_with_scenarios_in_flight() -> None:
    plan = RunPlan()
    for lent in (2, 1, 1, 0):
        demand = ScenarioDemand()
        for slot in range(lent):
            demand.keys[f"K{slot}"] = PoolKey(*SYMMETRIC, slot, lent=True)
        demand.keys["S"] = SHARED
        plan.add(demand)
    demand = ScenarioDemand(keys={"R": PoolKey("RSA_2048", "ENCRYPT_DECRYPT", 0, lent=True)})
    plan.add(demand)
    assert sum(1 for k in plan.pool_keys() if k.lent) == 3  # one scenario at a time: 2 + 1
    assert plan.lent_at_most(1) == 3
    assert plan.lent_at_most(2) == 4  # the two that hold most: 2 + 1, and the RSA one
    assert plan.lent_at_most(16) == 5  # every borrower at once


def test_without_fcntl_a_lock_of_the_process_serves_its_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no fcntl: a serial run still works (its scenarios' threads share one lock)."""
    import threading

    from firehose_conformance import run_registry

    monkeypatch.setattr(run_registry, "fcntl", None)
    made = tmp_path / "made"
    pool = KeyPool(RunRegistry(tmp_path), "serial")
    threads = [
        threading.Thread(target=pool.key, args=(FakeTarget(made), SHARED)) for _ in range(WORKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made.read_text().split()) == 1
    assert pool.record()["symmetric #1"]["uses"] == WORKERS
