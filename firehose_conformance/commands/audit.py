"""``firehose-conformance audit``: a read-only audit of an account's Firehose data protection.

Exit code 0 when no finding fails, 1 when one does, 2 when the audit could not complete: a
finding could not be evaluated (unless ``--allow-partial``), or the audit cannot run at all (no
credentials, an unknown profile, an endpoint that does not answer, streams that cannot be
listed; the reason is one line on stderr). 130 when interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import sys

from firehose_conformance.audit.auditor import audit
from firehose_conformance.audit.clients import open_account
from firehose_conformance.audit.progress import AuditProgress
from firehose_conformance.audit.reads import AuditAborted, Patience
from firehose_conformance.audit.render import FORMATS, render
from firehose_conformance.errors import UsageError
from firehose_conformance.targets.options import add_aws_flags, audit_settings

INTERRUPTED = 130


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "audit",
        help="audit the Firehose data protection of an account (read-only)",
        description="Audit each delivery stream's data protection: SSE by source type, the "
        "KMS keys, and alarms on the KMSKey* metrics. Makes only read calls.",
    )
    add_aws_flags(parser, regions="repeatable")
    parser.add_argument(
        "--stream",
        action="append",
        default=[],
        metavar="NAME",
        help="only this stream (repeatable; default: every stream)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (default), json, md, ocsf (OCSF Detection Findings), sarif (SARIF 2.1.0)",
    )
    parser.add_argument(
        "--allow-partial",
        action="store_true",
        help="findings that could not be evaluated (error) do not make the exit code 2",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=Patience.budget,
        metavar="S",
        help="the most the audit waits out throttling and failing reads, in all "
        f"(default {Patience.budget:.0f} s); then such reads are errors",
    )
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument(
        "--progress",
        action="store_true",
        help="a line per stream on stderr even when it is not a terminal",
    )
    shown.add_argument("--quiet", action="store_true", help="nothing on stderr but errors")
    parser.set_defaults(handler=execute)


def execute(args: argparse.Namespace) -> int:
    if not args.max_wait >= 0:
        raise UsageError("--max-wait must be 0 or more seconds")
    progress = AuditProgress.for_cli(quiet=args.quiet, progress=args.progress)
    patience = Patience(budget=args.max_wait, say=progress.say)
    region_names, endpoint_url = audit_settings(args)  # as run and sweep read them
    try:
        opened = open_account(
            region_names, profile=args.profile, endpoint_url=endpoint_url, patience=patience
        )
        if opened.account_note:
            progress.say(f"the account is not known: STS {opened.account_note}")
        report = audit(
            opened.regions,
            streams=args.stream,
            endpoint_url=endpoint_url,
            caller_account=opened.account,
            allow_partial=args.allow_partial,
            progress=progress,
        )
    except AuditAborted as aborted:
        print(f"firehose-conformance: error: audit: {aborted}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("firehose-conformance: audit interrupted; no report", file=sys.stderr)
        return INTERRUPTED
    sys.stdout.write(render(report, args.format))
    return report.exit_code
