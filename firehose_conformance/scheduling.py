"""How ``run -n N`` hands scenarios to its pytest-xdist workers: ``@alone`` ones first, by
themselves, then every other scenario with many in flight at once.

Against a target that really waits (an emulator, a served reference on the real clock, an
account), a worker spends nearly all its time asleep in a poll, so many light workers keep many
scenarios in flight on two cores. Each worker acts in an account of its own where the target
allows it (``targets/endpoint.py``), so workers share no quota and no rate limit. A scenario
tagged ``@alone`` observes an account-wide limit (API-08's five calls per second, the quotas
of @scale): it must run where nothing else competes, also on a target whose workers share one
account (``aws``). So the ``@alone`` scenarios run first, one after the other on one worker,
while every other worker waits; only when the last of them is done do the others start. One
session, one results document; the verdicts do not depend on the order.

Given a previous run's results (``--longest-first FILE``; ``run -n N`` passes the results file
it is about to replace, when there is one for the same target), the other scenarios are handed
out longest first, so that a long wait does not start last and hold the run's end (moto_server
at -n 16: the metric scenarios take ~26 s each). Without one (a first run, a CI job on a fresh
clone) the durations come from ``typical_durations.json``, shipped with the package: one run
against moto_server with CI's wait bounds (how it was made is in the file;
``bench/typical_durations.py`` remakes it), as pytest-split keeps stored durations to balance
CI. A scenario the durations do not know counts as long. Only the order changes; each
scenario's verdict does not depend on it.

The xdist controller collects nothing, so it cannot see tags: each worker writes the nodeids of
its ``@alone`` items to a file in a directory the controller names in its ``workerinput``, and
the scheduler reads them once every worker has collected. (xdist's own groups cannot carry this:
``--dist loadgroup`` marks an item by rewriting ``item._nodeid``, which pytest 9 no longer reads.)
This module is registered only where pytest-xdist is installed (an optional dependency).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

ALONE = "alone"  # the tag
OPTION = "--alone-first"  # run's workers: the scheduler below
LONGEST_FIRST = "--longest-first"  # a previous results file: its durations order the rest
_DIRECTORY = "fsc_alone_dir"  # workerinput key: where workers write their @alone nodeids
_DIRECTORY_KEY = pytest.StashKey[str]()
TYPICAL_DURATIONS = Path(__file__).with_name("typical_durations.json")


def wanted(config: pytest.Config) -> bool:
    return bool(config.getoption("fsc_alone_first", False))


def previous_durations(config: pytest.Config) -> dict[str, float]:
    """Each scenario's duration in the previous run's results (``--longest-first FILE``), else
    in the typical durations shipped with the package. Only an ordering hint: a file that
    cannot be read gives no order, not an error (the run it would speed up is still right)."""
    path = config.getoption("fsc_longest_first", None)
    return read_durations(Path(path) if path else TYPICAL_DURATIONS)


def read_durations(path: Path) -> dict[str, float]:
    """nodeid -> seconds from a results document (or any JSON with its ``scenarios`` list of
    ``nodeid`` and ``duration_s``); {} if it cannot be read."""
    try:
        scenarios = json.loads(path.read_text(encoding="utf-8"))["scenarios"]
        return {str(s["nodeid"]): float(s["duration_s"]) for s in scenarios}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_alone(config: pytest.Config, nodeids: list[str]) -> None:
    """In a worker of such a run: the nodeids of the ``@alone`` items, for the scheduler."""
    workerinput = getattr(config, "workerinput", None)
    if not workerinput or _DIRECTORY not in workerinput:
        return
    path = Path(workerinput[_DIRECTORY]) / f"{workerinput['workerid']}.json"
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps(nodeids))
    scratch.replace(path)  # the scheduler never reads half a file


def read_alone(directory: str) -> set[str]:
    found: set[str] = set()
    for path in Path(directory).glob("*.json"):
        found.update(json.loads(path.read_text()))
    return found


@pytest.hookimpl
def pytest_configure_node(node: Any) -> None:
    """The controller names the directory in each worker's input."""
    config = node.config
    if not wanted(config):
        return
    if _DIRECTORY_KEY not in config.stash:
        config.stash[_DIRECTORY_KEY] = tempfile.mkdtemp(prefix="fsc-alone-")
    node.workerinput[_DIRECTORY] = config.stash[_DIRECTORY_KEY]


@pytest.hookimpl(tryfirst=True)  # before xdist's own choice of scheduler
def pytest_xdist_make_scheduler(config: Any, log: Any) -> Any:
    durations = previous_durations(config)
    if not wanted(config) and not durations:
        return None
    from firehose_conformance.alone_first import AloneFirstScheduling

    alone = (lambda: _alone_of(config)) if wanted(config) else set
    return AloneFirstScheduling(config, log, alone, durations)


def _alone_of(config: Any) -> set[str]:
    directory = config.stash.get(_DIRECTORY_KEY, None)
    return read_alone(directory) if directory else set()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    directory = config.stash.get(_DIRECTORY_KEY, None)
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
