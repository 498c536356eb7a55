"""run -n N's scheduler: @alone scenarios first, with no other scenario in flight."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from firehose_conformance.alone_first import AloneFirstScheduling, longest_first
from firehose_conformance.scheduling import (
    TYPICAL_DURATIONS,
    previous_durations,
    pytest_xdist_make_scheduler,
    read_alone,
    read_durations,
    write_alone,
)


class FakeNode:
    """What the scheduler sees of an xdist worker: items sent, and a shutdown."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[int] = []
        self.shutting_down = False
        self.gateway = SimpleNamespace(id=name)

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent.extend(indices)

    def shutdown(self) -> None:
        self.shutting_down = True


def _config(workers: int) -> SimpleNamespace:
    options = {"maxschedchunk": None, "fsc_alone_first": True, "tx": [], "numprocesses": workers}
    return SimpleNamespace(
        getoption=options.get, getvalue=options.get, option=SimpleNamespace(**options)
    )


COLLECTION = [
    "steps/test_spec.py::test_a",
    "steps/test_spec.py::test_quota",
    "steps/test_spec.py::test_b",
    "steps/test_spec.py::test_rate",
    "steps/test_spec.py::test_c",
    "steps/test_spec.py::test_d",
    "steps/test_spec.py::test_e",
]


def _scheduler(workers: int, monkeypatch: pytest.MonkeyPatch) -> tuple[AloneFirstScheduling, list]:
    monkeypatch.setattr(
        "xdist.scheduler.load.parse_tx_spec_config", lambda config: ["popen"] * workers
    )
    alone = {n for n in COLLECTION if n.endswith(("_quota", "_rate", "::a", "::b"))}
    scheduler = AloneFirstScheduling(_config(workers), None, lambda: alone)
    nodes = [FakeNode(f"gw{i}") for i in range(workers)]
    for node in nodes:
        scheduler.add_node(node)
        scheduler.add_node_collection(node, COLLECTION)
    scheduler.schedule()
    return scheduler, nodes


def _run_next(scheduler: AloneFirstScheduling, node: FakeNode) -> int:
    """The node finishes the item it is running (the first it holds)."""
    index = scheduler.node2pending[node][0]
    scheduler.mark_test_complete(node, index)
    return index


def test_alone_items_run_first_on_one_worker_while_the_others_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scheduler, (first, second, third) = _scheduler(3, monkeypatch)
    # The two alone items, then one successor (a worker starts an item once it knows the next).
    assert first.sent == [1, 3, 0]
    assert second.sent == third.sent == []
    assert not (second.shutting_down or third.shutting_down)
    assert _run_next(scheduler, first) == 1
    assert second.sent == third.sent == []  # one alone item still to run: nobody else starts
    assert _run_next(scheduler, first) == 3
    # The last alone one is done: every worker is topped up to two items.
    assert first.sent == [1, 3, 0, 2]
    assert second.sent == [4, 5] and third.sent == [6]
    while scheduler.has_pending:
        for node in (first, second, third):
            if scheduler.node2pending[node]:
                _run_next(scheduler, node)
    assert sorted(first.sent + second.sent + third.sent) == list(range(len(COLLECTION)))
    assert first.shutting_down and second.shutting_down and third.shutting_down


def test_without_alone_items_every_worker_starts_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.harness.test_alone_first.COLLECTION", [f"t::{i}" for i in range(5)])
    _, (first, second) = _scheduler(2, monkeypatch)
    assert first.sent == [0, 1] and second.sent == [2, 3]


def test_only_alone_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.harness.test_alone_first.COLLECTION", ["t::a", "t::b"])
    _, (first, second) = _scheduler(2, monkeypatch)
    assert first.sent == [0, 1] and first.shutting_down
    assert second.sent == [] and second.shutting_down


def test_workers_name_their_alone_items_in_files_the_scheduler_reads(tmp_path) -> None:
    for worker in ("gw0", "gw1"):
        config = SimpleNamespace(workerinput={"workerid": worker, "fsc_alone_dir": str(tmp_path)})
        write_alone(config, ["steps/test_spec.py::test_rate"])
    assert read_alone(str(tmp_path)) == {"steps/test_spec.py::test_rate"}
    write_alone(SimpleNamespace(), ["x"])  # not a worker of such a run: nothing written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gw0.json", "gw1.json"]


def test_a_first_run_is_ordered_by_the_typical_durations_shipped_with_the_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No previous results: the packaged durations (one moto_server run) order the scenarios."""
    monkeypatch.setattr("xdist.scheduler.load.parse_tx_spec_config", lambda config: ["popen"])
    options = {"fsc_alone_first": False, "fsc_longest_first": None, "maxschedchunk": None}
    config = SimpleNamespace(
        getoption=lambda name, default=None: options.get(name, default),
        getvalue=options.get,
        option=SimpleNamespace(**options),
    )
    typical = read_durations(TYPICAL_DURATIONS)
    assert previous_durations(config) == typical
    assert sum(d > 20 for d in typical.values()) >= 5  # the long waits it is there to spread
    assert isinstance(pytest_xdist_make_scheduler(config, None), AloneFirstScheduling)


def test_the_typical_durations_name_only_scenarios_the_spec_has() -> None:
    """A renamed or removed scenario leaves a stale entry: remake the file
    (bench/typical_durations.py says how)."""
    from firehose_conformance.runner import collect

    collected = {item.nodeid for item in collect().items}
    stale = sorted(set(read_durations(TYPICAL_DURATIONS)) - collected)
    assert stale == [], f"typical_durations.json names scenarios the spec lacks: {stale[:3]}"
    assert len(read_durations(TYPICAL_DURATIONS)) >= 0.9 * len(collected)


def test_a_previous_run_s_durations_hand_the_rest_out_longest_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unknown items count as long (first); ties keep the collection order; alone ones stay
    first, whatever their durations."""
    collection = [f"t::{i}" for i in range(6)]
    durations = {"t::0": 1.0, "t::1": 27.0, "t::3": 5.0, "t::4": 27.0, "t::5": 0.1}
    assert longest_first(list(range(6)), collection, durations) == [2, 1, 4, 3, 0, 5]
    assert longest_first([0, 1, 2], collection, {}) == [0, 1, 2]
    monkeypatch.setattr("xdist.scheduler.load.parse_tx_spec_config", lambda config: ["popen"] * 2)
    scheduler = AloneFirstScheduling(_config(2), None, lambda: {"t::5"}, durations)
    first, second = FakeNode("gw0"), FakeNode("gw1")
    for node in (first, second):
        scheduler.add_node(node)
        scheduler.add_node_collection(node, collection)
    scheduler.schedule()
    assert first.sent == [5, 2]  # the alone one, then the longest (unknown) as its successor
    # The alone one is done: everyone is topped up, longest first, except that behind a long
    # item (2: unknown; 1: 27 s, above the average) waits the shortest left.
    _run_next(scheduler, first)
    assert (first.sent, second.sent) == ([5, 2, 0], [1, 3])


def test_the_longest_items_start_on_different_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four long and six short items on four workers: each worker starts one long item with a
    short one queued behind it, never two long ones in a row; then the rest, longest first."""
    collection = [f"t::{i}" for i in range(10)]
    durations = {f"t::{i}": 27.0 - i for i in range(4)}
    durations |= {f"t::{i}": 0.1 * i for i in range(4, 10)}
    monkeypatch.setattr("xdist.scheduler.load.parse_tx_spec_config", lambda config: ["popen"] * 4)
    options = {"maxschedchunk": None, "fsc_alone_first": False, "tx": [], "numprocesses": 4}
    config = SimpleNamespace(getoption=options.get, getvalue=options.get)
    scheduler = AloneFirstScheduling(config, None, set, durations)
    nodes = [FakeNode(f"gw{i}") for i in range(4)]
    for node in nodes:
        scheduler.add_node(node)
        scheduler.add_node_collection(node, collection)
    scheduler.schedule()
    assert [node.sent for node in nodes] == [[0, 4], [1, 5], [2, 6], [3, 7]]
    _run_next(scheduler, nodes[0])  # 0 is done, short 4 runs: the longest left queues behind it
    assert nodes[0].sent == [0, 4, 9]


def test_durations_come_from_a_results_file_and_a_bad_one_gives_no_order(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("xdist.scheduler.load.parse_tx_spec_config", lambda config: ["popen"])
    results = tmp_path / "r.json"
    results.write_text('{"scenarios": [{"nodeid": "t::1", "duration_s": 27.5}]}')

    def config(path: object) -> SimpleNamespace:
        options = {"fsc_longest_first": path, "fsc_alone_first": False, "maxschedchunk": None}
        return SimpleNamespace(
            getoption=lambda name, default=None: options.get(name, default),
            getvalue=options.get,
            option=SimpleNamespace(**options),
        )

    assert previous_durations(config(str(results))) == {"t::1": 27.5}
    assert isinstance(pytest_xdist_make_scheduler(config(str(results)), None), AloneFirstScheduling)
    for bad in ("{", '{"scenarios": [{}]}', "[]"):
        results.write_text(bad)
        assert previous_durations(config(str(results))) == {}
    assert previous_durations(config(str(tmp_path / "missing.json"))) == {}
    assert previous_durations(config(None)) == read_durations(TYPICAL_DURATIONS)  # a first run


class Timeline:
    """On the controller: when each scenario started and ended (xdist forwards both)."""

    def __init__(self) -> None:
        self.spans: dict[str, list[float]] = {}

    def pytest_runtest_logstart(self, nodeid: str, location: object) -> None:
        self.spans[nodeid] = [time.monotonic(), float("inf")]

    def pytest_runtest_logfinish(self, nodeid: str, location: object) -> None:
        self.spans[nodeid][1] = time.monotonic()


@pytest.mark.slow
def test_in_a_run_no_scenario_is_in_flight_while_an_alone_one_runs() -> None:
    from firehose_conformance.runner import Selection, run_suite

    timeline = Timeline()
    selection = Selection.requirements(["API-08", "API-13", "SSE-02", "API-04"])
    # alone_first: as where workers share an account (an in-process target needs it not).
    run = run_suite(selection=selection, workers=3, alone_first=True, plugins=[timeline])
    alone = {s.nodeid for s in run.results.scenarios if {"API-08", "API-13"} & set(s.requirements)}
    spans = timeline.spans
    assert len(alone) == 3 and alone <= set(spans) and len(spans) > 10
    for nodeid in alone:
        start, end = spans[nodeid]
        overlapping = [n for n, (s, e) in spans.items() if n != nodeid and s < end and e > start]
        assert overlapping == [], f"{nodeid} ran alongside {overlapping}"


@pytest.mark.parametrize("workers", [0, 2])
def test_run_orders_by_the_results_it_replaces_only_with_workers(
    tmp_path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    from firehose_conformance.cli import main
    from firehose_conformance.runner import NothingSelected

    asked: list[object] = []

    def fake_run_suite(*args: object, **kwargs: object) -> None:
        asked.append(kwargs["longest_first"])
        raise NothingSelected("nothing (a test)")

    monkeypatch.setattr("firehose_conformance.commands.run.run_suite", fake_run_suite)
    results = tmp_path / "r.json"
    argv = ["run", "-n", str(workers), "--results", str(results)]
    assert main(argv) == NothingSelected.exit_code
    results.write_text("{}")  # a previous run's results (unreadable ones only give no order)
    assert main(argv) == NothingSelected.exit_code
    assert asked == [None, results if workers else None]
