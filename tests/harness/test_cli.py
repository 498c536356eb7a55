"""The command line, run in process: usage errors, listing, a small real run; and the library
entry ``run_suite`` naming a missing capability."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from firehose_conformance.catalog import load_catalog
from firehose_conformance.cli import main
from firehose_conformance.results import build_results, write_results
from firehose_conformance.runner import NothingSelected, Selection, SuiteError, run_suite


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["run", "--target", "nope"], "unknown target 'nope'"),
        (["run", "--bogus-flag"], "unrecognized arguments: --bogus-flag"),
        (["run", "--target-option", "novalue"], "expects KEY=VALUE"),
        (["run", "-n", "-1"], "-n must be"),
        ([], "required: command"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_requirements_lists_every_requirement_with_scenarios(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["requirements"]) == 0
    out = capsys.readouterr().out
    for rid in load_catalog():
        assert f"\n{rid}  " in "\n" + out
    assert "(no scenario)" not in out


@pytest.mark.slow
def test_run_writes_results_and_prints_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "r.json"
    junit = tmp_path / "j.xml"
    argv = ["run", "--results", str(results), "--junit", str(junit), "--", "-k", "empty_response"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "SSE-01" in out and "requirements" in out
    data = json.loads(results.read_text())
    verdicts = {s["name"]: s["verdict"] for s in data["scenarios"]}
    assert verdicts == {
        "Start returns at once with an empty response": "passed",
        "Stop returns at once with an empty response": "passed",
    }
    assert junit.exists()


@pytest.mark.slow
def test_a_missing_capability_is_not_applicable_and_named() -> None:
    results = run_suite(selection=Selection.requirements(["API-12"])).results
    [scenario] = results.scenarios
    assert scenario.verdict == "not_applicable"
    assert "@needs-cloudtrail" in scenario.reason
    api12 = next(r for r in results.requirements if r.id == "API-12")
    assert api12.verdict == "not_applicable"


def test_an_unknown_requirement_in_m_is_exit_2_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "r.json"
    assert main(["run", "--results", str(results), "--", "-m", "SSE-02 or SSE-99"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "firehose-conformance: error: -m names SSE-99: not a requirement ID of the catalog "
        "(firehose-conformance requirements lists them)\n"
    )
    assert not results.exists()


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["run", "--results", "{blocker}/r.json"], "--results {blocker}/r.json: {blocker} is not"),
        (["run", "--junit", "{blocker}/j.xml"], "--junit {blocker}/j.xml: {blocker} is not"),
        (["run", "--results", "{tmp}"], "--results {tmp}: is a directory"),
        (["report", "{results}", "--out", "{blocker}"], "--out {blocker}/report.txt: {blocker} is"),
        (["docs", "--docs-dir", "{blocker}/docs"], "--docs-dir {blocker}/docs: {blocker} is not"),
        (["selftest", "--json", "{blocker}/s.json"], "--json {blocker}/s.json: {blocker} is not"),
    ],
)
def test_an_unwritable_output_path_is_one_line_and_exit_2_before_anything_runs(
    tmp_path: Path, argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("")
    results = tmp_path / "results-t.json"
    write_results(
        build_results(
            target="t", started_at="now", duration_s=0.0, scenarios=[], catalog=load_catalog()
        ),
        results,
    )
    names = {"blocker": blocker, "tmp": tmp_path, "results": results}
    started = time.monotonic()
    assert main([arg.format(**names) for arg in argv]) == 2
    assert time.monotonic() - started < 10  # no run, no self-test
    err = capsys.readouterr().err
    assert err.startswith("firehose-conformance: error: " + fragment.format(**names))
    assert err.count("\n") == 1


@pytest.mark.slow
def test_a_selection_of_no_scenario_is_exit_5_and_keeps_the_previous_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results-reference.json"
    results.write_text("previous")
    assert main(["run", "--quiet", "--results", str(results), "--", "-k", "ENABLNG"]) == 5
    captured = capsys.readouterr()
    assert captured.err == "firehose-conformance: error: no scenario selected by -k ENABLNG\n"
    assert "requirement" not in captured.out  # no table of 76 rows
    assert results.read_text() == "previous"
    assert not (tmp_path / "junit-reference.xml").exists()


@pytest.mark.slow
def test_pytest_refusing_an_argument_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--results", str(tmp_path / "r.json"), "--", "--bogus"]) == 2
    err = capsys.readouterr().err
    assert err == "firehose-conformance: error: pytest: unrecognized arguments: --bogus\n"


@pytest.mark.slow
def test_a_selection_leaves_the_others_not_selected_and_prints_the_suite_s_counts_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results-reference.json"
    argv = ["run", "--quiet", "--results", str(results), "--", "-m", "SSE-02"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "passed in" not in out and "deselected" not in out  # pytest's own summary
    assert "untested" not in out.split("target reference:")[0]
    assert "requirements not selected by -m SSE-02: SRC-01..SRC-11" in out
    assert out.strip().splitlines()[-1] == "no mandatory requirement failed or errored"
    assert f"junit: {tmp_path / 'junit-reference.xml'}" in out  # beside --results
    data = json.loads(results.read_text())
    assert data["selection"] == "-m SSE-02"
    by_id = {r["id"]: r for r in data["requirements"]}
    assert by_id["SSE-02"]["verdict"] == "passed"
    assert by_id["KEY-01"]["verdict"] == "not_selected"
    assert by_id["KEY-01"]["reason"].startswith("not selected: -m SSE-02 took none of its")
    assert data["requirement_summary"]["untested"] == 0


@pytest.mark.slow
def test_x_stops_a_run_early_and_what_it_did_not_reach_is_not_run() -> None:
    """-x after a deviant's failure: the rest are not_run, the run is not interrupted."""
    run = run_suite(
        "reference",
        {"variant": "enabled-at-once"},
        Selection(markers="SSE-02 or SSE-03", pytest_args=("-x",)),
    )
    verdicts = [s.verdict for s in run.results.scenarios]
    assert "failed" in verdicts and "not_run" in verdicts, verdicts
    assert "interrupted" not in verdicts
    assert run.results.interrupted is False
    stopped = [s for s in run.results.scenarios if s.verdict == "not_run"]
    assert all("stopping after 1 failures" in s.reason for s in stopped)


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["-m", "firehose_conformance.cli", "requirements"],
        ["-m", "firehose_conformance.cli", "report", "{results}"],
        [
            "-m",
            "firehose_conformance.cli",
            "run",
            "--results",
            "{tmp}/r.json",
            "--",
            "-m",
            "SSE-02",
        ],
        ["-m", "reference_impl", "--list-variants"],
    ],
    ids=["requirements", "report", "run", "list-variants"],
)
def test_a_closed_pipe_ends_quietly_with_the_command_s_own_exit_code(
    tmp_path: Path, command: list[str]
) -> None:
    """`... | head -1`: the reader goes after one line; no BrokenPipeError, exit 0."""
    results = tmp_path / "results-t.json"
    write_results(
        build_results(
            target="t", started_at="now", duration_s=0.0, scenarios=[], catalog=load_catalog()
        ),
        results,
    )
    argv = [arg.format(results=results, tmp=tmp_path) for arg in command]
    process = subprocess.Popen(
        [sys.executable, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()
    process.stdout.close()  # as `head -1` does
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


@pytest.mark.slow
def test_run_suite_refuses_an_unknown_requirement_and_an_empty_selection_in_one_line() -> None:
    """The library entry (and pytest with the plugin) say so too, not only the command."""
    with pytest.raises(SuiteError, match=r"^-m names SSE-99: not a requirement ID") as refused:
        run_suite(selection=Selection(markers="SSE-99"))
    assert "\n" not in str(refused.value)
    with pytest.raises(NothingSelected, match=r"^no scenario selected by -k nothing_like_it$"):
        run_suite(selection=Selection(keyword="nothing_like_it"))
