"""The pytest plugin behind ``firehose-conformance run``: targets, capability gating, verdicts.

Verdicts come from pytest's own reports and pytest-bdd's hooks, not from ``--cucumberjson``
(which reports skips as passes and is empty under xdist). Each report carries its verdict in
``user_properties``, which survive the trip from an xdist worker to the controller.

A verdict is earned by an exercised path (verdicts.py): a Then step that holds *observes* the
requirements it checks (those a ``# checks:`` comment above it names, else every requirement of
its scenario), unless a step found that the target took another documented path on which their
situation never arises (``World.not_exercised``). A scenario whose checks held passes when it
observed something, and is not applicable otherwise. A failing step is charged to what it
checks; a failing Given step is set-up trouble (``error``, "could not set up: ...").

What the target's cost policy leaves out (cost_policy.py: the aws target's @slow and @scale
scenarios, key-spec rows beyond one per key family) is deselected at collection, after ``-m`` and
``-k``, and recorded with its rule: a cost choice (``not_selected``), never a verdict.

A run that is stopped (SIGINT, SIGTERM: a ``KeyboardInterrupt``; ``-x``) still gets its results,
written after the teardown: the scenario that was running is ``interrupted``, the selected ones it
never reached ``not_run``, and the document says ``"interrupted": true``. Under xdist the
controller learns which scenarios were selected from the first report of a worker.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shlex
import signal
import threading
import time
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry

from firehose_conformance.capabilities import CAPABILITY_TAGS, Capability
from firehose_conformance.catalog import DEFAULT_CATALOG, load_catalog
from firehose_conformance.cost_policy import Candidate, CostPolicy, Rule
from firehose_conformance.errors import UsageError, Violation
from firehose_conformance.features import step_checks
from firehose_conformance.interrupts import raise_interrupt, signal_name
from firehose_conformance.locations import spec_nodeid
from firehose_conformance.provenance import provenance
from firehose_conformance.results import LeftOut, ScenarioResult, build_results, write_results
from firehose_conformance.runner import Selection
from firehose_conformance.scheduling import ALONE, LONGEST_FIRST, OPTION, write_alone
from firehose_conformance.spec_facts import REQUIREMENT_ID, requirement_ids
from firehose_conformance.targets import make_target, target_class
from firehose_conformance.targets.base import Target
from firehose_conformance.targets.options import add_target_option, parse_target_options
from firehose_conformance.verdicts import (
    SETUP_PREFIX,
    SUITE_DEFECT_PREFIX,
    Verdict,
    cause_of,
    classify_exception,
)
from firehose_conformance.world import Observations

OTHER_TAGS = {
    "scale": "needs hundreds or thousands of resources (BB-scale)",
    "slow": "takes long on a real account (BB-slow)",
    ALONE: "observes an account-wide limit: runs with no other scenario in flight (run -n N)",
}
_VERDICT_KEY = "fsc_verdict"
_STEP_KEY = pytest.StashKey[str]()
_OBSERVATIONS_KEY = pytest.StashKey[Observations]()
_OUTCOME_KEY = pytest.StashKey[dict[str, Any]]()  # the verdict a failing step decided
_TEARDOWN_KEY = pytest.StashKey[str]()
_TARGET_KEY = pytest.StashKey[Target]()
_COLLECTOR_KEY = pytest.StashKey["Collector"]()
_SELECTION_KEY = "fsc_selection"  # a worker's selected scenarios, on its first report


def pytest_addoption(parser: pytest.Parser) -> None:
    # Destinations of our own (fsc_*): no other plugin's option shares them, and the pytest
    # entry point (pytest_plugin.py, --fc-* options) sets them before it registers this plugin.
    group = parser.getgroup("firehose-conformance")
    group.addoption(
        "--target", default="reference", help="the implementation to check", dest="fsc_target"
    )
    add_target_option(
        group.addoption, help="an option for the target (repeatable)", dest="fsc_target_option"
    )
    group.addoption(
        "--results", default=None, help="write the results JSON here", dest="fsc_results"
    )
    group.addoption(
        OPTION,
        action="store_true",
        default=False,
        help="with -n N: the @alone scenarios first, with no other in flight",
        dest="fsc_alone_first",
    )
    group.addoption(
        LONGEST_FIRST,
        default=None,
        metavar="FILE",
        help="with -n N: hand the scenarios out longest first, by their durations in this "
        "results file (a previous run's)",
        dest="fsc_longest_first",
    )
    group.addoption(
        "--catalog",
        default=str(DEFAULT_CATALOG),
        help="the requirement catalog",
        dest="fsc_catalog",
    )


def target_options(config: pytest.Config) -> dict[str, str]:
    try:
        return parse_target_options(config.getoption("--target-option"))
    except UsageError as error:
        raise pytest.UsageError(str(error)) from None


def pytest_configure(config: pytest.Config) -> None:
    try:
        catalog = load_catalog(Path(config.getoption("--catalog")))
    except Exception as error:
        raise pytest.UsageError(str(error)) from None
    for rid in catalog:
        config.addinivalue_line("markers", f"{rid}: checks requirement {rid}")
    for capability in Capability:
        config.addinivalue_line("markers", f"{capability.value}: {capability.description}")
    for tag, text in OTHER_TAGS.items():
        config.addinivalue_line("markers", f"{tag}: {text}")
    unknown = Selection(markers=config.getoption("markexpr", "") or "").unknown_requirements(
        catalog
    )
    if unknown:
        raise pytest.UsageError(
            f"-m names {', '.join(unknown)}: not a requirement ID of the catalog "
            "(firehose-conformance requirements lists them)"
        )
    if config.pluginmanager.hasplugin("xdist"):  # run -n N: @alone scenarios by themselves
        from firehose_conformance import scheduling, shared_run

        if not config.pluginmanager.is_registered(scheduling):
            config.pluginmanager.register(scheduling, "fsc-scheduling")
        if not config.pluginmanager.is_registered(shared_run):  # one run, not one per worker
            config.pluginmanager.register(shared_run, "fsc-shared-run")
    config.stash[_COLLECTOR_KEY] = Collector(config, catalog)
    config.pluginmanager.register(config.stash[_COLLECTOR_KEY], "fsc-collector")
    if hasattr(config, "workerinput") and config.getoption("--results"):
        _worker_signals()


def _worker_signals() -> None:
    """An xdist worker of a suite run stops when its controller says so, once: it ignores
    SIGINT (Ctrl-C on a terminal reaches the whole process group, the controller included)
    and takes SIGTERM, which the controller sends each worker when it is interrupted, as a
    KeyboardInterrupt, so its scenario and target are torn down as in a serial run."""
    if threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, raise_interrupt)


def selection_text(config: pytest.Config) -> str:
    """The filter the run was given, as typed: ``-m 'SSE-02 or SSE-03' -k ENABLING``."""
    parts = []
    for flag, dest in (("-m", "markexpr"), ("-k", "keyword")):
        value = config.getoption(dest, "") or ""
        if value:
            parts.append(f"{flag} {shlex.quote(value)}")
    return " ".join(parts)


def _tags(item: pytest.Item) -> set[str]:
    return {mark.name for mark in item.iter_markers()}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    catalog = config.stash[_COLLECTOR_KEY].catalog
    unknown: dict[str, list[str]] = {}
    write_alone(config, [item.nodeid for item in items if ALONE in _tags(item)])
    for item in items:
        for tag in _tags(item):
            if REQUIREMENT_ID.match(tag) and tag not in catalog:
                unknown.setdefault(tag, []).append(item.nodeid)
    if unknown:
        listing = "; ".join(f"@{tag} in {nodes[0]}" for tag, nodes in sorted(unknown.items()))
        raise pytest.UsageError(f"scenarios name requirements not in the catalog: {listing}")


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The implementation under test, one per process (xdist workers make their own)."""
    config = request.config
    try:
        with uncaptured(config):  # what it says (the aws target's plan) reaches the terminal
            made = make_target(config.getoption("--target"), **target_options(config))
        run = _shared_run(config)
        if run is not None:
            made.join_run(run)
    except (UsageError, ValueError) as error:
        pytest.exit(str(error), returncode=2)
    config.stash[_TARGET_KEY] = made
    yield made
    made.close()


@pytest.fixture
def scenario_target(request: pytest.FixtureRequest, target: Target) -> Iterator[Target]:
    """The target, prepared for one scenario and cleaned up after it.

    A scenario needing a capability the target lacks is skipped here, before it starts; the
    skip reason names the capability, and the verdict is not_applicable. (What the target's
    cost policy leaves out was never selected: ``Collector.pytest_collection_modifyitems``.)
    """
    needed = sorted(tag for tag in _tags(request.node) if tag in CAPABILITY_TAGS)
    missing = [Capability(tag) for tag in needed if not target.has(Capability(tag))]
    if missing:
        names = ", ".join(f"@{c.value} ({c.description})" for c in missing)
        pytest.skip(f"target {target.name!r} lacks {names}")
    target.start_scenario()
    yield target
    # A leftover is reported beside the scenario's verdict, never instead of it.
    problems = target.finish_scenario()
    if problems:
        request.node.stash[_TEARDOWN_KEY] = "; ".join(problems)


def observations_of(item: pytest.Item) -> Observations:
    """The scenario's observations (made on first use, with its requirement tags)."""
    found = item.stash.get(_OBSERVATIONS_KEY, None)
    if found is None:
        found = Observations(tags=frozenset(requirement_ids(_tags(item))))
        item.stash[_OBSERVATIONS_KEY] = found
    return found


@pytest.fixture
def fsc_observations(request: pytest.FixtureRequest) -> Observations:
    """What this scenario's checks observed; steps reach it as ``world.observations``."""
    return observations_of(request.node)


_CHECKS_CACHE: dict[str, dict[int, tuple[str, ...]]] = {}


def _declared(feature: Any, step: Any) -> tuple[str, ...]:
    """The requirements a ``# checks:`` comment above the step names (none: all of them)."""
    path = str(getattr(feature, "filename", "") or "")
    if path not in _CHECKS_CACHE:
        _CHECKS_CACHE[path] = step_checks(Path(path)) if path else {}
    return _CHECKS_CACHE[path].get(step.line_number, ())


def _is_setup(feature: Any, step: Any) -> bool:
    """A Given step (or a Background's) sets the scenario up, unless a ``# checks:`` comment
    says it is itself a check (API-11: making the 5,000 streams is what is checked)."""
    return (step.type == "given" or step.background is not None) and not _declared(feature, step)


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_before_step(request: pytest.FixtureRequest, step: Any, **_: Any) -> None:
    request.node.stash[_STEP_KEY] = f"{step.keyword} {step.name}".strip()


def pytest_bdd_after_step(
    request: pytest.FixtureRequest, feature: Any, step: Any, **_: Any
) -> None:
    """A Then step that held observed what it checks."""
    if step.type == "then" and step.background is None:
        found = observations_of(request.node)
        found.observe(_declared(feature, step) or found.tags)


def pytest_bdd_step_error(
    request: pytest.FixtureRequest, feature: Any, step: Any, exception: Exception, **_: Any
) -> None:
    """Decide the verdict of a failing step, and what it is charged to."""
    item = request.node
    found = observations_of(item)
    verdict, reason = classify_exception(exception)
    cause = cause_of(exception)
    text = f"{step.keyword} {step.name}".strip()
    blocked = sorted(found.tags - found.observed)
    charged: list[str] = []
    if verdict is Verdict.NOT_APPLICABLE:
        reason = f"{text}: {reason}"
    elif _is_setup(feature, step) and not reason.startswith(SUITE_DEFECT_PREFIX):
        # Set-up trouble: the target's infrastructure or another behaviour than the one under
        # test stopped the scenario before it checked anything.
        verdict, reason, charged = Verdict.ERROR, f"{SETUP_PREFIX}{text}: {reason}", blocked
    elif verdict is Verdict.FAILED:
        checks = (
            exception.requirements
            if isinstance(exception, Violation)
            else (_declared(feature, step) or tuple(found.tags))
        )
        charged = sorted(set(checks) & found.tags)
        if not charged:  # a check of another requirement failed: this scenario was not reached
            verdict = Verdict.NOT_APPLICABLE
            reason = f"not reached: {text} checks {', '.join(checks)}, which failed: {reason}"
        else:
            reason = f"{text}: {reason}"
    else:
        charged, reason = blocked, f"{text}: {reason}"
    item.stash[_OUTCOME_KEY] = {
        "verdict": verdict.value,
        "reason": reason,
        "charged": charged,
        "cause": cause,
    }


def _finished(item: pytest.Item) -> dict[str, Any]:
    """The verdict of a scenario whose steps all held: passed if it observed something."""
    found = observations_of(item)
    unexercised: dict[str, list[str]] = {}
    for rid, why in sorted(found.unexercised.items()):
        unexercised.setdefault(why, []).append(rid)
    parts = [f"not exercised: {', '.join(rids)}: {why}" for why, rids in unexercised.items()]
    parts += found.notes
    if found.observed:
        return {"verdict": Verdict.PASSED.value, "reason": "; ".join(parts)}
    if not parts:
        parts = ["no check of the scenario observed what its requirements state"]
    return {"verdict": Verdict.NOT_APPLICABLE.value, "reason": "; ".join(parts)}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Generator:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    found = _phase_verdict(item, call, report)
    if found is not None:
        found.setdefault("charged", [])
        found.setdefault("cause", "")
        observed = item.stash.get(_OBSERVATIONS_KEY, None)
        shown = (
            sorted(observed.observed) if observed and found["verdict"] != "not_applicable" else []
        )
        found["observed"] = shown
        report.user_properties.append((_VERDICT_KEY, found))
    if call.when == "teardown" and _TEARDOWN_KEY in item.stash:
        report.user_properties.append(("fsc_teardown", item.stash[_TEARDOWN_KEY]))
    if call.when == "setup":
        collector = item.config.stash.get(_COLLECTOR_KEY, None)
        if collector is not None and collector.owes_selection():
            report.user_properties.append((_SELECTION_KEY, collector.selection_payload()))
        report.user_properties.append(("fsc_identity", _identity(item)))
        made = item.config.stash.get(_TARGET_KEY, None)
        if made is not None:  # whichever process talked to the target says whom it talked to
            report.user_properties.append(("fsc_target", made.identity()))


def _phase_verdict(
    item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport
) -> dict[str, Any] | None:
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return {"verdict": Verdict.NOT_APPLICABLE.value, "reason": reason.removeprefix("Skipped: ")}
    if report.passed:
        return _finished(item) if call.when == "call" else None
    if call.when == "call" and _OUTCOME_KEY in item.stash:
        return dict(item.stash[_OUTCOME_KEY])
    exc = call.excinfo.value if call.excinfo else None
    tags = sorted(observations_of(item).tags)
    if exc is None:
        return {"verdict": Verdict.ERROR.value, "reason": "failed without an exception"}
    verdict, reason = classify_exception(exc)
    if call.when != "call":
        verdict = Verdict.ERROR if verdict is Verdict.FAILED else verdict
        reason = f"{call.when}: {reason}"
    step = item.stash.get(_STEP_KEY, "")
    if step and call.when == "call":
        reason = f"{step}: {reason}"
    charged = tags if verdict in (Verdict.FAILED, Verdict.ERROR) else []
    return {"verdict": verdict.value, "reason": reason, "charged": charged, "cause": cause_of(exc)}


def _identity(item: pytest.Item) -> dict[str, Any]:
    function = getattr(item, "function", None)
    template = scenario_wrapper_template_registry.get(function) if function else None
    feature, name = "", item.name
    if template is not None:
        feature = template.feature.name
        example = getattr(item, "callspec", None)
        params = example.params.get("_pytest_bdd_example") if example else None
        name = template.render(params).name if params else template.name
        if params and name == template.name:  # a title without <placeholders>: name the row
            name = f"{name} [{', '.join(f'{k}={v}' for k, v in params.items())}]"
    tags = _tags(item)
    return {
        "nodeid": spec_nodeid(item.path, item.nodeid),
        "feature": feature,
        "name": name,
        "requirements": requirement_ids(tags),
        "capabilities": sorted(t for t in tags if t in CAPABILITY_TAGS),
    }


class Collector:
    """Gathers each scenario's verdict from its reports (on the xdist controller too)."""

    def __init__(self, config: pytest.Config, catalog: dict) -> None:
        self.config = config
        self.catalog = catalog
        self.started = time.time()
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.scenarios: dict[str, dict[str, Any]] = {}
        self.target_identity: dict[str, str] | None = None
        # nodeid -> identity of every selected scenario, in order (None: not known yet)
        self.selected: dict[str, dict[str, Any]] | None = None
        self.deselected: dict[str, int] = {}  # requirement ID -> scenarios left out
        # What the target's cost policy left out: per rule (results), and the items (the plan).
        self.left_out: list[LeftOut] = []
        self.left_out_items: list[tuple[pytest.Item, Rule]] = []
        self.items: dict[str, pytest.Item] = {}  # this process's items (not on a controller)
        self.running: dict[str, float] = {}  # nodeid -> when it started, until it finished
        self.stopped = ""  # what ended the run early: "SIGINT", "stopping after 1 failures"
        self.interrupted = False  # by a signal (KeyboardInterrupt)
        self._selection_sent = False
        self.worker_pids: set[int] = set()  # xdist workers that reported (controller)
        self.stopped_at: float | None = None

    # ---- which scenarios the run selected ------------------------------------------------

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            for rid in requirement_ids(_tags(item)):
                self.deselected[rid] = self.deselected.get(rid, 0) + 1

    @pytest.hookimpl(trylast=True)  # after -m and -k: the policy weighs what they selected
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        """Deselect what the target's cost policy leaves out (cost_policy.py), saying why.
        Decided from the items and the options alone, so every xdist worker decides alike."""
        policy, capabilities = _cost_policy(config)
        decision = policy.decide([_candidate(item, capabilities) for item in items])
        if not decision.left_out:
            return
        gone = [(items[i], rule) for i, rule in sorted(decision.left_out.items())]
        items[:] = [item for i, item in enumerate(items) if i not in decision.left_out]
        config.hook.pytest_deselected(items=[item for item, _ in gone])
        self.left_out_items = gone
        groups: dict[str, LeftOut] = {}
        for item, rule in gone:
            group = groups.setdefault(
                rule.name,
                LeftOut(
                    rule.name, rule.reason, rule.include, decision.considered[rule.name], [], {}
                ),
            )
            identity = _identity(item)
            group.scenarios.append(identity["name"])
            for rid in identity["requirements"]:
                group.requirements[rid] = group.requirements.get(rid, 0) + 1
        self.left_out = list(groups.values())

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if _is_controller(self.config):
            return  # an xdist controller collects nothing: its workers tell it
        self.items = {item.nodeid: item for item in session.items}
        self.selected = {item.nodeid: _identity(item) for item in session.items}

    def owes_selection(self) -> bool:
        """An xdist worker sends the selection once, on its first report."""
        return hasattr(self.config, "workerinput") and not self._selection_sent

    def selection_payload(self) -> dict[str, Any]:
        self._selection_sent = True
        return {
            "selected": self.selected or {},
            "deselected": self.deselected,
            "left_out": [dataclasses.asdict(group) for group in self.left_out],
            "pid": os.getpid(),
        }

    # ---- what ran --------------------------------------------------------------------------

    def pytest_runtest_logstart(self, nodeid: str, location: tuple) -> None:
        self.running[nodeid] = time.time()

    def pytest_runtest_logfinish(self, nodeid: str, location: tuple) -> None:
        self.running.pop(nodeid, None)

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """SIGINT (Ctrl-C), or SIGTERM turned into a KeyboardInterrupt; or ``pytest.exit``."""
        error = excinfo.value
        self.stopped_at = time.time()
        if isinstance(error, KeyboardInterrupt):
            self.interrupted = True
            self.stopped = signal_name(error)
            for pid in sorted(self.worker_pids):  # xdist workers ignore SIGINT: tell them once
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGTERM)
        else:
            self.stopped = f"pytest.exit: {getattr(error, 'msg', None) or error}"

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        if _SELECTION_KEY in props:
            payload = props[_SELECTION_KEY]
            self.worker_pids.add(int(payload["pid"]))
            if self.selected is None:
                self.selected = dict(payload["selected"])
                self.deselected = dict(payload["deselected"])
                self.left_out = [LeftOut(**group) for group in payload.get("left_out", [])]
        entry = self._entry(report.nodeid)
        entry["duration"] += report.duration
        if "fsc_teardown" in props:
            entry["teardown"] = props["fsc_teardown"]
        if "fsc_identity" in props:
            entry["identity"] = props["fsc_identity"]
        if self.target_identity is None and "fsc_target" in props:
            self.target_identity = props["fsc_target"]
        found = props.get(_VERDICT_KEY)
        if found is None:
            return
        # The first verdict other than a pass stands (a failed call stays failed whatever the
        # teardown did); a pass is replaced by a later phase's problem (a failing teardown).
        if entry["verdict"] in (None, Verdict.PASSED.value):
            if entry["verdict"] == Verdict.PASSED.value and found["verdict"] != "passed":
                found = {**found, "observed": entry["observed"]}  # what the call phase observed
            entry.update(
                verdict=found["verdict"],
                reason=found["reason"],
                observed=list(found.get("observed", [])),
                charged=list(found.get("charged", [])),
                cause=found.get("cause", ""),
            )

    def _entry(self, nodeid: str) -> dict[str, Any]:
        return self.scenarios.setdefault(
            nodeid,
            {"verdict": None, "reason": "", "duration": 0.0, "identity": None, "teardown": ""},
        )

    def _unfinished(self, nodeid: str, entry: dict[str, Any]) -> None:
        """A scenario the run stopped in: interrupted, unless its verdict was decided before
        (the signal came during its teardown). Its teardown ran at the session's end; what it
        could not remove is reported as for any scenario."""
        item = self.items.get(nodeid)
        if item is not None and _TEARDOWN_KEY in item.stash and not entry["teardown"]:
            entry["teardown"] = item.stash[_TEARDOWN_KEY]
        if entry["verdict"] is not None:
            return
        stopped_by = self.stopped or "the end of the run"
        step = item.stash.get(_STEP_KEY, "") if item is not None else ""
        stopped_at = self.stopped_at or time.time()
        seconds = max(0.0, stopped_at - self.running.get(nodeid, stopped_at))
        where = f" in step: {step}" if step else ""
        entry.update(
            verdict=Verdict.INTERRUPTED.value,
            reason=f"interrupted by {stopped_by} after {seconds:.1f} s{where}",
            duration=max(entry["duration"], seconds),
            observed=[],
            charged=[],
            cause="",
        )

    def results(self) -> list[ScenarioResult]:
        if self.stopped:
            for nodeid in list(self.running):
                self._unfinished(nodeid, self._entry(nodeid))
        out = []
        for nodeid, identity in (self.selected or {}).items():
            if nodeid not in self.scenarios:
                self.scenarios[nodeid] = {
                    "verdict": Verdict.NOT_RUN.value,
                    "reason": self._not_run_reason(),
                    "duration": 0.0,
                    "identity": identity,
                    "teardown": "",
                }
        for nodeid, entry in self.scenarios.items():
            identity = entry["identity"] or (self.selected or {}).get(nodeid)
            if identity is None:
                continue  # not a scenario of the suite (e.g. a plain test collected alongside)
            out.append(
                ScenarioResult(
                    nodeid=identity.get("nodeid", nodeid),
                    feature=identity["feature"],
                    name=identity["name"],
                    requirements=identity["requirements"],
                    capabilities=identity["capabilities"],
                    verdict=entry["verdict"] or Verdict.ERROR.value,
                    reason=entry["reason"] or ("" if entry["verdict"] else "no outcome recorded"),
                    duration_s=round(entry["duration"], 4),
                    observed=entry.get("observed", []),
                    charged=entry.get("charged", [])
                    if entry["verdict"]
                    else list(identity["requirements"]),
                    cause=entry.get("cause", ""),
                    teardown=entry["teardown"],
                )
            )
        return out

    def _not_run_reason(self) -> str:
        return f"the run was stopped ({self.stopped}) before it reached this scenario"

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(
        self, session: pytest.Session, exitstatus: int
    ) -> Generator[None, None, None]:
        """Write the results after every other part of the session's end (the teardown of a
        scenario a signal stopped, and of the target), and even when that teardown is itself
        cut short by a second signal."""
        if not self.stopped and (session.shouldstop or session.shouldfail):
            self.stopped = str(session.shouldstop or session.shouldfail)
        try:
            return (yield)
        finally:
            self.write(exitstatus)

    def write(self, exitstatus: int) -> None:
        if hasattr(self.config, "workerinput"):
            return  # an xdist worker: the controller writes the results
        path = self.config.getoption("--results")
        if not path or exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            return  # nothing was selected: the previous results stay as they are
        if self.selected is None and not self.scenarios:
            return  # stopped before it knew what to run: nothing to say
        results = build_results(
            target=self.config.getoption("--target"),
            started_at=self.started_at,
            duration_s=time.time() - self.started,
            scenarios=self.results(),
            catalog=self.catalog,
            provenance=provenance(self.config.getoption("--target"), self._run_identity()),
            deselected=self.deselected,
            selection=selection_text(self.config),
            interrupted=self.interrupted,
            unlisted_not_run=self.selected is None,
            left_out=self.left_out,
        )
        write_results(results, Path(path))

    def _run_identity(self) -> dict[str, Any] | None:
        """The target's identity; under xdist with the whole run's resources (shared_run.py)."""
        if not self.config.pluginmanager.hasplugin("fsc-shared-run"):
            return self.target_identity
        from firehose_conformance.shared_run import merged_identity

        return merged_identity(self.config, self.target_identity)


def uncaptured(config: pytest.Config) -> contextlib.AbstractContextManager[Any]:
    """pytest's capture suspended: a target made now keeps the real stderr (an xdist worker's
    is its controller's terminal), not the capture of the scenario that made it."""
    capture = config.pluginmanager.getplugin("capturemanager")
    return capture.global_and_fixture_disabled() if capture else contextlib.nullcontext()


def _shared_run(config: pytest.Config) -> Any:
    """In an xdist worker: the run the controller named (shared_run.py); None elsewhere."""
    if not hasattr(config, "workerinput"):
        return None
    from firehose_conformance.shared_run import of_worker

    return of_worker(config)


def _cost_policy(config: pytest.Config) -> tuple[CostPolicy, frozenset[str]]:
    """The policy of the target the run names and the capability tags its class declares, from
    its class and options: no target is made (and no account reached) at collection. A bad
    option the policy reads is exit 2, one line."""
    name = config.getoption("--target")
    try:
        found = target_class(name)
    except UsageError:
        return CostPolicy(), frozenset()  # an unknown target: the target fixture says so
    try:
        policy = found.cost_policy(target_options(config))
    except ValueError as error:
        pytest.exit(f"target {name!r}: {error}", returncode=2)
    return policy, frozenset(c.value for c in found.capabilities)


def _candidate(item: pytest.Item, capabilities: frozenset[str]) -> Candidate:
    """A collected scenario as a cost policy sees it: its outline, tags and Examples row, and
    whether the target has the capabilities it needs."""
    callspec = getattr(item, "callspec", None)
    row = callspec.params.get("_pytest_bdd_example") if callspec else None
    tags = frozenset(_tags(item))
    return Candidate(
        outline=item.nodeid.partition("[")[0],
        tags=tags,
        row=dict(row or {}),
        runnable=(tags & CAPABILITY_TAGS) <= capabilities,
    )


def left_out_items(config: pytest.Config) -> list[tuple[pytest.Item, Rule]]:
    """The items the target's cost policy left out of this process's selection, with the
    rule of each (the aws target's plan counts what including them would add)."""
    collector = config.stash.get(_COLLECTOR_KEY, None)
    return list(collector.left_out_items) if collector is not None else []


def left_out_considered(config: pytest.Config) -> dict[str, int]:
    """Rule name -> the scenarios it weighed (kept or left out)."""
    collector = config.stash.get(_COLLECTOR_KEY, None)
    return {g.rule: g.considered for g in collector.left_out} if collector is not None else {}


def _is_controller(config: pytest.Config) -> bool:
    """An xdist controller: it runs nothing itself, its workers do."""
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")
