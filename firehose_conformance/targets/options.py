"""Target options as the command lines take them: ``--target-option KEY=VALUE``, repeatable.

``run``, ``sweep`` and the pytest plugin declare and parse them here, so a malformed one gets the
same one-line answer wherever it is given; ``--allow-live-aws`` and ``--account-id`` are the aws
target's guards spelled as flags, and reach it as options of the same names.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable

from firehose_conformance.errors import UsageError


def add_target_option(add: Callable[..., object], help: str = "repeatable") -> None:
    """Declare ``--target-option`` with ``add``: argparse's ``add_argument`` or pytest's
    ``addoption``, which take the same arguments."""
    add("--target-option", action="append", default=[], metavar="KEY=VALUE", help=help)


def add_live_aws_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-live-aws", action="store_true", help="aws target: use a real account"
    )
    parser.add_argument(
        "--account-id", help="aws target: the account the credentials must belong to"
    )


def parse_target_options(items: Iterable[str]) -> dict[str, str]:
    """``KEY=VALUE`` pairs as a dict, ``-`` in a key read as ``_``; UsageError on a bad one."""
    options = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--target-option expects KEY=VALUE, got {item!r}")
        options[key.replace("-", "_")] = value
    return options


def options_from_args(args: argparse.Namespace) -> dict[str, str]:
    """The target options of a command line: its ``--target-option``s, then the guard flags."""
    options = parse_target_options(args.target_option)
    if args.allow_live_aws:
        options["allow_live_aws"] = "yes"
    if args.account_id:
        options["account_id"] = args.account_id
    return options
