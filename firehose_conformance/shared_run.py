"""One run across pytest-xdist workers: one run id and one registry for all of them.

Under ``run -n N`` every worker makes a target of its own. On the aws target that must not be N
runs: the controller names one run id and one registry directory (run_registry.py) in each
worker's ``workerinput``, and each worker's target joins that run (``Target.join_run``). So
everything the run makes is named ``fsc-<run id>-…`` and tagged with that one id (the sweep
command the plan prints finds all of it, whichever worker made it), the delivery role and the
pooled keys are made once, and each worker records there what it made. Once every worker is
down, the controller closes the run (a target of its own joins it and closes: the aws target
removes the run-level resources, which no worker can use any more, and prints what the whole
run created beside what the plan said), and the results record the registry's sums rather
than the counts of whichever worker reported first. Other targets ignore the run (their
workers share nothing). Registered where pytest-xdist is installed (plugin.py), as
scheduling.py is.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import pytest

from firehose_conformance.errors import UsageError
from firehose_conformance.pool import record
from firehose_conformance.run_registry import RunRegistry

INPUT = "fsc_run"  # workerinput key: {"run_id": ..., "directory": ...}
_KEY = pytest.StashKey["SharedRun"]()


@dataclass(frozen=True)
class SharedRun:
    """The run a process belongs to; ``worker`` is its xdist id ("gw3"), "" for the
    controller."""

    run_id: str
    directory: str
    worker: str
    workers: int

    @property
    def index(self) -> int:
        found = re.fullmatch(r"gw(\d+)", self.worker)
        return int(found.group(1)) if found else 0

    @property
    def registry(self) -> RunRegistry:
        return RunRegistry(self.directory)


def of_worker(config: pytest.Config) -> SharedRun | None:
    """In an xdist worker of a run: the run it belongs to (None elsewhere)."""
    workerinput = getattr(config, "workerinput", None)
    if not workerinput or INPUT not in workerinput:
        return None
    given = workerinput[INPUT]
    return SharedRun(
        given["run_id"],
        given["directory"],
        str(workerinput["workerid"]),
        int(workerinput["workercount"]),
    )


@pytest.hookimpl
def pytest_configure_node(node: Any) -> None:
    """The controller names the run (once) in each worker's input."""
    config = node.config
    if _KEY not in config.stash:
        config.stash[_KEY] = SharedRun(
            uuid.uuid4().hex[:6],
            tempfile.mkdtemp(prefix="fsc-registry-"),
            "",
            int(node.workerinput["workercount"]),
        )
    run = config.stash[_KEY]
    node.workerinput[INPUT] = {"run_id": run.run_id, "directory": run.directory}


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session: pytest.Session) -> Generator[None, None, None]:
    """After xdist has brought every worker down: close the run (before the results, which
    the project's plugin writes last)."""
    try:
        return (yield)
    finally:
        close_run(session.config)


def close_run(config: pytest.Config) -> None:
    """The controller's end of a run some worker's target joined: a target of its own joins
    the run and closes it (the aws target: the run-level resources removed, the run's line)."""
    run = config.stash.get(_KEY, None)
    if run is None or not run.registry.read().joined:
        return
    from firehose_conformance.plugin import target_options, uncaptured
    from firehose_conformance.targets import make_target

    try:
        with uncaptured(config):
            made = make_target(config.getoption("--target"), **target_options(config))
    except (UsageError, pytest.UsageError) as error:
        print(
            f"run {run.run_id}: could not close the run ({error}); what it made once for all "
            f"workers is left: firehose-conformance sweep --target {config.getoption('--target')}"
            f" ... --run-id {run.run_id} removes it",
            file=sys.stderr,
        )
        return
    made.join_run(run)
    made.close()


def merged_identity(config: pytest.Config, identity: dict[str, Any] | None) -> Any:
    """The target's identity for the results: under xdist, the run's resources as the
    registry sums them over every worker (a worker's report carries its own counts only)."""
    run = config.stash.get(_KEY, None)
    if run is None or not identity or "resources" not in identity:
        return identity
    state = run.registry.read()
    if not state.joined:
        return identity
    resources = {
        "planned": state.planned,
        "created": state.total_created(),
        "pooled_keys": record(state),
    }
    return {**identity, "resources": resources}


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(_KEY, None)
    if run is not None:
        shutil.rmtree(run.directory, ignore_errors=True)
