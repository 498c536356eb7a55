"""``firehose-conformance serve``: the bundled reference implementation over HTTP.

The same server as ``python -m reference_impl``; point any AWS SDK, or ``run --endpoint-url
http://127.0.0.1:4573``, at it (moto's own server-mode tests too: it takes ``POST
/moto-api/reset`` as its reset).
"""

from __future__ import annotations

import argparse

import reference_impl


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve the reference implementation over HTTP (every service, one endpoint)",
        description="Serve the reference implementation over HTTP until SIGINT or SIGTERM.",
    )
    reference_impl.add_server_arguments(parser)
    parser.set_defaults(handler=execute)


def execute(args: argparse.Namespace) -> int:
    return reference_impl.serve(reference_impl.server_options_from(args), quiet=args.quiet)
