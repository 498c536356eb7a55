"""``firehose-conformance selftest``: the suite against the reference's variants, each beside its
control.

Deviants (plausible bugs) must be caught: the kill matrix, then ``killed K/N``. Conforming
variants (paths the documents allow) must be left alone and not passed for nothing: their
table, then ``false failures F/M`` and ``unexercised passes U/M``. A row whose selection the
untouched reference does not pass says ``control failed`` and counts as neither. Exit code 0 only
when every deviant is killed and every conforming variant is clean; 2 on bad usage; 130 when
stopped by Ctrl-C or SIGTERM (the workers are ended at once; no verdict is printed).
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
from firehose_conformance.interrupts import INTERRUPTED, signal_name
from firehose_conformance.outputs import check_file
from firehose_conformance.results import write_atomically

KINDS = ("deviant", "conforming")


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "selftest",
        help="run the suite against the reference's variants: deviants must be caught, "
        "conforming variants must pass",
    )
    parser.add_argument(
        "--deviant", action="append", default=[], metavar="NAME", help="only this one (repeatable)"
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME",
        help="only this variant, deviant or conforming (repeatable)",
    )
    parser.add_argument(
        "--kind", choices=KINDS, help="only the variants of this kind (default: both)"
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
        all_settled,
        deviants,
        progress_line,
        render,
        run_all,
        summary,
        unknown_requirements,
        variants,
    )
    from reference_impl import VariantKind

    if args.workers < 0:
        raise UsageError("-n must be 0 (in this process) or more")
    known, known_deviants = variants(), deviants()
    strays = [name for name in args.deviant if name not in known_deviants]
    if strays:
        raise UsageError(
            f"unknown deviant {strays[0]!r}; list them with: firehose-conformance selftest --list"
        )
    strays = [name for name in args.variant if name not in known]
    if strays:
        raise UsageError(
            f"unknown variant {strays[0]!r}; list them with: firehose-conformance selftest --list"
        )
    catalog = variants(VariantKind(args.kind)) if args.kind else known
    if args.list:
        rows = [
            (
                v.name,
                v.kind.value,
                " ".join(v.selection),
                " ".join(v.unobservable) or "-",
                v.description,
            )
            for v in catalog.values()
        ]
        headers = ("variant", "kind", "violates / touches", "unobservable", "what it does")
        print(tabulate(rows, headers=headers, tablefmt="simple"))
        return 0
    chosen = list(dict.fromkeys([*args.deviant, *args.variant]))
    names = [name for name in chosen if name in catalog] if chosen else list(catalog)
    if not names:
        raise UsageError(f"no {args.kind} variant among {', '.join(chosen)}")
    strays_by_variant = unknown_requirements(load_catalog(), {name: known[name] for name in names})
    if strays_by_variant:
        name, ids = next(iter(strays_by_variant.items()))
        raise UsageError(f"variant {name!r} names requirements not in the catalog: {ids}")
    if args.json:
        check_file(args.json, "--json")
    workers = min(args.workers, len(names))
    started = time.perf_counter()
    finished = 0

    def report(row) -> None:
        nonlocal finished
        finished += 1
        print(progress_line(row, finished, len(names)), file=sys.stderr, flush=True)

    try:
        rows = run_all(names, workers, on_row=report)
    except KeyboardInterrupt as error:
        print(
            f"firehose-conformance: selftest interrupted ({signal_name(error)}) after "
            f"{finished} of {len(names)} variant(s); no verdict",
            file=sys.stderr,
        )
        return INTERRUPTED
    elapsed = time.perf_counter() - started
    if args.json:
        from firehose_conformance.selftest import to_json

        write_atomically(args.json, json.dumps(to_json(rows), indent=2) + "\n")
    print(render(rows))
    print()
    kinds = {kind: sum(row.kind == kind for row in rows) for kind in KINDS}
    counted = ", ".join(f"{count} {kind}" for kind, count in kinds.items() if count)
    where = f"{workers} worker process(es)" if workers else "this process"
    print(f"selftest: {counted} variant(s) and their control on {where} in {elapsed:.1f} s")
    print(summary(rows))
    return 0 if all_settled(rows) else 1
