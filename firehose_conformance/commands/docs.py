"""``firehose-conformance docs``: regenerate (or ``--check``) docs/SPEC.md and docs/conformance/.

The conformance pages need a run against each CI target; ``--results FILE`` reuses a results
file instead (a moto run takes minutes). A labelled run CI cannot make (``run --label
localstack``, docs_build.RECORDED) gets its page only from ``--results FILE``; without one, its
committed page is left as it is. ``--spec-only`` touches SPEC.md alone.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from firehose_conformance.errors import UsageError
from firehose_conformance.outputs import check_dir
from firehose_conformance.reports import docs_build


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "docs", help="regenerate docs/SPEC.md and docs/conformance/*.md (or --check them)"
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a file is stale"
    )
    parser.add_argument(
        "--results",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="use this results file for its target (or its label's page) instead of running "
        "it (repeatable)",
    )
    parser.add_argument("--spec-only", action="store_true", help="only docs/SPEC.md")
    parser.add_argument(
        "--docs-dir", type=Path, default=docs_build.DOCS_DIR, help="default: the project's docs/"
    )
    parser.set_defaults(handler=execute)


def execute(args: argparse.Namespace) -> int:
    if args.docs_dir == docs_build.DOCS_DIR and not args.docs_dir.is_dir():
        raise UsageError(  # e.g. from a wheel: the docs belong to a checkout
            f"{args.docs_dir} is not a directory: docs regenerates the docs/ of a checkout of "
            "the repository (or --docs-dir DIR)"
        )
    if not args.check:  # before the runs: an unwritable --docs-dir is one line, exit 2
        check_dir(args.docs_dir, "--docs-dir")
        if not args.spec_only:
            check_dir(args.docs_dir / "conformance", "--docs-dir")
    targets = () if args.spec_only else docs_build.CI_TARGETS
    given = [] if args.spec_only else args.results
    with tempfile.TemporaryDirectory(prefix="fsc-docs-") as workdir:
        results = docs_build.results_for(targets, given, Path(workdir))
    expected = docs_build.expected_docs(results, args.docs_dir)
    if args.check:
        stale = docs_build.stale(expected)
        for path in stale:
            print(f"stale: {path}")
        if stale:
            print("regenerate with: firehose-conformance docs")
            return 1
        print(f"{len(expected)} doc file(s) current")
        return 0
    changed = docs_build.write(expected)
    for path in expected:
        print(f"{'wrote' if path in changed else 'unchanged'}: {path}")
    return 0
