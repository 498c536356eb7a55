from __future__ import annotations

from pathlib import Path

import pytest

from firehose_conformance.catalog import load_catalog
from firehose_conformance.errors import UsageError
from firehose_conformance.expectations import compare, load_declaration
from firehose_conformance.results import ScenarioResult, build_results


def _results(verdicts: dict[str, str], target: str = "moto"):
    scenarios = [
        ScenarioResult(
            f"x::{rid}",
            "F",
            f"scenario of {rid}",
            [rid],
            [],
            verdict,
            "why",
            0.0,
            observed=[rid] if verdict == "passed" else [],
            charged=[rid] if verdict in ("failed", "error") else [],
        )
        for rid, verdict in verdicts.items()
    ]
    return build_results(
        target=target, started_at="now", duration_s=0.0, scenarios=scenarios, catalog=load_catalog()
    )


def _declaration(tmp_path: Path, text: str):
    path = tmp_path / "e.toml"
    path.write_text(text)
    return load_declaration(path)


DECLARED = """
implementation = "moto"
targets = ["moto", "endpoint"]
versions = "moto>=5.2,<5.3"

[requirements.SSE-02]
verdict = "failed"
reason = "ENABLED at once"
link = "https://example.invalid/moto"
"""


HEAD = 'implementation = "moto"\ntargets = ["moto"]\n[requirements.SSE-02]\n'


def _all_pass() -> dict[str, str]:
    return {rid: "passed" for rid in load_catalog()}


def test_a_matching_run_has_no_mismatch(tmp_path: Path) -> None:
    verdicts = _all_pass() | {"SSE-02": "failed"}
    assert compare(_results(verdicts), _declaration(tmp_path, DECLARED)) == []


def test_an_undeclared_failure_is_a_regression(tmp_path: Path) -> None:
    verdicts = _all_pass() | {"SSE-02": "failed", "KEY-01": "failed"}
    [mismatch] = compare(_results(verdicts), _declaration(tmp_path, DECLARED))
    assert (mismatch.subject, mismatch.problem) == ("KEY-01", "regression")


def test_a_declared_failure_that_now_passes_is_stale(tmp_path: Path) -> None:
    [mismatch] = compare(_results(_all_pass()), _declaration(tmp_path, DECLARED))
    assert (mismatch.subject, mismatch.problem) == ("SSE-02", "stale")


def test_a_different_failure_kind_is_a_change(tmp_path: Path) -> None:
    verdicts = _all_pass() | {"SSE-02": "error"}
    [mismatch] = compare(_results(verdicts), _declaration(tmp_path, DECLARED))
    assert (mismatch.problem, mismatch.expected, mismatch.actual) == ("changed", "failed", "error")


def test_declaration_for_another_target_is_refused(tmp_path: Path) -> None:
    verdicts = _all_pass() | {"SSE-02": "failed"}
    [mismatch] = compare(_results(verdicts, "reference"), _declaration(tmp_path, DECLARED))
    assert mismatch.problem == "unknown"


def test_unknown_subjects_are_reported(tmp_path: Path) -> None:
    text = DECLARED + '\n[scenarios."no such scenario"]\nverdict = "failed"\nreason = "x"\n'
    verdicts = _all_pass() | {"SSE-02": "failed"}
    [mismatch] = compare(_results(verdicts), _declaration(tmp_path, text))
    assert (mismatch.kind, mismatch.problem) == ("scenario", "unknown")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("target = ", "not a readable TOML"),
        ('versions = "x"', "needs implementation"),
        ('implementation = "moto"', "needs targets"),
        ('implementation = "moto"\ntargets = ["moto"]\nbogus = 1', "unknown top-level keys"),
        (HEAD + 'verdict = "meh"\nreason = "r"', "verdict must"),
        (HEAD + 'verdict = "failed"', "needs a reason"),
        (HEAD + 'verdict = "failed"\nreason = "r"\nx = 1', "unknown keys"),
    ],
)
def test_bad_declarations_name_the_problem(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        _declaration(tmp_path, text)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such expectations file"):
        load_declaration(tmp_path / "missing.toml")


REPO = Path(__file__).resolve().parents[2]
DECLARATIONS = sorted((REPO / "expectations").glob("*.toml"))


@pytest.mark.parametrize("path", DECLARATIONS, ids=lambda p: p.stem)
def test_the_committed_declarations_load_and_name_only_catalog_requirements(path: Path) -> None:
    """moto.toml and localstack.toml: a typo in an ID would only show as "unknown" in a run
    (LocalStack's is not run in CI), so it is caught here."""
    declaration = load_declaration(path)
    catalog = load_catalog()
    named = [e.subject for e in declaration.expectations if e.kind == "requirement"]
    assert named and set(named) <= set(catalog)
    assert len(named) == len(set(named))
    assert all(e.verdict != "passed" for e in declaration.expectations)


def test_localstack_sh_says_how_to_use_it_and_refuses_a_bad_argument() -> None:
    """Before it installs or starts anything: --help, and an unknown argument in one line."""
    import subprocess

    script = REPO / "scripts" / "localstack.sh"
    shown = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=30)
    assert shown.returncode == 0
    assert "Usage:" in shown.stdout and "LOCALSTACK_EXPECTATIONS" in shown.stdout
    refused = subprocess.run([script, "--nope"], capture_output=True, text=True, timeout=30)
    assert refused.returncode == 2
    assert refused.stderr == "localstack.sh: unknown argument --nope (see --help)\n"
