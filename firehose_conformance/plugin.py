"""The pytest plugin behind ``firehose-conformance run``: targets, capability gating, verdicts.

Verdicts come from pytest's own reports and pytest-bdd's hooks, not from ``--cucumberjson``
(which reports skips as passes and is empty under xdist). Each report carries its verdict in
``user_properties``, which survive the trip from an xdist worker to the controller.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry

from firehose_conformance.capabilities import CAPABILITY_TAGS, Capability
from firehose_conformance.catalog import DEFAULT_CATALOG, load_catalog
from firehose_conformance.errors import UsageError
from firehose_conformance.provenance import provenance
from firehose_conformance.results import ScenarioResult, build_results, write_results
from firehose_conformance.spec_facts import REQUIREMENT_ID, requirement_ids
from firehose_conformance.targets import make_target
from firehose_conformance.targets.base import Target
from firehose_conformance.targets.options import add_target_option, parse_target_options
from firehose_conformance.verdicts import Verdict, classify_exception

OTHER_TAGS = {
    "scale": "needs hundreds or thousands of resources (BB-scale)",
    "slow": "takes long on a real account (BB-slow)",
}
_VERDICT_KEY = "fsc_verdict"
_STEP_KEY = pytest.StashKey[str]()
_TARGET_KEY = pytest.StashKey[Target]()
_COLLECTOR_KEY = pytest.StashKey["Collector"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("firehose-conformance")
    group.addoption("--target", default="reference", help="the implementation to check")
    add_target_option(group.addoption, help="an option for the target (repeatable)")
    group.addoption("--results", default=None, help="write the results JSON here")
    group.addoption("--catalog", default=str(DEFAULT_CATALOG), help="the requirement catalog")


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
    config.stash[_COLLECTOR_KEY] = Collector(config, catalog)
    config.pluginmanager.register(config.stash[_COLLECTOR_KEY], "fsc-collector")


def _tags(item: pytest.Item) -> set[str]:
    return {mark.name for mark in item.iter_markers()}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    catalog = config.stash[_COLLECTOR_KEY].catalog
    unknown: dict[str, list[str]] = {}
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
        made = make_target(config.getoption("--target"), **target_options(config))
    except UsageError as error:
        pytest.exit(str(error), returncode=2)
    config.stash[_TARGET_KEY] = made
    yield made
    made.close()


@pytest.fixture
def scenario_target(request: pytest.FixtureRequest, target: Target) -> Iterator[Target]:
    """The target, prepared for one scenario and cleaned up after it.

    A scenario needing a capability the target lacks, or carrying a tag the target excludes
    (``Target.excluded_tags``), is skipped here, before it starts; the skip reason names the
    capability or the tag, and the verdict is not_applicable.
    """
    excluded = [
        f"@{tag}: {target.excluded_tags[tag]}"
        for tag in sorted(_tags(request.node))
        if tag in target.excluded_tags
    ]
    if excluded:
        pytest.skip(f"target {target.name!r}: " + "; ".join(excluded))
    needed = sorted(tag for tag in _tags(request.node) if tag in CAPABILITY_TAGS)
    missing = [Capability(tag) for tag in needed if not target.has(Capability(tag))]
    if missing:
        names = ", ".join(f"@{c.value} ({c.description})" for c in missing)
        pytest.skip(f"target {target.name!r} lacks {names}")
    target.start_scenario()
    yield target
    problems = target.finish_scenario()
    if problems:
        from firehose_conformance.errors import TargetMisbehaved

        raise TargetMisbehaved("teardown: " + "; ".join(problems))


def pytest_bdd_before_step(request: pytest.FixtureRequest, step: Any, **_: Any) -> None:
    request.node.stash[_STEP_KEY] = f"{step.keyword} {step.name}".strip()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Generator:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    verdict, reason = _phase_verdict(item, call, report)
    if verdict is not None:
        report.user_properties.append((_VERDICT_KEY, {"verdict": verdict, "reason": reason}))
    if call.when == "setup":
        report.user_properties.append(("fsc_identity", _identity(item)))
        made = item.config.stash.get(_TARGET_KEY, None)
        if made is not None:  # whichever process talked to the target says whom it talked to
            report.user_properties.append(("fsc_target", made.identity()))


def _phase_verdict(
    item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport
) -> tuple[str | None, str]:
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return Verdict.NOT_APPLICABLE.value, reason.removeprefix("Skipped: ")
    if report.passed:
        return (Verdict.PASSED.value if call.when == "call" else None), ""
    exc = call.excinfo.value if call.excinfo else None
    if exc is None:
        return Verdict.ERROR.value, "failed without an exception"
    verdict, reason = classify_exception(exc)
    if call.when != "call":
        verdict = Verdict.ERROR if verdict is Verdict.FAILED else verdict
        reason = f"{call.when}: {reason}"
    step = item.stash.get(_STEP_KEY, "")
    if step and call.when == "call":
        reason = f"{step}: {reason}"
    return verdict.value, reason


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

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        entry = self.scenarios.setdefault(
            report.nodeid, {"verdict": None, "reason": "", "duration": 0.0, "identity": None}
        )
        entry["duration"] += report.duration
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
            entry["verdict"], entry["reason"] = found["verdict"], found["reason"]

    def results(self) -> list[ScenarioResult]:
        out = []
        for nodeid, entry in self.scenarios.items():
            identity = entry["identity"]
            if identity is None:
                continue  # not a scenario of the suite (e.g. a plain test collected alongside)
            out.append(
                ScenarioResult(
                    nodeid=nodeid,
                    feature=identity["feature"],
                    name=identity["name"],
                    requirements=identity["requirements"],
                    capabilities=identity["capabilities"],
                    verdict=entry["verdict"] or Verdict.ERROR.value,
                    reason=entry["reason"] or ("" if entry["verdict"] else "no outcome recorded"),
                    duration_s=round(entry["duration"], 4),
                )
            )
        return out

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput"):
            return  # an xdist worker: the controller writes the results
        path = self.config.getoption("--results")
        if not path:
            return
        results = build_results(
            target=self.config.getoption("--target"),
            started_at=self.started_at,
            duration_s=time.time() - self.started,
            scenarios=self.results(),
            catalog=self.catalog,
            provenance=provenance(self.config.getoption("--target"), self.target_identity),
        )
        write_results(results, Path(path))
