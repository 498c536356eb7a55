"""The command line: ``firehose-conformance <command>``; each command lives in ``commands/``.

Bad usage is one clear line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from firehose_conformance.catalog import CatalogError
from firehose_conformance.commands import (
    audit,
    docs,
    drift,
    report,
    requirements,
    run,
    selftest,
    serve,
    sweep,
)
from firehose_conformance.errors import UsageError
from firehose_conformance.version import VersionAction

# Each command module adds its own subparser; add a new command by adding it here.
COMMANDS = (run, requirements, serve, report, docs, selftest, sweep, audit, drift)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="firehose-conformance",
        description="Conformance suite for Amazon Data Firehose server-side encryption.",
    )
    parser.add_argument("--version", action=VersionAction)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return args.handler(args)
    except (UsageError, CatalogError) as error:
        print(f"firehose-conformance: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
