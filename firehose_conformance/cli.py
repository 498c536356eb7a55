"""The command line: ``firehose-conformance <command>``; each command lives in ``commands/``.

Bad usage is one clear line on stderr and exit code 2, never a traceback. A closed pipe
(``firehose-conformance requirements | head``) ends the output quietly, with the exit code the
command would have had (outputs.PipeSafe). Ctrl-C or SIGTERM that no command handles itself is
one line and exit 130 (interrupts.INTERRUPTED).
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
from firehose_conformance.interrupts import INTERRUPTED, interruptible, signal_name
from firehose_conformance.outputs import pipe_safe_stdio
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
    with pipe_safe_stdio():
        try:
            with interruptible():
                args = _parser().parse_args(argv)
                code = args.handler(args)
            sys.stdout.flush()  # a closed pipe is met here, not at exit
            return code
        except (UsageError, CatalogError) as error:
            print(f"firehose-conformance: error: {error}", file=sys.stderr)
            return 2
        except KeyboardInterrupt as error:
            name = signal_name(error)
            print(f"firehose-conformance: interrupted ({name})", file=sys.stderr)
            return INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
