"""``firehose-conformance selftest``: does the suite catch each catalogued deviant? The kill matrix.

Prints one row per deviant (the requirements it violates, those whose scenarios failed, those
that failed besides, and killed or not), then why each survivor survived, then ``killed K/N`` as
the last line. Exit code 0 only when every deviant is killed; 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from tabulate import tabulate

from firehose_conformance.errors import UsageError


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "selftest", help="run the suite against each catalogued deviant; print the kill matrix"
    )
    parser.add_argument(
        "--deviant", action="append", default=[], metavar="NAME", help="only this one (repeatable)"
    )
    parser.add_argument(
        "-n",
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes (default: one per CPU; 0: in this process)",
    )
    parser.add_argument("--list", action="store_true", help="list the catalog and exit")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the rows as JSON")
    parser.set_defaults(handler=execute)


def execute(args: argparse.Namespace) -> int:
    from firehose_conformance.catalog import load_catalog
    from firehose_conformance.selftest import (
        deviants,
        progress_line,
        render,
        run_all,
        summary,
        unknown_requirements,
    )

    if args.workers < 0:
        raise UsageError("-n must be 0 (in this process) or more")
    catalog = deviants()
    unknown = [name for name in args.deviant if name not in catalog]
    if unknown:
        raise UsageError(
            f"unknown deviant {unknown[0]!r}; list them with: firehose-conformance selftest --list"
        )
    if args.list:
        rows = [(d.name, " ".join(d.violates), d.description) for d in catalog.values()]
        print(tabulate(rows, headers=("deviant", "violates", "bug"), tablefmt="simple"))
        return 0
    names = list(dict.fromkeys(args.deviant)) or list(catalog)
    strays = unknown_requirements(load_catalog(), {name: catalog[name] for name in names})
    if strays:
        name, ids = next(iter(strays.items()))
        raise UsageError(f"deviant {name!r} names requirements not in the catalog: {ids}")
    workers = min(args.workers, len(names))
    started = time.perf_counter()
    finished = 0

    def report(row) -> None:
        nonlocal finished
        finished += 1
        print(progress_line(row, finished, len(names)), file=sys.stderr, flush=True)

    rows = run_all(names, workers, on_row=report)
    elapsed = time.perf_counter() - started
    if args.json:
        from firehose_conformance.selftest import to_json

        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(to_json(rows), indent=2) + "\n", encoding="utf-8")
    print(render(rows))
    print()
    where = f"{workers} worker process(es)" if workers else "this process"
    print(f"selftest: {len(rows)} deviant(s) on {where} in {elapsed:.1f} s")
    print(summary(rows))
    return 0 if all(row.killed for row in rows) else 1
