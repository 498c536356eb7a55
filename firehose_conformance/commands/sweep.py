"""``firehose-conformance sweep``: remove what interrupted runs left in an account or an emulator.

A dry run unless ``--yes``: it lists what it would remove. Against a real account (``--target
aws``, the default) it takes the same guards as ``run`` (``--allow-live-aws`` and an
``--account-id`` that STS confirms, a pinned region), and touches only resources with both marks
of the suite (its tag and the ``fsc-`` name prefix). Against an emulator (``--endpoint-url URL``,
or a configured ``AWS_ENDPOINT_URL``, which imply ``--target endpoint`` as they do for ``run``) the
suite's names are its mark (see ``aws_sweep``). Do not sweep while a run is in progress in the
same account and region, or narrow it with ``--run-id``.
"""

from __future__ import annotations

import argparse

from tabulate import tabulate

from firehose_conformance.errors import UsageError
from firehose_conformance.targets import make_target
from firehose_conformance.targets.aws_sweep import Leftover, remove, scan
from firehose_conformance.targets.base import Target
from firehose_conformance.targets.options import (
    add_aws_flags,
    add_live_aws_flags,
    add_target_option,
    choose_target,
    options_from_args,
)

SWEEPABLE = ("aws", "endpoint")


def add_parser(commands: argparse._SubParsersAction) -> None:
    sweep = commands.add_parser(
        "sweep", help="remove leftovers of interrupted runs (a real account, or an emulator)"
    )
    sweep.add_argument(
        "--target",
        help="aws (default), or endpoint (implied by --endpoint-url or a configured "
        "AWS_ENDPOINT_URL): the targets that leave anything behind",
    )
    add_aws_flags(sweep, regions="the region, one")
    add_target_option(sweep.add_argument)
    add_live_aws_flags(sweep)
    sweep.add_argument("--run-id", help="only the leftovers of this run (its tag value)")
    sweep.add_argument("--yes", action="store_true", help="remove them (default: only list)")
    sweep.set_defaults(handler=execute)


def execute(args: argparse.Namespace) -> int:
    args.target = choose_target(args, "aws")
    if args.target not in SWEEPABLE:
        raise UsageError(
            f"sweep works on the aws and endpoint targets, not {args.target!r} (which reset "
            "themselves)"
        )
    # The guards, and the endpoint's checks; it creates nothing.
    target = make_target(args.target, **options_from_args(args, args.target))
    try:
        return _sweep(target, args.run_id, remove_them=args.yes)
    finally:
        target.close()


def _sweep(target: Target, run_id: str | None, *, remove_them: bool) -> int:
    where = f"account {target.account_id}, region {target.region}"
    if target.name == "endpoint":
        where += f" at {getattr(target, 'endpoint_url', '?')}"
    found = scan(target, run_id)
    if found.being_removed:
        print(
            f"{len(found.being_removed)} already being removed (keys pending deletion, "
            "streams deleting): left to AWS"
        )
    if not found.leftovers:
        print(f"no leftovers of firehose-conformance runs in {where}")
        return 0
    print(_table(found.leftovers))
    if not remove_them:
        print(f"dry run: {len(found.leftovers)} leftover(s) in {where}; pass --yes to remove them")
        return 0
    problems = remove(
        target, found.leftovers, lambda item, outcome: print(f"{item.kind} {item.name}: {outcome}")
    )
    left = scan(target, run_id).leftovers
    print(
        f"removed {len(found.leftovers) - len(left)} of {len(found.leftovers)}; "
        f"{len(left)} remain in {where}"
    )
    return 1 if problems or left else 0


def _table(leftovers: list[Leftover]) -> str:
    rows = [(item.kind, item.name, item.run_id, item.state, item.action) for item in leftovers]
    return tabulate(rows, headers=("kind", "name", "run", "state", "action"), tablefmt="simple")
