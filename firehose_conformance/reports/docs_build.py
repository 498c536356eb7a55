"""The committed docs: docs/SPEC.md and docs/conformance/<target>.md, built and compared.

SPEC.md is a pure function of the catalog and the features. A conformance page needs a run of
the suite against its target (``run_suite``), and its page renders with ``stable=True``, so two
runs of the same suite against the same target give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from firehose_conformance.catalog import load_catalog
from firehose_conformance.errors import UsageError
from firehose_conformance.features import load_all_scenario_texts
from firehose_conformance.reports.markdown import render_markdown
from firehose_conformance.reports.merge import merge
from firehose_conformance.reports.spec_doc import render_spec
from firehose_conformance.results import Results, read_results
from firehose_conformance.runner import ROOT, SuiteError, run_suite
from firehose_conformance.targets import FACTORIES

DOCS_DIR = ROOT / "docs"
CI_TARGETS: tuple[str, ...] = tuple(t for t in ("reference", "moto") if t in FACTORIES)
"""The targets the project runs in CI, each with a committed conformance page."""


def spec_text() -> str:
    return render_spec(load_catalog(), load_all_scenario_texts())


def conformance_text(results: Results) -> str:
    merged = merge([results], load_catalog())
    return render_markdown(
        merged,
        stable=True,
        title=f"Conformance of target `{results.target}`",
        spec_link="../SPEC.md",
    )


def fresh_results(target: str, workdir: Path) -> Results:
    """Run the whole suite against ``target`` and keep its results in ``workdir``."""
    try:
        return run_suite(
            target,
            results_path=workdir / f"results-{target}.json",
            junit_path=workdir / f"junit-{target}.xml",
        ).results
    except SuiteError as error:
        raise UsageError(f"the run against {target!r} failed: {error}") from None


def expected_docs(results: Iterable[Results], docs_dir: Path = DOCS_DIR) -> dict[Path, str]:
    """Every doc file and the text it should hold, for the given runs."""
    expected = {docs_dir / "SPEC.md": spec_text()}
    for result in results:
        expected[docs_dir / "conformance" / f"{result.target}.md"] = conformance_text(result)
    return expected


def stale(expected: Mapping[Path, str]) -> list[Path]:
    """The files whose content differs from what they should hold (or that are missing)."""
    return [
        path
        for path, text in expected.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]


def write(expected: Mapping[Path, str]) -> list[Path]:
    """Write the files that changed; return them."""
    changed = stale(expected)
    for path in changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(expected[path], encoding="utf-8")
    return changed


def results_for(targets: Iterable[str], given: Iterable[Path], workdir: Path) -> list[Results]:
    """Results per target: from the files given when one is for that target, else a fresh run."""
    by_target = {}
    for path in given:
        results = read_results(path)
        by_target[results.target] = results
    return [by_target.get(t) or fresh_results(t, workdir) for t in targets]
