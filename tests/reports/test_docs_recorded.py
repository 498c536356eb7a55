"""``docs --results FILE`` for a labelled run CI cannot make (``docs_build.RECORDED``, e.g.
LocalStack): its page is written from the file, says whom it measured, and a run named nothing
the docs know is refused in one line before anything is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from firehose_conformance.catalog import load_catalog
from firehose_conformance.cli import main
from firehose_conformance.reports.docs_build import CI_TARGETS, EXPECTATIONS_DIR, RECORDED
from firehose_conformance.results import Results, build_results

LABEL = "localstack"


def _labelled(base: Results, label: str) -> Results:
    """``base``'s scenarios as a run of the endpoint target named ``label`` (run --label)."""
    identity = {
        "name": "endpoint",
        "label": label,
        "endpoint_url": "http://127.0.0.1:4566",
        "account": "000000000000",
        "region": "us-east-1",
        "implementation": "LocalStack 9.9.9 (community)",
    }
    return build_results(
        target="endpoint",
        started_at=base.started_at,
        duration_s=301.0,
        scenarios=base.scenarios,
        catalog=load_catalog(),
        provenance={"spec_version": "2.1.0", "target": identity, "packages": {"boto3": "1.0"}},
    )


@pytest.fixture
def given(
    tmp_path: Path,
    make_results: Callable[[str, dict[str, str]], Results],
    write_file: Callable[[Results, Path], Path],
) -> list[str]:
    """``--results`` for each CI target's page (so that docs runs nothing itself)."""
    argv = []
    for target in CI_TARGETS:
        small = make_results(target, {"SSE-01": "passed"})
        argv += ["--results", str(write_file(small, tmp_path / f"results-{target}.json"))]
    return argv


def test_a_recorded_run_gets_its_page_from_its_results_file(
    tmp_path: Path,
    given: list[str],
    make_results: Callable[[str, dict[str, str]], Results],
    write_file: Callable[[Results, Path], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert LABEL in RECORDED
    base = make_results("endpoint", {"SSE-01": "passed", "SSE-04": "failed", "API-07": "error"})
    recorded = write_file(_labelled(base, LABEL), tmp_path / "results-localstack.json")
    docs = tmp_path / "docs"
    argv = ["docs", "--docs-dir", str(docs), *given, "--results", str(recorded)]
    assert main(argv) == 0
    assert f"wrote: {docs / 'conformance' / 'localstack.md'}" in capsys.readouterr().out
    pages = sorted(p.name for p in (docs / "conformance").iterdir())
    assert pages == sorted(f"{name}.md" for name in (*CI_TARGETS, LABEL))
    text = (docs / "conformance" / "localstack.md").read_text(encoding="utf-8")
    assert text.startswith("# Conformance of `localstack` (target `endpoint`)\n")
    run = text.split("## The run\n", 1)[1].split("\n## ", 1)[0]
    assert "LocalStack 9.9.9 (community) (region us-east-1, account 000000000000" in run
    assert "301 s wall time" in run
    assert f"Made again with: {RECORDED[LABEL]}" in run
    # The deviations declared for it are shown where a declaration exists, and only then.
    assert ("Declared deviations" in run) == (EXPECTATIONS_DIR / f"{LABEL}.toml").is_file()
    # The page holds the run's verdicts, one row per requirement.
    assert "[SSE-04](../SPEC.md#sse-04)" in text
    # Made again from the same files, nothing changes.
    assert main([*argv, "--check"]) == 0
    assert "doc file(s) current" in capsys.readouterr().out


@pytest.mark.parametrize("label", ["nowhere", "moto-server"])
def test_a_run_named_nothing_the_docs_know_is_refused_in_one_line(
    tmp_path: Path,
    given: list[str],
    label: str,
    make_results: Callable[[str, dict[str, str]], Results],
    write_file: Callable[[Results, Path], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    labelled = _labelled(make_results("endpoint", {"SSE-01": "passed"}), label)
    path = write_file(labelled, tmp_path / "results-x.json")
    docs = tmp_path / "docs"
    assert main(["docs", "--docs-dir", str(docs), *given, "--results", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    assert f"a run named {label!r} has no page" in line and str(path) in line
    assert not any(docs.rglob("*.md"))  # refused before anything was written
