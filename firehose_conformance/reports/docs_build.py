"""The committed docs: docs/SPEC.md and docs/conformance/<page>.md, built and compared.

SPEC.md is a pure function of the catalog and the features. A conformance page needs a run of
the suite against its target (``run_suite``), and its page renders with ``stable=True``, so two
runs of the same suite against the same target give the same bytes.

A page is named after its run: the target's name for the targets CI runs (reference, moto), or
the run's label (``run --label localstack``) for a run CI cannot make, recorded elsewhere and
given as ``docs --results FILE`` (``RECORDED``). A recorded page also says whom the run measured,
how long it took, and the deviations declared for it (``expectations/<label>.toml``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from firehose_conformance.catalog import load_catalog
from firehose_conformance.errors import UsageError
from firehose_conformance.expectations import Declaration, load_declaration
from firehose_conformance.features import load_all_scenario_texts
from firehose_conformance.reports import mdtext
from firehose_conformance.reports.markdown import render_markdown
from firehose_conformance.reports.merge import merge
from firehose_conformance.reports.spec_doc import render_spec
from firehose_conformance.reports.symbols import STYLES, label
from firehose_conformance.results import Results, read_results
from firehose_conformance.runner import ROOT, SuiteError, run_suite
from firehose_conformance.targets import FACTORIES

DOCS_DIR = ROOT / "docs"
EXPECTATIONS_DIR = ROOT / "expectations"
CI_TARGETS: tuple[str, ...] = tuple(t for t in ("reference", "moto") if t in FACTORIES)
"""The targets the project runs in CI, each with a committed conformance page."""
RECORDED: dict[str, str] = {
    "localstack": "scripts/localstack.sh (LocalStack community on the host, without Docker; "
    "about 4 minutes once its venv is installed), then "
    "`firehose-conformance docs --results reports/results-localstack.json`",
}
"""Labelled runs CI does not make, each with a committed page: how to make the run again."""


def page_name(results: Results) -> str:
    """The run's label (``run --label``), else its target's name."""
    found = (results.provenance.get("target") or {}).get("label")
    return str(found) if found else results.target


def spec_text() -> str:
    return render_spec(load_catalog(), load_all_scenario_texts())


def conformance_text(results: Results, declaration: Declaration | None = None) -> str:
    merged = merge([results], load_catalog())
    name = page_name(results)
    if name == results.target:
        return render_markdown(
            merged,
            stable=True,
            title=f"Conformance of target `{results.target}`",
            spec_link="../SPEC.md",
        )
    text = render_markdown(
        merged,
        stable=True,
        title=f"Conformance of `{name}` (target `{results.target}`)",
        spec_link="../SPEC.md",
    )
    head, sep, tail = text.partition("\n## Matrix\n")
    return head + "\n".join(_recorded_run(results, name, declaration)) + sep + tail


def _recorded_run(results: Results, name: str, declaration: Declaration | None) -> list[str]:
    """What a recorded page says of its run: whom it measured, how long, and what is declared."""
    identity = results.provenance.get("target") or {}
    packages = results.provenance.get("packages") or {}
    req, scen = results.requirement_summary, results.summary
    lines = ["", "## The run", ""]  # after the legend's paragraph
    who = identity.get("implementation") or identity.get("server") or "an unnamed server"
    where = ", ".join(
        f"{key} {identity[key]}" for key in ("region", "account") if identity.get(key)
    )
    lines.append(f"- Implementation: {mdtext.escape(str(who))} ({where}; as the server says).")
    lines.append(
        f"- Suite run: {results.duration_s:.0f} s wall time; requirements "
        + ", ".join(f"{req.get(v, 0)} {label(v)}" for v in STYLES)
        + "; scenarios "
        + ", ".join(f"{scen.get(v, 0)} {label(v)}" for v in STYLES if v in scen)
        + "."
    )
    if packages:
        shown = ", ".join(f"{k} {v}" for k, v in packages.items())
        lines.append(f"- Measured with: {mdtext.escape(shown)}.")
    if name in RECORDED:
        lines.append(f"- Made again with: {RECORDED[name]}.")
    if declaration is not None:
        lines += [
            f"- Declared deviations: `expectations/{name}.toml` ({declaration.implementation}, "
            f"{mdtext.escape(declaration.versions)}); a run that deviates otherwise fails "
            "`run --expectations`.",
            "",
            "| requirement | declared | reason |",
            "| --- | :---: | --- |",
        ]
        for entry in declaration.expectations:
            subject = (
                f"[{entry.subject}](../SPEC.md#{entry.subject.lower()})"
                if entry.kind == "requirement"
                else mdtext.escape(entry.subject)
            )
            lines.append(f"| {subject} | {label(entry.verdict)} | {mdtext.escape(entry.reason)} |")
    return [*lines, ""]


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
        name = page_name(result)
        declared = EXPECTATIONS_DIR / f"{name}.toml"
        declaration = (
            load_declaration(declared) if name in RECORDED and declared.is_file() else None
        )
        expected[docs_dir / "conformance" / f"{name}.md"] = conformance_text(result, declaration)
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
    """Results per page: for each CI target, the file given for it, else a fresh run; then each
    given file of a recorded run (``RECORDED``, by its label)."""
    by_page = {}
    for path in given:
        results = read_results(path)
        name = page_name(results)
        if name not in CI_TARGETS and name not in RECORDED:
            known = ", ".join([*CI_TARGETS, *RECORDED])
            raise UsageError(
                f"{path}: a run named {name!r} has no page (pages: {known}); a recorded run "
                "needs its label (run --label NAME) and an entry in docs_build.RECORDED"
            )
        by_page[name] = results
    fresh = [by_page.pop(t, None) or fresh_results(t, workdir) for t in targets]
    return fresh + [by_page[name] for name in RECORDED if name in by_page]
