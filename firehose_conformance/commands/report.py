"""``firehose-conformance report``: the results of several targets merged into one view.

Formats: a terminal matrix (``table``), Markdown, one self-contained HTML page, merged JSON.
Without ``--out`` the report goes to stdout; with it, to DIR/report.<ext>.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from firehose_conformance.features import (
    load_all_scenario_texts,
    scenarios_by_requirement,
)
from firehose_conformance.reports.html import render_html
from firehose_conformance.reports.jsondoc import render_json
from firehose_conformance.reports.markdown import render_markdown
from firehose_conformance.reports.merge import Merged, load_merged
from firehose_conformance.reports.symbols import needs_ascii
from firehose_conformance.reports.table import render_table

EXTENSIONS = {"table": "txt", "md": "md", "html": "html", "json": "json"}


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "report", help="merge results files of several targets into one report"
    )
    parser.add_argument("results", nargs="+", type=Path, metavar="RESULTS.json")
    parser.add_argument("--format", choices=tuple(EXTENSIONS), default="table")
    parser.add_argument("--out", type=Path, metavar="DIR", help="write DIR/report.<ext>")
    parser.set_defaults(handler=execute)


def render(merged: Merged, fmt: str, *, ascii: bool = False) -> str:
    if fmt == "table":
        return render_table(merged, ascii=ascii) + "\n"
    if fmt == "md":
        return render_markdown(merged)
    if fmt == "json":
        return render_json(merged)
    return render_html(merged, scenarios_by_requirement(load_all_scenario_texts()))


def execute(args: argparse.Namespace) -> int:
    merged = load_merged(args.results)
    if args.out is None:
        ascii = args.format == "table" and needs_ascii(sys.stdout)
        sys.stdout.write(render(merged, args.format, ascii=ascii))
        return 0
    path = args.out / f"report.{EXTENSIONS[args.format]}"
    args.out.mkdir(parents=True, exist_ok=True)
    path.write_text(render(merged, args.format), encoding="utf-8")
    print(f"wrote {path}")
    return 0
