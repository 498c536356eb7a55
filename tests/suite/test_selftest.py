"""The suite has teeth: the deviant catalog, the self-test's verdicts, and every deviant caught.

- The catalog covers every mandatory requirement a scenario can check on the reference.
- Applying a deviant and closing it leaves the reference exactly as it was.
- The untouched reference passes every selection the deviants run, so what fails under a
  deviant fails because of it.
- Every deviant is killed by a scenario of its own requirements, for the reason its catalog
  entry names; a deviant with a known spec gap is a miss until the spec is fixed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from firehose_conformance.capabilities import Capability
from firehose_conformance.catalog import load_catalog
from firehose_conformance.cli import main
from firehose_conformance.features import load_features
from firehose_conformance.results import ScenarioResult as Scenario
from firehose_conformance.results import build_results
from firehose_conformance.selftest import (
    ERROR,
    KILLED,
    MISSED,
    NOT_ON_THE_REFERENCE,
    NOT_SERVICE_OBLIGATIONS,
    KillRow,
    deviants,
    judge,
    run_all,
    unknown_requirements,
)
from firehose_conformance.targets.reference import ReferenceTarget
from reference_impl import ReferenceCloud
from reference_impl.firehose import describe, kms_crosswalk
from reference_impl.firehose.model import FirehoseModel
from reference_impl.firehose.settings import FirehoseSettings
from reference_impl.firehose.sse_controller import SseController

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
def _results(*scenarios: tuple[list[str], str]) -> object:
    made = [
        Scenario(f"n{i}", "F", f"scenario {i}", reqs, [], verdict, f"why {i}", 0.0)
        for i, (reqs, verdict) in enumerate(scenarios)
    ]
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


# ---- the command ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["selftest", "--deviant", "nope"], "unknown deviant 'nope'"),
        (["selftest", "-n", "-1"], "-n must be"),
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
    assert all(name in out for name in CATALOG)


def test_selftest_in_process_prints_the_matrix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen = ["enabled-at-once", "metric-misnamed", "kms-failure-on-put-is-a-500"]
    argv = ["selftest", "-n", "0", "--json", str(tmp_path / "m.json")]
    for name in chosen:
        argv += ["--deviant", name]
    assert main(argv) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == "killed 3/3"
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
def test_the_reference_passes_every_selection_the_deviants_run(tmp_path: Path) -> None:
    """Without a deviant, every scenario of every requirement the catalog names passes (or is
    not applicable for a capability the reference lacks): what fails below is the deviant's."""
    selection = " or ".join(sorted({rid for d in CATALOG.values() for rid in d.violates}))
    results = tmp_path / "r.json"
    argv = ["run", "--results", str(results), "--junit", str(tmp_path / "j.xml"), "--"]
    assert main([*argv, "-m", selection]) == 0
    scenarios = json.loads(results.read_text())["scenarios"]
    bad = [f"{s['name']}: {s['verdict']}" for s in scenarios if s["verdict"] != "passed"]
    assert all("lacks @needs-" in s["reason"] for s in scenarios if s["verdict"] != "passed"), bad


@pytest.fixture(scope="module")
def matrix() -> dict[str, KillRow]:
    """The whole catalog, once, on two worker processes (what `selftest` prints)."""
    return {row.deviant: row for row in run_all(list(CATALOG), workers=2)}


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
