"""The pytest entry point of the installed wheel: ``pytest --pyargs firehose_conformance.steps
--fc-endpoint-url URL`` gives what ``firehose-conformance run --endpoint-url URL`` gives, stays
out of every other pytest session, and refuses bad ``--fc-*`` input in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

SELECTION = ("-m", "SSE-01")


def _shape(value: Any) -> Any:
    """The keys of a JSON document, recursively (lists by their first element): its shape."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def _verdicts(results: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    return (
        {s["nodeid"]: s["verdict"] for s in results["scenarios"]},
        {r["id"]: r["verdict"] for r in results["requirements"]},
    )


def _both_ways(installed, url: str, where: Path, *options: str) -> tuple[dict, dict, str]:
    """The same selection against ``url``, by the CLI and by pytest: both results, and pytest's
    output."""
    cli = installed.run(
        "firehose-conformance",
        "run",
        "--quiet",
        "--endpoint-url",
        url,
        *(f"--target-option={option}" for option in options),
        "--results",
        "cli/results.json",
        "--",
        *SELECTION,
        cwd=where,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    plain = installed.run(
        "python",
        "-m",
        "pytest",
        "--pyargs",
        "firehose_conformance.steps",
        "--fc-endpoint-url",
        url,
        *(f"--fc-target-option={option}" for option in options),
        "--fc-results",
        "plain/results.json",
        "-p",
        "no:cacheprovider",
        *SELECTION,
        cwd=where,
    )
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert (where / "plain" / "junit.xml").is_file()  # JUnit beside, as run does
    assert (where / "cli" / "junit.xml").is_file()
    read = [json.loads((where / d / "results.json").read_text()) for d in ("cli", "plain")]
    return read[0], read[1], plain.stdout


@pytest.mark.parametrize("server", ["wheel_server", "moto_server"])
def test_pytest_gives_the_verdicts_and_the_results_of_run(
    installed, outside: Path, server: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(server)
    # moto answers at once: the endpoint target's default bounds would only be waited out.
    options = ("transition_timeout=5", "poll_initial=0.2", "poll_max=1")
    by_cli, by_pytest, output = _both_ways(installed, url, outside, *options)
    assert _verdicts(by_pytest) == _verdicts(by_cli)
    scenarios, requirements = _verdicts(by_cli)
    assert requirements["SSE-01"] == "passed"
    assert "passed" in scenarios.values() and "not_selected" in requirements.values()
    assert _shape(by_pytest) == _shape(by_cli)
    assert by_pytest["summary"] == by_cli["summary"]
    assert by_pytest["requirement_summary"] == by_cli["requirement_summary"]
    for key in ("spec_version", "model_snapshot", "packages"):
        assert by_pytest["provenance"][key] == by_cli["provenance"][key]
    target = {k: v for k, v in by_pytest["provenance"]["target"].items() if k != "endpoint_source"}
    assert target == {
        k: v for k, v in by_cli["provenance"]["target"].items() if k != "endpoint_source"
    }
    assert by_pytest["provenance"]["target"]["endpoint_url"] == url
    # run's own lines close pytest's output: its summary, then its verdict on the mandatory ones
    assert "= firehose-conformance =" in output
    assert output.strip().splitlines()[-1] == "no mandatory requirement failed or errored"


def test_another_project_s_pytest_session_is_untouched(installed, outside: Path) -> None:
    (outside / "test_theirs.py").write_text("def test_theirs():\n    assert True\n")
    done = installed.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=outside)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert "firehose-conformance" not in done.stdout + done.stderr
    assert not (outside / "reports").exists()
    # The options are there for whoever asks, under names of their own.
    helped = installed.run("python", "-m", "pytest", "--help", cwd=outside)
    assert "--fc-endpoint-url=URL" in helped.stdout


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--fc-target", "nowhere"], "unknown target 'nowhere'"),
        (["--fc-target-option", "transition_timeout"], "KEY=VALUE"),
        (["--fc-endpoint-url", "closed"], "endpoint"),
    ],
)
def test_bad_fc_input_is_one_line_before_anything_runs(
    installed, outside: Path, closed_url: str, options: list[str], says: str
) -> None:
    options = [closed_url if option == "closed" else option for option in options]
    done = installed.run(
        "python",
        "-m",
        "pytest",
        "--pyargs",
        "firehose_conformance.steps",
        "-p",
        "no:cacheprovider",
        *options,
        cwd=outside,
    )
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("ERROR: firehose-conformance: ") and says in lines[0], lines
    assert not (outside / "reports").exists()


def test_a_run_that_contradicts_the_declaration_fails_the_session_and_says_why(
    installed, outside: Path
) -> None:
    (outside / "declared.toml").write_text(
        'implementation = "the reference"\ntargets = ["reference"]\nversions = "any"\n\n'
        '[requirements.SSE-01]\nverdict = "failed"\nreason = "declared so that it is stale"\n'
    )
    done = installed.run(
        "python",
        "-m",
        "pytest",
        "--pyargs",
        "firehose_conformance.steps",
        "-p",
        "no:cacheprovider",
        "--fc-expectations",
        "declared.toml",
        *SELECTION,
        cwd=outside,
    )
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout + done.stderr
    assert "stale: requirement SSE-01: declared failed, got passed" in done.stdout
    assert "expectations declared.toml: " in done.stdout
    assert (outside / "reports" / "results-reference.json").is_file()
    assert (outside / "reports" / "junit-reference.xml").is_file()
