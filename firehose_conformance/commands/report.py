"""``firehose-conformance report``: the results of several targets merged into one view.

Formats: a terminal matrix (``table``), Markdown, one self-contained HTML page, merged JSON.
Without ``--out`` the report goes to stdout; with it, to DIR/report.<ext>.

Each results file is checked before anything is rendered: every verdict must be a word of the
project (``verdicts.Verdict``; ``warn`` is the audit's alone) and every requirement ID one of
the catalog's. A file that is not is exit 2, with one line naming the file, the value and
where it is (``scenarios[3].verdict``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from firehose_conformance.catalog import Requirement, load_catalog
from firehose_conformance.errors import UsageError
from firehose_conformance.features import (
    load_all_scenario_texts,
    scenarios_by_requirement,
)
from firehose_conformance.outputs import check_file, colour_wanted
from firehose_conformance.reports.html import render_html
from firehose_conformance.reports.jsondoc import render_json
from firehose_conformance.reports.markdown import render_markdown
from firehose_conformance.reports.merge import Merged, merge
from firehose_conformance.reports.symbols import needs_ascii
from firehose_conformance.reports.table import render_table
from firehose_conformance.results import Results, read_results, write_atomically
from firehose_conformance.verdicts import REQUIREMENT_VERDICTS, SCENARIO_VERDICTS

EXTENSIONS = {"table": "txt", "md": "md", "html": "html", "json": "json"}
# The words a results document may use (verdicts.py); ``warn`` is the audit's alone.
REQUIREMENT_WORDS = tuple(v.value for v in REQUIREMENT_VERDICTS)
SCENARIO_WORDS = tuple(v.value for v in SCENARIO_VERDICTS)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "report", help="merge results files of several targets into one report"
    )
    parser.add_argument("results", nargs="+", type=Path, metavar="RESULTS.json")
    parser.add_argument("--format", choices=tuple(EXTENSIONS), default="table")
    parser.add_argument("--out", type=Path, metavar="DIR", help="write DIR/report.<ext>")
    parser.set_defaults(handler=execute)


def render(merged: Merged, fmt: str, *, ascii: bool = False, colour: bool = False) -> str:
    if fmt == "table":
        return render_table(merged, ascii=ascii, colour=colour) + "\n"
    if fmt == "md":
        return render_markdown(merged)
    if fmt == "json":
        return render_json(merged)
    return render_html(merged, scenarios_by_requirement(load_all_scenario_texts()))


def load_checked(paths: Sequence[Path], catalog: Mapping[str, Requirement] | None = None) -> Merged:
    """Read, check and merge the results files, in the order given."""
    catalog = catalog or load_catalog()
    loaded = []
    for path in paths:
        results = read_results(Path(path))
        check_results(results, path, catalog)
        loaded.append(results)
    return merge(loaded, catalog)


def check_results(results: Results, path: Path, catalog: Mapping[str, Requirement]) -> None:
    """``UsageError`` naming the file, the value and where, for the first word or ID the
    project does not know."""

    def verdict(word: str, where: str, words: tuple[str, ...]) -> None:
        if word not in words:
            raise UsageError(
                f"{path}: {where} is {word!r}, not a verdict word ({', '.join(words)})"
            )

    def requirement(rid: str, where: str) -> None:
        if rid not in catalog:
            raise UsageError(f"{path}: {where} is {rid!r}, not a requirement ID of the catalog")

    for word in results.summary:
        verdict(word, "a key of summary", SCENARIO_WORDS)
    for word in results.requirement_summary:
        verdict(word, "a key of requirement_summary", REQUIREMENT_WORDS)
    for index, row in enumerate(results.requirements):
        requirement(row.id, f"requirements[{index}].id")
        verdict(row.verdict, f"requirements[{index}].verdict ({row.id})", REQUIREMENT_WORDS)
    for index, group in enumerate(results.left_out):
        for rid in group.requirements:
            requirement(rid, f"left_out[{index}].requirements ({group.rule})")
    for index, scenario in enumerate(results.scenarios):
        where = f"scenarios[{index}]"
        verdict(scenario.verdict, f"{where}.verdict ({scenario.name!r})", SCENARIO_WORDS)
        for position, rid in enumerate(scenario.requirements):
            requirement(rid, f"{where}.requirements[{position}] ({scenario.name!r})")
        for position, rid in enumerate(getattr(scenario, "observed", None) or ()):
            requirement(rid, f"{where}.observed[{position}] ({scenario.name!r})")


def execute(args: argparse.Namespace) -> int:
    if args.out is not None:  # before reading anything: a bad --out is one line, exit 2
        path = check_file(args.out / f"report.{EXTENSIONS[args.format]}", "--out")
    merged = load_checked(args.results)
    if args.out is None:
        table = args.format == "table"
        ascii = table and needs_ascii(sys.stdout)
        colour = table and colour_wanted(sys.stdout)
        sys.stdout.write(render(merged, args.format, ascii=ascii, colour=colour))
        return 0
    write_atomically(path, render(merged, args.format))
    print(f"wrote {path}")
    return 0
