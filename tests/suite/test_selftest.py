"""The suite has teeth and leaves conforming implementations alone: the self-test.

- The deviant catalog covers every mandatory requirement a scenario can check on the reference.
- Applying a deviant and closing it leaves the reference exactly as it was.
- The untouched reference passes every selection the variants run, so what fails under a
  variant fails because of it; a row whose control fails says so and is neither killed nor clean.
- Every deviant is killed by a scenario of its own requirements, for the reason its catalog
  entry names; a deviant with a known spec gap is a miss until the spec is fixed.
- A conforming variant that the suite fails is a false failure; one whose unobservable
  requirement comes out passed is an unexercised pass; both make the self-test fail.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from firehose_conformance import selftest
from firehose_conformance.capabilities import Capability
from firehose_conformance.catalog import load_catalog
from firehose_conformance.cli import main
from firehose_conformance.features import load_features
from firehose_conformance.results import ScenarioResult as Scenario
from firehose_conformance.results import build_results
from firehose_conformance.runner import Selection, run_suite
from firehose_conformance.selftest import (
    CLEAN,
    CONTROL_FAILED,
    ERROR,
    FALSE_FAILURE,
    KILLED,
    MISSED,
    NOT_ON_THE_REFERENCE,
    NOT_SERVICE_OBLIGATIONS,
    UNEXERCISED,
    Control,
    ControlPart,
    KillRow,
    VariantRow,
    deviants,
    judge,
    judge_conforming,
    run_all,
    summary,
    unknown_requirements,
    variants,
)
from firehose_conformance.targets.reference import ReferenceTarget
from reference_impl import ReferenceCloud
from reference_impl.firehose import describe, kms_crosswalk
from reference_impl.firehose.model import FirehoseModel
from reference_impl.firehose.settings import FirehoseSettings
from reference_impl.firehose.sse_controller import SseController
from reference_impl.variants import Patcher, conforming, registry

pytestmark = pytest.mark.slow

REFERENCE = ReferenceTarget.capabilities
CATALOG = deviants()


# ---- the catalog ---------------------------------------------------------------------------------
def test_the_catalog_covers_every_mandatory_requirement_the_reference_can_check() -> None:
    catalog = load_catalog()
    checkable = {
        rid
        for spec in load_features()
        if all(Capability(c) in REFERENCE for c in spec.capabilities)
        for rid in spec.requirements
    }
    covered = {rid for d in CATALOG.values() for rid in d.violates}
    assert len(CATALOG) >= 30
    assert not unknown_requirements(catalog), "deviants name requirements not in the catalog"
    mandatory = {rid for rid, r in catalog.items() if r.mandatory}
    assert not sorted(mandatory & checkable - covered), "mandatory requirements without a deviant"
    # The exclusions are true: not checkable on the reference, or not the service's obligation.
    assert set(NOT_ON_THE_REFERENCE) <= mandatory - checkable
    assert not set(NOT_SERVICE_OBLIGATIONS) & mandatory
    assert mandatory - checkable <= set(NOT_ON_THE_REFERENCE)


def test_each_deviant_is_described_and_names_its_requirements() -> None:
    for deviant in CATALOG.values():
        assert deviant.description and deviant.description[0].isupper(), deviant.name
        assert len(deviant.description) <= 110, f"{deviant.name}: one line, please"
        assert deviant.evidence, f"{deviant.name}: no evidence of the reason it is caught"


def test_a_deviant_is_undone_when_closed() -> None:
    watched = [
        (SseController, "start"),
        (SseController, "_finish_enable"),
        (FirehoseModel, "put_records"),
        (describe, "encryption_view"),
    ]
    before = [getattr(owner, name) for owner, name in watched]
    metrics = dict(kms_crosswalk.METRICS)
    for name in (
        "enabled-at-once",
        "encrypted-always-true",
        "metric-misnamed",
        "disabled-not-counted",
    ):
        ReferenceCloud(variant=name).close()
    with ReferenceCloud(variant="records-never-discarded") as cloud:
        assert cloud.settings.retention_seconds != FirehoseSettings().retention_seconds
        with pytest.raises(RuntimeError, match="one with 'enabled-at-once'"):
            ReferenceCloud(variant="enabled-at-once")
    assert ReferenceCloud().settings == FirehoseSettings()
    assert [getattr(owner, name) for owner, name in watched] == before
    assert metrics == kms_crosswalk.METRICS


# ---- judging a run -------------------------------------------------------------------------------
def _results(*scenarios: tuple[list[str], str] | tuple[list[str], str, dict]) -> Any:
    """Results of scenarios given as (requirements, verdict[, extra attributes such as
    ``observed`` or ``charged``, which newer results documents carry])."""
    made = []
    for i, (reqs, verdict, *extra) in enumerate(scenarios):
        scenario = Scenario(f"n{i}", "F", f"scenario {i}", reqs, [], verdict, f"why {i}", 0.0)
        # By default a pass observed its requirements and a failure or error is charged to
        # them, as the plugin records it; a test gives other values where it is about them.
        if verdict == "passed":
            scenario.observed = list(reqs)
        elif verdict in ("failed", "error"):
            scenario.charged = list(reqs)
        for name, value in (extra[0] if extra else {}).items():
            setattr(scenario, name, value)
        made.append(scenario)
    return build_results(
        target="reference", started_at="", duration_s=0.0, scenarios=made, catalog=load_catalog()
    )


def test_judge_kills_only_through_a_scenario_of_a_violated_requirement() -> None:
    deviant = CATALOG["enabled-at-once"]  # SSE-01, SSE-02
    row = judge(deviant, _results((["SSE-02", "SSE-04"], "failed"), (["SSE-01"], "passed")))
    assert (row.result, row.failed, row.others) == (KILLED, ["SSE-02"], ["SSE-04"])
    assert row.reason == "scenario 0: why 0"
    missed = judge(deviant, _results((["SSE-01"], "passed"), (["SSE-07"], "failed")))
    assert (missed.result, missed.others) == (MISSED, ["SSE-07"])
    assert "did not fail (1 passed, 0 n/a)" in missed.reason


def test_judge_reports_errors_as_errors_never_as_kills() -> None:
    deviant = CATALOG["enabled-at-once"]
    row = judge(deviant, _results((["SSE-02"], "error"), (["SSE-01"], "passed")))
    assert (row.result, row.reason) == (ERROR, "scenario 0: why 0")
    assert judge(deviant, _results((["SSE-07"], "failed"))).result == ERROR  # none of its own ran
    five_hundred = CATALOG["kms-failure-on-put-is-a-500"]  # its bug *is* a 5xx answer
    assert judge(five_hundred, _results((["PUT-02"], "error"))).result == KILLED


def test_judge_kills_only_through_a_failure_charged_to_a_violated_requirement() -> None:
    """Where results say what a failing scenario is charged to, a failure charged elsewhere (a
    precondition of another requirement) is no kill."""
    deviant = CATALOG["enabled-at-once"]  # SSE-01, SSE-02
    elsewhere = _results((["SSE-02", "SSE-04"], "failed", {"charged": ["SSE-04"]}))
    assert judge(deviant, elsewhere).result == MISSED
    own = _results((["SSE-02", "SSE-04"], "failed", {"charged": ["SSE-02"]}))
    assert judge(deviant, own).result == KILLED


CONFORMER = "unusable-key-refused-at-the-call"  # unobservable: SSE-03, SSE-11, ... API-09


def test_judge_conforming_counts_false_failures_and_unexercised_passes() -> None:
    variant = selftest.conforming()[CONFORMER]
    clean = judge_conforming(
        variant, _results((["KEY-07"], "passed"), (["SSE-03"], "not_applicable"))
    )
    assert (clean.result, clean.false_failure, clean.unexercised_pass) == (CLEAN, False, False)
    failed = judge_conforming(variant, _results((["KEY-07"], "failed"), (["KEY-01"], "error")))
    assert failed.result == FALSE_FAILURE and failed.false_failure
    assert [(f["requirement"], f["verdict"]) for f in failed.false_failures] == [
        ("KEY-01", "error"),
        ("KEY-07", "failed"),
    ]
    unearned = judge_conforming(variant, _results((["KEY-07"], "passed"), (["SSE-03"], "passed")))
    assert unearned.result == UNEXERCISED and unearned.unexercised_pass
    assert [u["requirement"] for u in unearned.unexercised] == ["SSE-03"]
    assert "scenario 1" in unearned.unexercised[0]["reason"]
    both = judge_conforming(variant, _results((["KEY-07"], "failed"), (["API-09"], "passed")))
    assert both.result == f"{FALSE_FAILURE} + {UNEXERCISED}"
    assert judge_conforming(variant, _results((["MET-01"], "passed"))).result == ERROR


def test_an_unexercised_pass_says_what_the_passing_scenario_observed() -> None:
    """With ``observed`` in the results: a scenario that claims to have observed an unobservable
    requirement is named; a pass that did not observe it does not pass it at all."""
    variant = selftest.conforming()[CONFORMER]
    claimed = _results((["SSE-03", "KEY-01"], "passed", {"observed": ["SSE-03", "KEY-01"]}))
    reason = judge_conforming(variant, claimed).unexercised[0]["reason"]
    assert "'scenario 0' passed and recorded SSE-03 as observed" in reason
    # A pass that did not observe SSE-03 never passes it: the roll-up needs an observation.
    unobserved = _results((["SSE-03", "KEY-01"], "passed", {"observed": ["KEY-01"]}))
    assert {r.id: r.verdict for r in unobserved.requirements}["SSE-03"] == "not_applicable"
    assert judge_conforming(variant, unobserved).unexercised == []


def test_a_control_fails_a_selection_through_any_scenario_of_it() -> None:
    scenarios = _results(
        (["SSE-02", "SSE-04"], "passed"), (["KEY-06"], "failed"), (["PUT-03"], "not_applicable")
    ).scenarios
    control = Control([ControlPart(("KEY-06", "SSE-02", "PUT-03"), scenarios)])
    assert control.failure(["SSE-02"]) == control.failure(["PUT-03", "SSE-04"]) == ""
    assert control.failure(["KEY-06"]) == (
        "the plain reference gives failed (KEY-06): scenario 1: why 1"
    )
    broken = Control([ControlPart(("API-11",), error="SuiteError: no results")])
    assert broken.failure(["API-11"]) == "the control run broke: SuiteError: no results"
    row = KillRow("d", ["KEY-06"], KILLED, reason="caught")
    assert selftest.apply_control(row, control).result == CONTROL_FAILED
    assert not row.killed and row.reason.startswith("control failed: the plain reference")


def test_the_summary_counts_each_kind_and_what_could_not_be_judged() -> None:
    rows: list[Any] = [
        KillRow("a", ["SSE-02"], KILLED),
        KillRow("b", ["SSE-03"], CONTROL_FAILED),
        VariantRow("c", ["SSE-02"], [], CLEAN),
        VariantRow("d", ["SSE-02"], [], FALSE_FAILURE, false_failures=[{"requirement": "X"}]),
        VariantRow("e", ["SSE-03"], ["SSE-03"], UNEXERCISED, unexercised=[{"requirement": "Y"}]),
        VariantRow("f", ["SSE-02"], [], CONTROL_FAILED, false_failures=[{"requirement": "Z"}]),
    ]
    assert summary(rows).splitlines() == [
        "not judged: 2 control failed",
        "killed 1/2",
        "false failures 1/4",
        "unexercised passes 1/4",
    ]
    assert not selftest.all_settled(rows) and selftest.all_settled(rows[:1] + rows[2:3])


# ---- the command ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["selftest", "--deviant", "nope"], "unknown deviant 'nope'"),
        (["selftest", "-n", "-1"], "-n must be"),
        (["selftest", "--variant", "nope"], "unknown variant 'nope'"),
        (["selftest", "--kind", "conforming", "--deviant", "enabled-at-once"], "no conforming"),
        (["run", "--target-option", "deviant=nope"], "unknown deviant 'nope'"),
        (["run", "--target-option", "variant=nope"], "unknown variant 'nope'"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_list_shows_the_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selftest", "--list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in variants())
    assert main(["selftest", "--list", "--kind", "conforming"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in selftest.conforming())
    assert not any(name in out.split() for name in CATALOG)


def test_selftest_in_process_prints_the_matrix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen = ["enabled-at-once", "metric-misnamed", "kms-failure-on-put-is-a-500"]
    argv = ["selftest", "-n", "0", "--json", str(tmp_path / "m.json")]
    for name in chosen:
        argv += ["--deviant", name]
    assert main(argv) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-3:] == ["killed 3/3", "false failures 0/0", "unexercised passes 0/0"]
    table = {parts[0]: parts for parts in map(str.split, out) if parts and parts[0] in chosen}
    assert table["enabled-at-once"][1:3] == ["SSE-01", "SSE-02"]
    assert table["enabled-at-once"][-1] == KILLED
    assert table["metric-misnamed"][-1] == KILLED
    rows = {row["deviant"]: row for row in json.loads((tmp_path / "m.json").read_text())}
    assert rows["kms-failure-on-put-is-a-500"]["failed"] == ["PUT-02"]
    five_hundred = rows["kms-failure-on-put-is-a-500"]["reason"]
    assert "HTTP 500 InternalFailure" in five_hundred and "KMS refused the data key" in five_hundred
    assert "MET-04" in rows["metric-misnamed"]["failed"]


# ---- the suite against the reference and against every deviant ----------------------------------
def test_the_reference_passes_every_selection_the_variants_run(tmp_path: Path) -> None:
    """Without a variant, every scenario of every requirement the catalog names passes (or is
    not applicable for a capability the reference lacks): what fails below is the variant's."""
    selection = " or ".join(sorted({rid for v in variants().values() for rid in v.selection}))
    results = tmp_path / "r.json"
    argv = ["run", "--results", str(results), "--junit", str(tmp_path / "j.xml"), "--"]
    assert main([*argv, "-m", selection]) == 0
    scenarios = json.loads(results.read_text())["scenarios"]
    bad = [f"{s['name']}: {s['verdict']}" for s in scenarios if s["verdict"] != "passed"]
    assert all("lacks @needs-" in s["reason"] for s in scenarios if s["verdict"] != "passed"), bad


# ---- test-only variants, in this process ---------------------------------------------------------
@pytest.fixture
def test_variants(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two conforming variants that are not: one fails SSE-02 (it is the enabled-at-once bug),
    one declares SSE-03 unobservable although it changes nothing (the reference observes it)."""
    variants()  # every area module is imported, so nothing registers into the copy later
    monkeypatch.setattr(registry, "_REGISTERED", dict(registry._REGISTERED))
    bug = CATALOG["enabled-at-once"].apply

    def wrongly_conforming(p: Patcher) -> None:
        """Start finishes before it returns (a bug, registered as conforming for this test)."""
        bug(p)

    def hides_nothing(p: Patcher) -> None:
        """Changes nothing, yet declares SSE-03 unobservable (for this test)."""

    conforming("test-wrongly-conforming", "SSE-01", "SSE-02", allowed_by="no document: a test")(
        wrongly_conforming
    )
    conforming(
        "test-hides-nothing", "SSE-03", unobservable=("SSE-03",), allowed_by="AMB-01: a test"
    )(hides_nothing)


@pytest.mark.usefixtures("test_variants")
def test_a_failing_conforming_variant_and_an_unexercised_pass_fail_the_selftest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["selftest", "-n", "0", "--variant", "test-wrongly-conforming"]
    assert main([*argv, "--variant", "test-hides-nothing"]) == 1
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert lines[-3:] == ["killed 0/0", "false failures 1/2", "unexercised passes 1/2"]
    assert "FALSE FAILURE test-wrongly-conforming: SSE-02 failed:" in out
    assert "UNEXERCISED PASS test-hides-nothing: SSE-03 '" in out
    assert "passed and recorded SSE-03 as observed" in out


@pytest.mark.usefixtures("test_variants")
def test_a_row_whose_control_fails_is_neither_killed_nor_clean(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A "plain" reference that is itself broken (here: it carries enabled-at-once) fails the
    control of every selection with SSE-01/SSE-02: the deviant that would be killed, and the
    conforming variant that would be clean, both say control failed."""

    def broken_control(requirements: tuple[str, ...]) -> ControlPart:
        selection = Selection.requirements(requirements, *selftest.FAST_PYTEST)
        run = run_suite("reference", {"variant": "enabled-at-once"}, selection)
        return ControlPart(requirements, list(run.results.scenarios))

    monkeypatch.setattr(selftest, "run_control", broken_control)
    argv = ["selftest", "-n", "0", "--json", str(tmp_path / "rows.json")]
    argv += ["--deviant", "enabled-at-once", "--variant", "start-accepted-while-in-transition"]
    assert main(argv) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-4:] == [
        "not judged: 2 control failed",
        "killed 0/1",
        "false failures 0/1",
        "unexercised passes 0/1",
    ]
    rows = {
        row["deviant" if row["kind"] == "deviant" else "variant"]: row
        for row in json.loads((tmp_path / "rows.json").read_text())
    }
    assert {row["result"] for row in rows.values()} == {CONTROL_FAILED}
    assert all("the plain reference gives failed" in row["control"] for row in rows.values())
    assert any(line.startswith("control failed enabled-at-once: control failed:") for line in lines)


@pytest.fixture(scope="module")
def matrix() -> dict[str, Any]:
    """Every variant, once, on two worker processes (what `selftest` prints)."""
    return {row.name: row for row in run_all(list(variants()), workers=2)}


@pytest.mark.parametrize("name", list(CATALOG))
def test_each_deviant_is_caught_by_its_own_scenarios_for_its_reason(
    name: str, matrix: dict[str, KillRow]
) -> None:
    deviant, row = CATALOG[name], matrix[name]
    if deviant.gap:
        assert row.result == MISSED, (
            f"{name} is now {row.result}: the spec gap is closed, so delete its gap note "
            f"(caught by {row.reason})"
        )
        return
    assert row.result == KILLED, f"{name}: {row.result}: {row.reason}"
    assert any(deviant.evidence in catch for catch in row.catches), (
        f"{name} was caught, but not for its reason ({deviant.evidence!r}): {row.catches}"
    )


@pytest.mark.parametrize("name", list(selftest.conforming()))
def test_each_conforming_variant_is_left_alone_and_not_passed_for_nothing(
    name: str, matrix: dict[str, Any]
) -> None:
    row = matrix[name]
    assert row.result == CLEAN, f"{name}: {row.result}: {row.reason}"


def test_no_variant_row_has_a_failing_control(matrix: dict[str, Any]) -> None:
    assert not [row.name for row in matrix.values() if row.result == CONTROL_FAILED]


def _workers(pid: int) -> set[int]:
    """The worker processes of ``pid`` (not multiprocessing's resource tracker)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(p) for p in (task / "children").read_text().split()}
    return {p for p in found if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()}


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_self_test_at_once_with_its_workers(signum: signal.Signals) -> None:
    """Ctrl-C (or SIGTERM) to the self-test: one line, exit 130 within seconds, no traceback,
    and no worker left running the queued jobs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "firehose_conformance.cli", "selftest", "-n", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    first = process.stderr.readline()  # a progress line: the workers are up and running
    assert first.startswith("["), first
    workers = _workers(process.pid)
    assert workers
    process.send_signal(signum)
    signalled = time.monotonic()
    stdout, stderr = process.communicate(timeout=60)
    assert time.monotonic() - signalled < 15
    assert process.returncode == 130
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert (
        stderr.strip()
        .splitlines()[-1]
        .startswith(f"firehose-conformance: selftest interrupted ({signum.name}) after ")
    )
    assert "killed" not in stdout  # no verdict
    assert not [pid for pid in workers if _alive(pid)]
