"""Target options and the AWS-style flags, as every command line takes them.

``--target-option KEY=VALUE`` (repeatable) reaches a target as an option; ``run``, ``sweep`` and
the pytest plugin declare and parse it here, so a malformed one gets the same one-line answer
wherever it is given. ``--allow-live-aws`` and ``--account-id`` are the aws target's guards spelled
as flags, and reach it as options of the same names.

``--endpoint-url``, ``--region`` and ``--profile`` mean the same in ``run``, ``audit`` and
``sweep`` (declared by ``add_aws_flags``), and so do the environment variables boto3 reads:

- the endpoint: ``--endpoint-url`` > ``AWS_ENDPOINT_URL_<SERVICE>`` > ``AWS_ENDPOINT_URL`` > the
  profile's ``services`` section > its ``endpoint_url`` (``aws_clients.configured_endpoint``);
- the region: ``--region`` > ``AWS_REGION`` > ``AWS_DEFAULT_REGION`` > the profile's ``region``;
- the profile: ``--profile`` > ``AWS_PROFILE`` (boto3's own choice).

``--endpoint-url`` alone implies ``--target endpoint``; so does a configured endpoint when no
``--target`` is given, and the command says so in one line on stderr. The flags reach the targets
as the options ``endpoint_url``, ``region`` and ``aws_profile``; the environment is read by the
targets themselves (so a pytest run with ``--target endpoint`` honours it too).
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Callable, Iterable
from typing import TextIO

from firehose_conformance.aws_clients import (
    EMULATOR_TIMEOUTS,
    check_endpoint_url,
    client_config,
    configured_region,
    make_client,
    one_endpoint,
    or_dummy_credentials,
    profile_session,
)
from firehose_conformance.errors import UsageError
from firehose_conformance.targets.endpoint_probe import Unreachable, check_firehose

# Targets that talk to an account through boto3 and so take the AWS-style flags.
FLAG_TARGETS = {
    "endpoint": ("endpoint_url", "region", "aws_profile"),
    "aws": ("region", "aws_profile"),
}
FLAG_NAMES = {"endpoint_url": "--endpoint-url", "region": "--region", "aws_profile": "--profile"}
# The services the audit reads (it asks no STS), and its region at an emulator by default.
AUDIT_SERVICES = ("firehose", "kms", "kinesis", "cloudwatch")
EMULATOR_REGION = "us-east-1"
LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def add_target_option(add: Callable[..., object], help: str = "repeatable", **extra: str) -> None:
    """Declare ``--target-option`` with ``add``: argparse's ``add_argument`` or pytest's
    ``addoption``, which take the same arguments (``extra`` too, e.g. a ``dest``)."""
    add("--target-option", action="append", default=[], metavar="KEY=VALUE", help=help, **extra)


def add_live_aws_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-live-aws", action="store_true", help="aws target: use a real account"
    )
    parser.add_argument(
        "--account-id", help="aws target: the account the credentials must belong to"
    )


def add_aws_flags(parser: argparse.ArgumentParser, *, regions: str = "the region") -> None:
    """``--endpoint-url``, ``--region`` and ``--profile``, the same for every command."""
    parser.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="an emulator at URL, for every service (implies --target endpoint); "
        "default: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL or the profile's, as boto3",
    )
    parser.add_argument(
        "--region",
        action="append",
        default=[],
        metavar="R",
        help=f"{regions} (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's)",
    )
    parser.add_argument(
        "--profile", metavar="P", help="a named AWS profile (default: AWS_PROFILE, as boto3)"
    )


def add_label_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--label",
        metavar="NAME",
        help="name this run (e.g. localstack): in the results' provenance and as the column of "
        "merged reports; the default results file is then reports/results-NAME.json",
    )


def check_label(value: str) -> str:
    if not LABEL.fullmatch(value):
        raise UsageError(
            f"--label must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or "
            f"digit), got {value!r}"
        )
    return value


def parse_target_options(items: Iterable[str]) -> dict[str, str]:
    """``KEY=VALUE`` pairs as a dict, ``-`` in a key read as ``_``; UsageError on a bad one."""
    options = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--target-option expects KEY=VALUE, got {item!r}")
        options[key.replace("-", "_")] = value
    return options


def one_region(args: argparse.Namespace) -> str | None:
    """The one ``--region`` of a run or a sweep (a run is pinned to one region)."""
    if len(args.region) > 1:
        raise UsageError(f"--region: one region per run, got {' '.join(args.region)}")
    return args.region[0] if args.region else None


def choose_target(args: argparse.Namespace, default: str, *, say: TextIO | None = None) -> str:
    """``--target``; else ``endpoint`` when ``--endpoint-url`` (or ``--target-option
    endpoint_url=``) is given or an endpoint is configured (saying so in one line on ``say``,
    stderr by default); else ``default``."""
    if args.target:
        return str(args.target)
    if args.endpoint_url or parse_target_options(args.target_option).get("endpoint_url"):
        return "endpoint"
    try:
        found = one_endpoint(profile_session(args.profile))
    except ValueError as error:
        raise UsageError(str(error)) from None
    if found is None:
        return default
    print(
        f"firehose-conformance: target endpoint at {found.value} ({found.source} is set); "
        "pass --target to choose another",
        file=say or sys.stderr,
    )
    return "endpoint"


def options_from_args(args: argparse.Namespace, target: str) -> dict[str, str]:
    """The options of ``target`` from a command line: its ``--target-option``s, the guard
    flags, the AWS-style flags (where the target takes them) and ``--label``.

    A flag and a ``--target-option`` that say different things, or a flag the target does not
    take (``--region`` for the reference), are a UsageError.
    """
    options = parse_target_options(args.target_option)
    if args.allow_live_aws:
        options["allow_live_aws"] = "yes"
    if args.account_id:
        options["account_id"] = args.account_id
    flags = {
        "endpoint_url": args.endpoint_url,
        "region": one_region(args),
        "aws_profile": args.profile,
    }
    for key, value in flags.items():
        if not value:
            continue
        flag = FLAG_NAMES[key]
        if key not in FLAG_TARGETS.get(target, ()):
            raise UsageError(_not_taken(flag, target))
        if options.get(key, value) != value:
            raise UsageError(f"{flag} {value} and --target-option {key}={options[key]} disagree")
        options[key] = value
    label = getattr(args, "label", None)
    if label:
        options["label"] = check_label(label)
    return options


def _not_taken(flag: str, target: str) -> str:
    if target == "aws" and flag == "--endpoint-url":
        return (
            "--endpoint-url names an emulator: use it with --target endpoint (the aws target "
            "talks to AWS itself)"
        )
    takers = " or ".join(t for t, keys in FLAG_TARGETS.items() if flag in map(FLAG_NAMES.get, keys))
    return f"{flag} applies to --target {takers}, not {target!r}"


def audit_settings(args: argparse.Namespace) -> tuple[list[str], str | None]:
    """The regions and the endpoint URL of ``audit``, read as ``run`` and ``sweep`` read them;
    an endpoint (given or configured) must answer as the Firehose API, as for the endpoint
    target (one that does not answer at all is left to the audit's own probe of each region).
    The audit reads AWS itself when none is configured."""
    try:
        session = profile_session(args.profile)
        if args.endpoint_url:
            check_endpoint_url(args.endpoint_url, "--endpoint-url")
    except ValueError:
        return list(args.region), args.endpoint_url  # the audit says it, in its own words
    try:
        endpoint = one_endpoint(session, args.endpoint_url, services=AUDIT_SERVICES)
        region = None if args.region else configured_region(session)
        regions = list(args.region) or ([region.value] if region else [])
        if endpoint is not None:
            probe = or_dummy_credentials(
                profile_session(args.profile, regions[0] if regions else None)
            )
            config = client_config(
                regions[0] if regions else EMULATOR_REGION, timeouts=EMULATOR_TIMEOUTS
            )
            with contextlib.suppress(Unreachable):  # the audit's own probe says it, per region
                client = make_client(probe, "firehose", config, endpoint.value)
                check_firehose(client, endpoint.value)
    except ValueError as error:
        raise UsageError(str(error)) from None
    return regions, endpoint.value if endpoint else None
